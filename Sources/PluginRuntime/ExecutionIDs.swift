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
final class ExecutionIDs: Sendable {
    private let prefix: UInt64
    private let counter = Atomic<UInt64>(0)

    init() {
        var generator = SystemRandomNumberGenerator()
        prefix = generator.next()
    }

    /// The next id as a terminated C string, ready for `ph_call.execution_id` (one allocation).
    func next() -> NulTerminatedUTF8 {
        let value = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return NulTerminatedUTF8(count: 32) { buffer in
            Self.hex(prefix, into: buffer, at: 0)
            Self.hex(value, into: buffer, at: 16)
        }
    }

    private static func hex(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        var rest = value
        for index in stride(from: offset + 15, through: offset, by: -1) {
            let digit = UInt8(truncatingIfNeeded: rest) & 0xF
            buffer[index] = digit < 10 ? 0x30 &+ digit : 0x57 &+ digit
            rest >>= 4
        }
    }
}
