import PluginHostCore

/// When a node's time is up: `timeoutMs` after a start, on the monotonic clock
/// (``WallClock/monotonicNanoseconds()``, the one time source for every time limit of a call).
///
/// An execution takes one at its start (after the node type is found, so an on-demand load,
/// which has its own `--init-timeout`, does not eat into it); parameter validation and the
/// first attempt share it, so a schema whose patterns are slow on a long parameter costs the
/// node its `timeoutMs` and no more. Each retry takes a fresh one, as `timeoutMs` is a limit
/// per attempt.
struct CallDeadline: Sendable {
    /// The ``WallClock/monotonicNanoseconds()`` time at which the limit passes.
    let nanoseconds: UInt64
    /// The limit as the node set it, for messages ("did not finish within … ms").
    let timeoutMs: Double

    init(timeoutMs: Double, from start: UInt64 = WallClock.monotonicNanoseconds()) {
        self.timeoutMs = timeoutMs
        nanoseconds = start &+ Self.nanoseconds(timeoutMs)
    }

    /// A deadline for `timeoutMs` from now; nil (no limit) for nil.
    static func starting(timeoutMs: Double?) -> CallDeadline? {
        timeoutMs.map { CallDeadline(timeoutMs: $0) }
    }

    /// What is left until the deadline, 0 once it has passed.
    var remainingNanoseconds: UInt64 {
        let now = WallClock.monotonicNanoseconds()
        return nanoseconds > now ? nanoseconds - now : 0
    }

    /// Milliseconds as clock nanoseconds, clamped to [0, ``RetryPolicy/delayCeilingMs``] so
    /// a huge limit cannot overflow the clock.
    static func nanoseconds(_ milliseconds: Double) -> UInt64 {
        UInt64(min(max(milliseconds, 0), RetryPolicy.delayCeilingMs) * 1_000_000)
    }
}
