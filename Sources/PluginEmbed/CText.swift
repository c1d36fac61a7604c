#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore

/// Strings crossing the C boundary: reading what the caller passes, allocating what it gets back.
///
/// Everything handed out is a `malloc`'d, NUL-terminated copy, so `ph_free` (plain `free`) is the
/// one way to release it and the caller's lifetime never depends on Swift's. Everything read is
/// copied during the call: embed.h promises that input strings are only read while it runs.
enum CText {
    /// A `malloc`'d NUL-terminated copy of `bytes`, or nil when memory is exhausted.
    static func allocate(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
        guard let raw = malloc(bytes.count + 1) else { return nil }
        let memory = raw.bindMemory(to: CChar.self, capacity: bytes.count + 1)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { memcpy(memory, base, bytes.count) }
        }
        memory[bytes.count] = 0
        return memory
    }

    /// A `malloc`'d copy of `value` written as compact JSON.
    static func allocate(json value: JSONValue) -> UnsafeMutablePointer<CChar>? {
        allocate(JSONWriter.bytes(value))
    }

    /// The bytes of a NUL-terminated C string (not including the NUL).
    static func bytes(_ text: UnsafePointer<CChar>) -> [UInt8] {
        let count = strlen(text)
        return text.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    /// A required string argument; NULL is INVALID_ARGUMENT.
    static func required(_ text: UnsafePointer<CChar>?, argument: String) throws(Problem) -> UnsafePointer<CChar> {
        guard let text else {
            throw Problem(.invalidArgument, .error, "\(argument) is NULL; pass a NUL-terminated UTF-8 string")
        }
        return text
    }

    /// A required string argument as Swift text; NULL or invalid UTF-8 is INVALID_ARGUMENT.
    /// (A JSON argument is read as bytes by ``json(_:argument:expected:)`` instead, so the
    /// parser reports invalid UTF-8 with its offset, as it does for the CLI's files.)
    static func string(_ text: UnsafePointer<CChar>?, argument: String) throws(Problem) -> String {
        let text = try required(text, argument: argument)
        guard let value = String(validatingCString: text) else {
            throw Problem(.invalidArgument, .error, "\(argument) is not valid UTF-8; pass UTF-8 text")
        }
        return value
    }

    /// An optional string argument: NULL is nil, anything else must be valid UTF-8.
    static func optionalString(_ text: UnsafePointer<CChar>?, argument: String) throws(Problem) -> String? {
        guard let text else { return nil }
        return try string(text, argument: argument)
    }

    /// A JSON argument parsed and checked to be of type `expected` (`object`, `array`, …).
    /// Malformed JSON and a value of another type are INVALID_ARGUMENT naming the argument;
    /// nesting deeper than `limits` allow is JSON_TOO_DEEP.
    static func json(
        _ text: UnsafePointer<CChar>, argument: String, expected: String, limits: InputLimits = InputLimits()
    ) throws(Problem) -> JSONValue {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes(text), maximumDepth: limits.maximumJSONDepth)
        } catch {
            if error.exceededDepth != nil {
                throw Problem(.jsonTooDeep, .error, "\(limits.tooDeep(argument)) (\(error))")
            }
            throw Problem(.invalidArgument, .error, "\(argument) is not valid JSON (\(error)); pass a JSON \(expected)")
        }
        guard value.typeName == expected else {
            throw Problem(.invalidArgument, .error, "\(argument) must be a JSON \(expected), not \(value.typeName)")
        }
        return value
    }
}
