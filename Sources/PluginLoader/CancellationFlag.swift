import Synchronization

/// A one-way switch the host turns on when it stops waiting for a node (timeout or cancel).
///
/// Plugins poll it through `ph_call.is_cancelled`, which may be called from any thread, so the
/// flag is an atomic rather than state guarded by the caller. Once cancelled it stays cancelled.
public final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    public init() {}

    /// Turns the flag on; later polls by the plugin return non-zero.
    public func cancel() { cancelled.store(true, ordering: .releasing) }

    /// Whether ``cancel()`` has been called.
    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }
}
