/// A C type a function node may take or return, named as manifests spell it.
///
/// The set is closed on purpose: each type has one exact JSON mapping and one range check, so
/// nothing a manifest declares can make the host read or write memory it did not size. Pointers
/// other than `string` (`const char *`) are not offered: the host cannot know what they point at.
public enum CValueType: String, Sendable, Hashable, CaseIterable {
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case float, double, bool, string
    /// Only as a return type: the node's result is `null`.
    case void

    /// Whether the type is one of the eight fixed-width integers.
    public var isInteger: Bool { integerBounds != nil }

    /// The inclusive range of an integer type as magnitudes, so both fit `UInt64` exactly:
    /// the lower bound is `-negativeLimit` (0 for unsigned types), the upper bound `maximum`.
    public var integerBounds: (negativeLimit: UInt64, maximum: UInt64)? {
        switch self {
        case .int8: (128, UInt64(Int8.max))
        case .int16: (32_768, UInt64(Int16.max))
        case .int32: (2_147_483_648, UInt64(Int32.max))
        case .int64: (9_223_372_036_854_775_808, UInt64(Int64.max))
        case .uint8: (0, UInt64(UInt8.max))
        case .uint16: (0, UInt64(UInt16.max))
        case .uint32: (0, UInt64(UInt32.max))
        case .uint64: (0, UInt64.max)
        default: nil
        }
    }

    /// The size of a value in bytes as C lays it out (`bool` is C's one-byte `_Bool`; `string`
    /// is a pointer); 0 for `void`.
    public var size: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float: 4
        case .int64, .uint64, .double, .string: 8
        case .void: 0
        }
    }
}
