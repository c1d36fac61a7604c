import PluginHostCore
import Dispatch
import Synchronization

/// Where init threads leave their results for the coordinator, and how the coordinator sleeps
/// until a result arrives or the next deadline passes.
///
/// A counting semaphore with a timed wait: each post signals once, the coordinator drains
/// everything posted whenever it wakes. A leftover count only makes a later wait return at
/// once to find nothing new (never a spin: the count is bounded by the posts). No thread
/// polls; the coordinator blocks only its own dedicated thread.
final class InitMailbox: Sendable {
    private let posted = Locked<[(index: Int, ending: InitAttempt.Ending)]>([])
    private let signal = DispatchSemaphore(value: 0)

    func post(_ index: Int, _ ending: InitAttempt.Ending) {
        posted.withLock { $0.append((index, ending)) }
        signal.signal()
    }

    /// Blocks until something is posted or `nanoseconds` pass.
    func wait(nanoseconds: UInt64) {
        _ = signal.wait(timeout: .now() + .nanoseconds(Int(clamping: nanoseconds)))
    }

    /// Everything posted since the last drain, in posting order.
    func drain() -> [(index: Int, ending: InitAttempt.Ending)] {
        posted.withLock { posted in
            defer { posted.removeAll() }
            return posted
        }
    }
}
