import Synchronization

/// A one-way switch the host turns on when it stops waiting for a node (timeout or cancel).
///
/// Plugins poll it through `ph_call.is_cancelled`, which may be called from any thread, so the
/// flag is an atomic rather than state guarded by the caller. Once cancelled it stays cancelled.
///
/// A flag may have a parent: it then reads as cancelled when either is. That is how one call
/// answers to two reasons to stop without anyone tracking the calls in flight: the attempt's
/// own flag (its time limit) and its caller's (a workflow run cancelled from outside).
public final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)
    private let parent: CancellationFlag?

    public init(parent: CancellationFlag? = nil) {
        self.parent = parent
    }

    /// Turns the flag on; later polls by the plugin return non-zero. The parent is untouched.
    public func cancel() { cancelled.store(true, ordering: .releasing) }

    /// Whether ``cancel()`` has been called on this flag or on its parent (or the parent's).
    public var isCancelled: Bool {
        cancelled.load(ordering: .acquiring) || parent?.isCancelled == true
    }
}
