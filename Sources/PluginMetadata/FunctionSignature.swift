/// A C function type as a manifest writes it, `double(double,double)`, parsed and checked.
///
/// The grammar is deliberately small: `RET(ARG, ARG, …)` with the type names of ``CValueType``,
/// ASCII spaces and tabs allowed around names and punctuation, `()` or `(void)` for no
/// arguments. `void` is only a return type. Anything else (C spellings such as `int`, pointers,
/// variadics, trailing text, non-ASCII) is refused with a reason, because a signature that is
/// almost right would make libffi call the function with the wrong ABI, which no later check can
/// catch. Parsing runs on metadata (untrusted text), so it is linear and bounded in length.
public struct FunctionSignature: Sendable, Hashable, CustomStringConvertible {
    public var returnType: CValueType
    public var argumentTypes: [CValueType]

    /// Longest signature text accepted (far more than 127 arguments take).
    public static let maximumLength = 1_024
    /// Most arguments accepted; libffi and every C ABI handle this many.
    public static let maximumArguments = 127

    public init(returnType: CValueType, argumentTypes: [CValueType]) {
        self.returnType = returnType
        self.argumentTypes = argumentTypes
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
        if !scanner.take(UInt8(ascii: ")")) {
            repeat {
                guard let name = scanner.name() else { throw SignatureError("has a missing or malformed argument type") }
                guard let type = CValueType(rawValue: name) else { throw SignatureError.unsupported(name) }
                arguments.append(type)
                guard arguments.count <= Self.maximumArguments else {
                    throw SignatureError("has more than \(Self.maximumArguments) arguments")
                }
            } while scanner.take(UInt8(ascii: ","))
            guard scanner.take(UInt8(ascii: ")")) else {
                throw SignatureError("has an argument list that is not closed by \")\" after the last type")
            }
        }
        guard scanner.atEnd else { throw SignatureError("has text after the closing parenthesis") }
        if arguments == [.void] { arguments = [] }  // C's `f(void)`
        if arguments.contains(.void) { throw SignatureError("uses void as an argument type (write \"()\" for no arguments)") }
        self.init(returnType: returnType, argumentTypes: arguments)
    }

    /// The canonical spelling: `double(double,double)`.
    public var description: String {
        returnType.rawValue + "(" + argumentTypes.map(\.rawValue).joined(separator: ",") + ")"
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
