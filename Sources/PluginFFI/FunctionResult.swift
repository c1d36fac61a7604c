import PluginHostCore
import PluginMetadata

/// A C function's return value, read out of libffi's return slot and copied, before it
/// becomes JSON.
///
/// Kept apart from `JSONValue` because the host's JSON numbers are `Int64` or `Double`: a
/// `uint64` above `Int64.max` would be rounded as a `JSONValue`, but the byte form
/// (``PreparedFunction/call(json:)``) writes its exact digits.
enum FunctionResult: Sendable, Hashable {
    case null
    case bool(Bool)
    case signed(Int64)
    case unsigned(UInt64)
    case number(Double)
    case string(String)

    /// Reads a value of `type` from the return slot `raw` (at least 8 bytes). libffi widens
    /// integer returns narrower than a word to a full `ffi_arg`, so they are read as one and
    /// narrowed; floating-point returns sit at the start of the slot. A returned `const char *`
    /// is copied (invalid UTF-8 repaired with U+FFFD) and never freed: the function owns it.
    /// Non-finite numbers are refused: JSON cannot carry them.
    static func read(_ raw: UnsafeRawPointer, as type: CValueType) -> Result<FunctionResult, ReturnError> {
        let word = raw.load(as: UInt64.self)
        switch type {
        case .void: return .success(.null)
        case .bool: return .success(.bool(UInt8(truncatingIfNeeded: word) != 0))
        case .int8: return .success(.signed(Int64(Int8(truncatingIfNeeded: word))))
        case .int16: return .success(.signed(Int64(Int16(truncatingIfNeeded: word))))
        case .int32: return .success(.signed(Int64(Int32(truncatingIfNeeded: word))))
        case .int64: return .success(.signed(Int64(bitPattern: word)))
        case .uint8: return .success(.unsigned(UInt64(UInt8(truncatingIfNeeded: word))))
        case .uint16: return .success(.unsigned(UInt64(UInt16(truncatingIfNeeded: word))))
        case .uint32: return .success(.unsigned(UInt64(UInt32(truncatingIfNeeded: word))))
        case .uint64: return .success(.unsigned(word))
        case .float:
            let value = raw.load(as: Float.self)
            return value.isFinite ? .success(.number(Double(value))) : .failure(ReturnError(value: "\(value)"))
        case .double:
            let value = raw.load(as: Double.self)
            return value.isFinite ? .success(.number(value)) : .failure(ReturnError(value: "\(value)"))
        case .string:
            guard let pointer = raw.load(as: UnsafePointer<CChar>?.self) else { return .success(.null) }
            return .success(.string(String(cString: pointer)))
        }
    }

    /// The value as the host's JSON (a `uint64` above `Int64.max` becomes the nearest double).
    var json: JSONValue {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .signed(let value): .int(value)
        case .unsigned(let value): value <= UInt64(Int64.max) ? .int(Int64(value)) : .double(Double(value))
        case .number(let value): .double(value)
        case .string(let text): .string(text)
        }
    }

    /// Appends `{"result":VALUE}` with integers written exactly.
    func write(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"result":"#.utf8)
        switch self {
        case .signed(let value): out.append(contentsOf: String(value).utf8)
        case .unsigned(let value): out.append(contentsOf: String(value).utf8)
        default: JSONWriter.write(json, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}

/// A return value JSON cannot carry (NaN or an infinity).
struct ReturnError: Error, Sendable, Hashable {
    var value: String
}
