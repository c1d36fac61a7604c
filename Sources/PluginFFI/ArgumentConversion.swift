import PluginHostCore
import PluginMetadata

/// JSON → C for one argument, with exact type and range checks.
///
/// Each argument lives in an 8-byte slot (every supported type fits) and is written with its
/// own C width, so libffi reads exactly the bytes it expects on either byte order. Nothing is
/// coerced: a string is never a number, a boolean never an integer, a fraction never an
/// integer; an integral number written with a fraction (`2.0`) is an integer, as the schema
/// validator also counts it. Returns nil when the slot was written, else why not (a phrase
/// completing "parameter `x` …").
enum ArgumentConversion {
    static func store(_ value: JSONValue, as type: CValueType, into slot: UnsafeMutableRawPointer) -> String? {
        switch type {
        case .bool:
            guard case .bool(let flag) = value else { return mismatch(value, "a boolean (true or false)") }
            slot.storeBytes(of: flag ? 1 : 0, as: UInt8.self)
            return nil
        case .double:
            switch value {
            case .int(let integer): slot.storeBytes(of: Double(integer), as: Double.self)
            case .double(let number): slot.storeBytes(of: number, as: Double.self)
            default: return mismatch(value, "a number (double)")
            }
            return nil
        case .float:
            guard let number = value.doubleValue else { return mismatch(value, "a number (float)") }
            let single = Float(number)
            guard single.isFinite else {
                return "is \(JSONWriter.formatDouble(number)), beyond float's range of ±\(Float.greatestFiniteMagnitude)"
            }
            slot.storeBytes(of: single, as: Float.self)
            return nil
        case .string, .void:
            return mismatch(value, "a string")  // strings are bound by the caller, void is never an argument
        default:
            return storeInteger(value, as: type, into: slot)
        }
    }

    /// An integer of `type`'s width, range-checked exactly (no rounding through `Double`).
    private static func storeInteger(_ value: JSONValue, as type: CValueType, into slot: UnsafeMutableRawPointer) -> String? {
        let (negativeLimit, maximum) = type.integerBounds!
        let bits: UInt64
        let fits: Bool
        switch value {
        case .int(let integer):
            bits = UInt64(bitPattern: integer)
            fits = integer >= 0 ? UInt64(integer) <= maximum : integer.magnitude <= negativeLimit
        case .double(let number):
            guard number.rounded(.towardZero) == number else {
                return "is \(JSONWriter.formatDouble(number)), but \(type.rawValue) takes whole numbers only"
            }
            if number >= 0, let unsigned = UInt64(exactly: number) {
                bits = unsigned
                fits = unsigned <= maximum
            } else if number < 0, let signed = Int64(exactly: number) {
                bits = UInt64(bitPattern: signed)
                fits = signed.magnitude <= negativeLimit
            } else {
                bits = 0
                fits = false
            }
        default:
            return mismatch(value, "an integer (\(type.rawValue))")
        }
        guard fits else {
            let lower = negativeLimit == 0 ? "0" : "-\(negativeLimit)"
            return "is \(JSONWriter.string(value)), outside \(type.rawValue)'s range \(lower)…\(maximum)"
        }
        switch type.size {
        case 1: slot.storeBytes(of: UInt8(truncatingIfNeeded: bits), as: UInt8.self)
        case 2: slot.storeBytes(of: UInt16(truncatingIfNeeded: bits), as: UInt16.self)
        case 4: slot.storeBytes(of: UInt32(truncatingIfNeeded: bits), as: UInt32.self)
        default: slot.storeBytes(of: bits, as: UInt64.self)
        }
        return nil
    }

    /// "must be X, got Y".
    static func mismatch(_ value: JSONValue, _ expected: String) -> String {
        "must be \(expected), got \(value.typeName == "integer" || value.typeName == "number" ? "a number" : article(value.typeName))"
    }

    private static func article(_ name: String) -> String {
        switch name {
        case "null": return "null"
        case "array", "object", "integer": return "an \(name)"
        default: return "a \(name)"
        }
    }
}
