import PluginLoader
import Synchronization

/// Hands out execution ids (shared by an execution's retries; plugins may use them as
/// idempotency keys): 32 lowercase hex digits, a 64-bit random prefix drawn once per host
/// followed by a 64-bit counter.
///
/// Unique within a host by the counter (it would take centuries to wrap), and across hosts and
/// restarts with the probability of two random 64-bit prefixes differing, so no call pays for
/// the kernel's random source (a `getrandom` per execution measured about 300 ns). The ids of
/// one host are therefore guessable from one another: they are keys, never secrets.
///
/// An id is handed out as two integers (``ExecutionID``) and written as text only where it is
/// needed: into a stack buffer for the plugin call, as a `String` when a result is read.
public final class ExecutionIDs: Sendable {
    private let prefix: UInt64
    private let counter = Atomic<UInt64>(0)

    public init() {
        var generator = SystemRandomNumberGenerator()
        prefix = generator.next()
    }

    /// The next id (one relaxed atomic add, no allocation).
    public func nextID() -> ExecutionID {
        ExecutionID(prefix: prefix, number: counter.wrappingAdd(1, ordering: .relaxed).newValue)
    }

    /// The next id as a terminated C string, ready for `ph_call.execution_id` (one allocation).
    func next() -> NulTerminatedUTF8 { nextID().text }
}

/// One execution id: the host's prefix and the execution's number, 32 hex digits as text.
public struct ExecutionID: Sendable, Hashable, CustomStringConvertible {
    let prefix: UInt64
    let number: UInt64

    init(prefix: UInt64, number: UInt64) {
        self.prefix = prefix
        self.number = number
    }

    /// The id written as `text` (32 hex digits, as ``description`` writes it); nil for anything
    /// else, so an id read back from a journal is exactly one that was handed out.
    public init?(_ text: String) {
        let digits = Array(text.utf8)
        guard digits.count == Self.length else { return nil }
        func value(_ slice: ArraySlice<UInt8>) -> UInt64? {
            var result: UInt64 = 0
            for digit in slice {
                let nibble: UInt8
                switch digit {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit - UInt8(ascii: "a") + 10
                default: return nil
                }
                result = result << 4 | UInt64(nibble)
            }
            return result
        }
        guard let prefix = value(digits[0..<16]), let number = value(digits[16..<32]) else { return nil }
        self.init(prefix: prefix, number: number)
    }

    /// Bytes of the text form, without the terminating NUL.
    static let length = 32

    /// Writes the 32 digits and a NUL to `buffer` (at least 33 bytes).
    @inline(__always)
    func write(to buffer: UnsafeMutablePointer<UInt8>) {
        Self.hex(prefix, to: buffer)
        Self.hex(number, to: buffer + 16)
        buffer[Self.length] = 0
    }

    /// Calls `body` with the id as a NUL-terminated C string on the stack.
    @inline(__always)
    func withCString<Result>(_ body: (UnsafePointer<CChar>) -> Result) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.length + 1) { buffer in
            write(to: buffer.baseAddress!)
            return buffer.withMemoryRebound(to: CChar.self) { body(UnsafePointer($0.baseAddress!)) }
        }
    }

    var text: NulTerminatedUTF8 {
        NulTerminatedUTF8(count: Self.length) { buffer in write(to: buffer.baseAddress!) }
    }

    public var description: String {
        String(unsafeUninitializedCapacity: Self.length + 1) { buffer in
            write(to: buffer.baseAddress!)
            return Self.length
        }
    }

    /// 16 lowercase hex digits of `value`, most significant first, two digits per table read.
    @inline(__always)
    private static func hex(_ value: UInt64, to buffer: UnsafeMutablePointer<UInt8>) {
        var rest = value
        var index = 14
        while index >= 0 {
            let pair = digitPairs[Int(truncatingIfNeeded: rest & 0xFF)]
            buffer[index] = UInt8(truncatingIfNeeded: pair >> 8)
            buffer[index + 1] = UInt8(truncatingIfNeeded: pair)
            rest >>= 8
            index -= 2
        }
    }

    /// `"00"` … `"ff"` as (high digit << 8 | low digit).
    private static let digitPairs: [UInt16] = (0..<256).map { byte in
        func digit(_ nibble: Int) -> UInt16 { UInt16(nibble < 10 ? 0x30 + nibble : 0x57 + nibble) }
        return digit(byte >> 4) << 8 | digit(byte & 0xF)
    }
}
