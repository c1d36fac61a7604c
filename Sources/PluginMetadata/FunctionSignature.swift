/// A C function type as a manifest writes it, `double(double,double)`, parsed and checked.
///
/// The grammar is deliberately small: `RET(ARG, ARG, …)` with the type names of ``CValueType``,
/// ASCII spaces and tabs allowed around names and punctuation, `()` or `(void)` for no
/// arguments. `void` is only a return type. Anything else (C spellings such as `int`, pointers,
/// variadics, trailing text, non-ASCII) is refused with a reason, because a signature that is
/// almost right would make libffi call the function with the wrong ABI, which no later check can
/// catch. Parsing runs on metadata (untrusted text), so it is linear and bounded in length.
///
/// One argument may be `string+LENGTH` (LENGTH an integer type): two C arguments, a pointer to
/// a string's bytes and then their count as LENGTH, filled from one JSON string parameter. The
/// host counts the bytes itself, so the function can never be told to read past them, which a
/// separate length parameter the caller fills (`crc32(crc, data, len)`) cannot promise; a count
/// that does not fit LENGTH is refused, never truncated.
public struct FunctionSignature: Sendable, Hashable, CustomStringConvertible {
    public var returnType: CValueType
    /// One type per declared argument (per JSON parameter), in order: for a `string+LENGTH`
    /// argument, `string`.
    public var argumentTypes: [CValueType]
    /// Per declared argument, the integer type of the length the host passes right after the
    /// string's pointer (`string+uint32` → `uint32`); nil for an ordinary argument.
    public var lengthTypes: [CValueType?]

    /// Longest signature text accepted (far more than 127 arguments take).
    public static let maximumLength = 1_024
    /// Most arguments accepted; libffi and every C ABI handle this many.
    public static let maximumArguments = 127

    /// `lengthTypes` defaults to none (every argument an ordinary one).
    public init(returnType: CValueType, argumentTypes: [CValueType], lengthTypes: [CValueType?]? = nil) {
        self.returnType = returnType
        self.argumentTypes = argumentTypes
        self.lengthTypes = lengthTypes ?? Array(repeating: nil, count: argumentTypes.count)
    }

    /// The C function's own arguments, in order: a `string+LENGTH` argument is two (`string`,
    /// then LENGTH). What libffi is told.
    public var cArgumentTypes: [CValueType] {
        var types: [CValueType] = []
        types.reserveCapacity(argumentTypes.count)
        for (type, length) in zip(argumentTypes, lengthTypes) {
            types.append(type)
            if let length { types.append(length) }
        }
        return types
    }

    /// Parses `text`, or throws why it is not a supported signature (a phrase that completes
    /// "the signature …", e.g. "uses the unsupported type \"int\"").
    public init(parsing text: String) throws(SignatureError) {
        guard text.utf8.count <= Self.maximumLength else {
            throw SignatureError("is longer than \(Self.maximumLength) characters")
        }
        var scanner = SignatureScanner(text: Array(text.utf8))
        guard let returnName = scanner.name() else { throw SignatureError("does not start with a return type") }
        guard let returnType = CValueType(rawValue: returnName) else { throw SignatureError.unsupported(returnName) }
        guard scanner.take(UInt8(ascii: "(")) else {
            throw SignatureError("needs the argument list in parentheses after the return type, such as \"double(double)\"")
        }
        var arguments: [CValueType] = []
        var lengths: [CValueType?] = []
        var cArgumentCount = 0
        if !scanner.take(UInt8(ascii: ")")) {
            repeat {
                guard let name = scanner.name() else { throw SignatureError("has a missing or malformed argument type") }
                guard let type = CValueType(rawValue: name) else { throw SignatureError.unsupported(name) }
                let length = try Self.lengthType(after: type, &scanner)
                arguments.append(type)
                lengths.append(length)
                cArgumentCount += length == nil ? 1 : 2
                guard cArgumentCount <= Self.maximumArguments else {
                    throw SignatureError("has more than \(Self.maximumArguments) arguments")
                }
            } while scanner.take(UInt8(ascii: ","))
            guard scanner.take(UInt8(ascii: ")")) else {
                throw SignatureError("has an argument list that is not closed by \")\" after the last type")
            }
        }
        guard scanner.atEnd else { throw SignatureError("has text after the closing parenthesis") }
        if arguments == [.void] { arguments = []; lengths = [] }  // C's `f(void)`
        if arguments.contains(.void) { throw SignatureError("uses void as an argument type (write \"()\" for no arguments)") }
        self.init(returnType: returnType, argumentTypes: arguments, lengthTypes: lengths)
    }

    /// After an argument type: `+LENGTH` (only after `string`, LENGTH an integer type) or nothing.
    private static func lengthType(after type: CValueType, _ scanner: inout SignatureScanner) throws(SignatureError) -> CValueType? {
        guard scanner.take(UInt8(ascii: "+")) else { return nil }
        guard type == .string else {
            throw SignatureError("puts \"+\" after \(type.rawValue): only string+LENGTH (a string's bytes and their count, such as string+uint32) takes a length")
        }
        guard let name = scanner.name() else {
            throw SignatureError("has \"string+\" without a length type after it (write string+uint32, or the integer type the function takes)")
        }
        guard let length = CValueType(rawValue: name), length.isInteger else {
            let shown = name.count > 32 ? String(name.prefix(32)) + "…" : name
            throw SignatureError("has \"string+\(shown)\", but a length type must be an integer type (int8 … int64, uint8 … uint64)")
        }
        return length
    }

    /// The canonical spelling: `double(double,double)`, `uint64(uint64,string+uint32)`.
    public var description: String {
        let arguments = zip(argumentTypes, lengthTypes).map { type, length in
            type.rawValue + (length.map { "+" + $0.rawValue } ?? "")
        }
        return returnType.rawValue + "(" + arguments.joined(separator: ",") + ")"
    }
}

/// Why a signature text is not supported: a phrase completing "the signature …".
public struct SignatureError: Error, Sendable, Hashable {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    static func unsupported(_ name: String) -> SignatureError {
        let shown = name.count > 32 ? String(name.prefix(32)) + "…" : name
        return SignatureError("uses the unsupported type \"\(shown)\" (supported: \(supportedList))")
    }

    /// The supported names, for messages.
    public static let supportedList = CValueType.allCases.map(\.rawValue).joined(separator: ", ")
}

/// A cursor over a signature's bytes: names are runs of ASCII letters and digits.
private struct SignatureScanner {
    let text: [UInt8]
    var index = 0

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return index == text.count
        }
    }

    mutating func skipSpace() {
        while index < text.count, text[index] == 0x20 || text[index] == 0x09 { index += 1 }
    }

    /// The next name, or nil when the next character does not start one. A name that contains
    /// a character outside `[A-Za-z0-9_]` ends there; the caller then fails on what follows.
    mutating func name() -> String? {
        skipSpace()
        let start = index
        while index < text.count, Self.isNameByte(text[index]) { index += 1 }
        guard index > start else { return nil }
        return String(decoding: text[start..<index], as: UTF8.self)
    }

    mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < text.count, text[index] == byte else { return false }
        index += 1
        return true
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): true
        default: false
        }
    }
}
