import PluginHostCore

/// The JSON types a `type` keyword allows, as bits so a check is one mask test.
struct SchemaTypes: OptionSet, Sendable {
    let rawValue: UInt8
    static let null = SchemaTypes(rawValue: 1 << 0)
    static let boolean = SchemaTypes(rawValue: 1 << 1)
    static let object = SchemaTypes(rawValue: 1 << 2)
    static let array = SchemaTypes(rawValue: 1 << 3)
    static let number = SchemaTypes(rawValue: 1 << 4)
    static let integer = SchemaTypes(rawValue: 1 << 5)
    static let string = SchemaTypes(rawValue: 1 << 6)

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init?(name: String) {
        switch name {
        case "null": self = .null
        case "boolean": self = .boolean
        case "object": self = .object
        case "array": self = .array
        case "number": self = .number
        case "integer": self = .integer
        case "string": self = .string
        default: return nil
        }
    }

    /// Whether `value` is of one of these types. `number` admits integers, and `integer`
    /// admits any number without a fractional part (JSON Schema: 2.0 is an integer).
    func admits(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return contains(.null)
        case .bool: return contains(.boolean)
        case .int: return !isDisjoint(with: [.number, .integer])
        case .double(let d): return contains(.number) || (contains(.integer) && d.rounded(.towardZero) == d)
        case .string: return contains(.string)
        case .array: return contains(.array)
        case .object: return contains(.object)
        }
    }
}

/// What an object's members outside `properties` may be.
enum AdditionalProperties: Sendable {
    case allowed
    case forbidden
    case schema(SchemaNode)
}

/// One entry of `properties`, with its default already filled and checked at compile time
/// (a default is the same value on every call, so its outcome is too).
struct SchemaProperty: Sendable {
    let name: String
    /// Whether `name` is ASCII, which makes `==` with an equal byte count an exact match.
    let nameIsASCII: Bool
    let schema: SchemaNode
    let isRequired: Bool
    /// The default with its own nested defaults filled in; nil when there is none.
    let filledDefault: JSONValue?
    /// Violations of the default against `schema`, paths relative to the member, messages
    /// already marked as coming from the default.
    let defaultViolations: [SchemaViolation]
}

/// One compiled schema. Immutable once built, so a tree of them is shared by every thread.
///
/// The `checks…` flags let the checker skip whole keyword groups with one test, which keeps
/// the common small call (a couple of numbers) to a handful of comparisons.
final class SchemaNode: Sendable {
    /// The `false` schema.
    let rejectsEverything: Bool
    /// Empty when there is no `type` keyword.
    let types: SchemaTypes
    /// The `type` names as written, for messages.
    let typeNames: [String]
    let enumValues: [JSONValue]?
    let constValue: JSONValue?
    let minimum: JSONValue?
    let maximum: JSONValue?
    let minLength: Int?
    let maxLength: Int?
    let pattern: SchemaPattern?
    let items: SchemaNode?
    let minItems: Int?
    let maxItems: Int?
    let properties: [SchemaProperty]
    /// Name → index into `properties`, built only when a linear scan would be slower. Keyed by
    /// bytes: `"é"` and `"e\u0301"` may both be properties (a `String` key would merge them
    /// and hide the second).
    let propertyIndex: [UTF8Key: Int]
    /// `required` names that have no entry in `properties`.
    let otherRequired: [String]
    let additional: AdditionalProperties

    /// There is an `enum` or a `const`.
    let checksValues: Bool
    let checksNumbers: Bool
    let checksStrings: Bool
    let checksArrays: Bool
    let checksObjects: Bool
    /// Some property is required or has a default, so missing members must be looked for.
    let looksForMissing: Bool
    /// Accepts every value unchanged.
    let isTrivial: Bool
    /// This schema or one inside it has a `pattern` or a `default`.
    let isWorthCaching: Bool

    /// Above this many properties a dictionary finds a member faster than comparing names.
    static let linearLookupLimit = 12

    init(
        rejectsEverything: Bool = false, types: SchemaTypes = [], typeNames: [String] = [],
        enumValues: [JSONValue]? = nil, constValue: JSONValue? = nil,
        minimum: JSONValue? = nil, maximum: JSONValue? = nil,
        minLength: Int? = nil, maxLength: Int? = nil, pattern: SchemaPattern? = nil,
        items: SchemaNode? = nil, minItems: Int? = nil, maxItems: Int? = nil,
        properties: [SchemaProperty] = [], otherRequired: [String] = [], additional: AdditionalProperties = .allowed
    ) {
        self.rejectsEverything = rejectsEverything
        self.types = types
        self.typeNames = typeNames
        self.enumValues = enumValues
        self.constValue = constValue
        self.minimum = minimum
        self.maximum = maximum
        self.minLength = minLength
        self.maxLength = maxLength
        self.pattern = pattern
        self.items = items
        self.minItems = minItems
        self.maxItems = maxItems
        self.properties = properties
        self.otherRequired = otherRequired
        self.additional = additional
        var index: [UTF8Key: Int] = [:]
        if properties.count > Self.linearLookupLimit {
            // First entry wins, as in the linear scan (a JSON object cannot repeat a name anyway).
            for (position, property) in properties.enumerated() where index[UTF8Key(property.name)] == nil {
                index[UTF8Key(property.name)] = position
            }
        }
        propertyIndex = index
        checksValues = enumValues != nil || constValue != nil
        checksNumbers = minimum != nil || maximum != nil
        checksStrings = minLength != nil || maxLength != nil || pattern != nil
        checksArrays = items.map { !$0.isTrivial } ?? false || minItems != nil || maxItems != nil
        let additionalMatters: Bool = switch additional {
        case .allowed: false
        case .forbidden: true
        case .schema(let node): !node.isTrivial
        }
        looksForMissing = !otherRequired.isEmpty || properties.contains { $0.isRequired || $0.filledDefault != nil }
        checksObjects = looksForMissing || additionalMatters || properties.contains { !$0.schema.isTrivial }
        isTrivial = !rejectsEverything && types.isEmpty && !checksValues
            && !checksNumbers && !checksStrings && !checksArrays && !checksObjects
        let additionalWorth: Bool = if case .schema(let node) = additional { node.isWorthCaching } else { false }
        isWorthCaching = pattern != nil || additionalWorth || (items?.isWorthCaching ?? false)
            || properties.contains { $0.filledDefault != nil || $0.schema.isWorthCaching }
    }

    /// The index in `properties` of the member named `name` (compared byte for byte).
    ///
    /// `hint` is tried first: callers usually pass members in the order the schema lists
    /// them, so member i is most often property i and one comparison finds it.
    @inline(__always)
    func position(of name: String, hint: Int) -> Int? {
        if hint < properties.count, properties[hint].matches(name) { return hint }
        if propertyIndex.isEmpty {
            for position in properties.indices where properties[position].matches(name) { return position }
            return nil
        }
        return propertyIndex[UTF8Key(name)]
    }
}

extension SchemaProperty {
    /// Whether a member name is this property's, byte for byte.
    ///
    /// `String ==` is canonical equivalence, looser than bytes, but cheap (two equal small
    /// strings compare as two words). For an ASCII name it is exact once the byte counts
    /// agree: a non-ASCII string canonically equivalent to an ASCII one (U+212A KELVIN SIGN
    /// for `K`) always has more bytes, because canonical decompositions into ASCII map one
    /// multi-byte scalar to one ASCII scalar.
    @inline(__always)
    func matches(_ key: String) -> Bool {
        if nameIsASCII { return name.utf8.count == key.utf8.count && name == key }
        return JSONEquality.sameText(name, key)
    }
}
