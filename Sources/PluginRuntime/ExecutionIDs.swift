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
    private let prefix: [UInt8]
    private let counter = Atomic<UInt64>(0)

    init() {
        var generator = SystemRandomNumberGenerator()
        prefix = Self.hex(generator.next())
    }

    /// The next id as a terminated C string, ready for `ph_call.execution_id`.
    func next() -> NulTerminatedUTF8 {
        let value = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var bytes = prefix
        bytes.reserveCapacity(32)
        bytes += Self.hex(value)
        return NulTerminatedUTF8(bytes: bytes)
    }

    private static func hex(_ value: UInt64) -> [UInt8] {
        let digits: StaticString = "0123456789abcdef"
        return (0..<16).map { index in
            digits.withUTF8Buffer { $0[Int(value >> UInt64(60 - 4 * index) & 0xF)] }
        }
    }
}
