import PluginHostCore

/// Turns schema JSON into a ``SchemaNode`` tree, rejecting what the validator would not enforce.
///
/// It accepts everything `ManifestCheck+Schema.swift` accepts (so a scanned plugin's schema
/// always compiles) and a little more that is still meaningful: boolean schemas anywhere, a
/// `required` name without a property, whole-number bounds written as `2.0`.
enum SchemaCompiler {
    /// The keywords compiled (the subset ``ParameterSchema`` documents), plus the ignored
    /// annotations.
    static let keywords: Set<String> = [
        "type", "properties", "required", "additionalProperties", "enum", "const", "minimum", "maximum", "minLength",
        "maxLength", "pattern", "items", "minItems", "maxItems", "default", "description", "title",
    ]

    /// Appended to the message of a violation found in a `default` value, so the caller knows
    /// the fault is the schema's and not something they passed.
    static let defaultMarker = " (the schema's default)"

    static func compile(_ schema: JSONValue, at pointer: String, depth: Int = 0,
                        defaultViolations: inout [SchemaViolation]) throws(SchemaViolation) -> SchemaNode {
        guard depth <= JSONParser.maximumDepth else {
            throw SchemaViolation(path: pointer, message: "nests schemas deeper than \(JSONParser.maximumDepth) levels: flatten the schema")
        }
        let object: JSONObject
        switch schema {
        case .bool(let accepts): return SchemaNode(rejectsEverything: !accepts)
        case .object(let o): object = o
        default:
            throw SchemaViolation(path: pointer, message: "must be a schema object such as {\"type\": \"string\"}, or true or false, got \(schema.typeName)")
        }

        var types: SchemaTypes = []
        var typeNames: [String] = []
        var enumValues: [JSONValue]?
        var minimum: JSONValue?, maximum: JSONValue?
        var minLength: Int?, maxLength: Int?, minItems: Int?, maxItems: Int?
        var pattern: SchemaPattern?
        var items: SchemaNode?
        var additional = AdditionalProperties.allowed
        var required: [String] = []

        for (key, value) in object {
            let here = pointer + "/" + SchemaPath.escape(key)
            func fail(_ message: String) -> SchemaViolation { SchemaViolation(path: here, message: message) }
            switch key {
            case "type":
                let names: [String]? = switch value {
                case .string(let name): [name]
                case .array(let elements) where !elements.isEmpty:
                    elements.allSatisfy { $0.stringValue != nil } ? elements.compactMap(\.stringValue) : nil
                default: nil
                }
                guard let names, Set(names).count == names.count else {
                    throw fail("must be a type name or a non-empty array of distinct type names")
                }
                for name in names {
                    guard let type = SchemaTypes(name: name) else {
                        throw fail("names the type \"\(name)\", which is not one of null, boolean, object, array, number, integer, string")
                    }
                    types.insert(type)
                }
                typeNames = names
            case "properties":
                guard case .object = value else { throw fail("must be an object mapping member names to schemas") }
            case "required":
                guard case .array(let elements) = value, elements.allSatisfy({ $0.stringValue != nil }) else {
                    throw fail("must be an array of member names")
                }
                required = elements.compactMap(\.stringValue)
            case "additionalProperties":
                if case .bool(let allowed) = value {
                    additional = allowed ? .allowed : .forbidden
                } else {
                    let node = try compile(value, at: here, depth: depth + 1, defaultViolations: &defaultViolations)
                    additional = node.isTrivial ? .allowed : .schema(node)
                }
            case "items":
                items = try compile(value, at: here, depth: depth + 1, defaultViolations: &defaultViolations)
            case "enum":
                guard case .array(let options) = value, !options.isEmpty else {
                    throw fail("must be a non-empty array of the allowed values")
                }
                enumValues = options
            case "const", "default", "description", "title":
                continue
            case "minimum", "maximum":
                guard value.isNumber else { throw fail("must be a number, got \(value.typeName)") }
                if key == "minimum" { minimum = value } else { maximum = value }
            case "minLength", "maxLength", "minItems", "maxItems":
                guard let count = value.intValue, count >= 0, count <= Int64(Int.max) else {
                    throw fail("must be a non-negative integer, got \(SchemaMessages.describe(value))")
                }
                switch key {
                case "minLength": minLength = Int(count)
                case "maxLength": maxLength = Int(count)
                case "minItems": minItems = Int(count)
                default: maxItems = Int(count)
                }
            case "pattern":
                guard case .string(let source) = value else { throw fail("must be a regular expression string, got \(value.typeName)") }
                switch SchemaPattern.compile(source) {  // the parser the scan-time check uses
                case .success(let compiled): pattern = compiled
                case .failure(let error): throw fail("is not a pattern the host accepts: \(error.message)")
                }
            default:
                throw fail("is a keyword the host does not support: use only \(keywords.sorted().joined(separator: ", ")), or remove it")
            }
        }

        var properties: [SchemaProperty] = []
        if case .object(let declared)? = object["properties"] {
            properties.reserveCapacity(declared.count)
            for (name, value) in declared {
                let here = pointer + "/properties/" + SchemaPath.escape(name)
                let node = try compile(value, at: here, depth: depth + 1, defaultViolations: &defaultViolations)
                var filled: JSONValue?
                var violations: [SchemaViolation] = []
                if case .object(let propertySchema) = value, let defaultValue = propertySchema["default"] {
                    filled = SchemaChecker.check(defaultValue, node, &violations) ?? defaultValue
                    for index in violations.indices where !violations[index].message.hasSuffix(defaultMarker) {
                        // Violations already marked come from a nested default, reported where it is written.
                        defaultViolations.append(SchemaViolation(path: here + "/default" + violations[index].path,
                                                                 message: violations[index].message))
                        violations[index].message += defaultMarker
                    }
                }
                properties.append(SchemaProperty(name: name, nameIsASCII: name.utf8.allSatisfy { $0 < 0x80 }, schema: node, isRequired: required.contains { JSONEquality.sameText($0, name) },
                                                 filledDefault: filled, defaultViolations: violations))
            }
        }
        var otherRequired: [String] = []
        for name in required where !properties.contains(where: { JSONEquality.sameText($0.name, name) })
            && !otherRequired.contains(where: { JSONEquality.sameText($0, name) })
        {
            otherRequired.append(name)
        }

        return SchemaNode(
            types: types, typeNames: typeNames, enumValues: enumValues, constValue: object["const"],
            minimum: minimum, maximum: maximum, minLength: minLength, maxLength: maxLength, pattern: pattern,
            items: items, minItems: minItems, maxItems: maxItems,
            properties: properties, otherRequired: otherRequired, additional: additional
        )
    }
}
