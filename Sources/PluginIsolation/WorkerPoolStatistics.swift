/// Counters of one pool, since it was made.
public struct WorkerPoolStatistics: Sendable, Equatable {
    /// Workers started.
    public var started: UInt64 = 0
    /// Workers that died during a call the host had not given up on.
    public var crashes: UInt64 = 0
    /// Workers the host killed to stop a call (a timeout or a cancel).
    public var killed: UInt64 = 0
    /// Calls sent, and the writes that carried them.
    public var calls: UInt64 = 0
    public var batches: UInt64 = 0
    /// Workers alive and calls waiting, now.
    public var alive = 0
    public var queued = 0
    /// From the last worker's death to its replacement's handshake.
    public var lastReplacementMs: Double?
    /// The last worker the host killed: why, how late after the call's deadline, how soon reaped.
    public var lastStop: WorkerStop?

    public init() {}
}
