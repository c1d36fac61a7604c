import PluginHostCore

/// Validation stopped because its deadline passed: the value was neither accepted nor
/// rejected, so a caller must not pass it on (nor remember an outcome for it).
///
/// Why a deadline at all: matching is linear, not free. Near ``SchemaPattern/maximumInstructions``
/// a pattern costs microseconds per scalar, so a megabyte parameter against a hostile schema
/// would cost seconds, all before the plugin is called and before its time limit starts.
public struct ValidationDeadlinePassed: Error, Sendable, Hashable {
    /// The deadline that passed, a ``WallClock/monotonicNanoseconds()`` time.
    public let deadline: UInt64

    public init(deadline: UInt64) { self.deadline = deadline }
}

/// A deadline that validation checks often enough to stop soon after it passes, yet cheaply:
/// the clock is read only after about ``workBetweenClockReads`` units of work, never per
/// scalar or per value.
///
/// A unit is about one matcher step (one instruction at one position: about 5 ns in a release
/// build, 20–70 ns in a debug one), so the clock is read after at most ~0.3 ms of work in
/// release (a few ms in debug), and a read (about 25 ns) costs under a thousandth of the work
/// between two. The matcher spends its program's size per
/// scalar (an upper bound on the instructions it visits there), so it reads the clock every
/// few thousand scalars for an ordinary pattern and every few dozen near the size limit; the
/// schema walk spends ``workPerValue`` per value. Without a deadline the allowance is
/// `Int.max`, so an unbounded validation never reads the clock at all.
struct ValidationBudget {
    static let workBetweenClockReads = 1 << 16
    /// What one value's own checks (type, bounds, enum) cost, in matcher steps, roughly.
    static let workPerValue = 16

    private let deadline: UInt64?
    private var allowance: Int

    /// `deadline`: a ``WallClock/monotonicNanoseconds()`` time; nil never runs out.
    init(deadline: UInt64?) {
        self.deadline = deadline
        allowance = deadline == nil ? .max : Self.workBetweenClockReads
    }

    /// Accounts for `work` units; throws when the allowance is used up and the clock says the
    /// deadline has passed.
    @inline(__always)
    mutating func spend(_ work: Int) throws(ValidationDeadlinePassed) {
        allowance &-= work
        if allowance < 0 { try readClock() }
    }

    @inline(never)
    private mutating func readClock() throws(ValidationDeadlinePassed) {
        guard let deadline else {
            allowance = .max
            return
        }
        if WallClock.monotonicNanoseconds() >= deadline { throw ValidationDeadlinePassed(deadline: deadline) }
        allowance = Self.workBetweenClockReads
    }
}
