/// Where a tenant's node calls run.
///
/// `none` calls plugins inside the host process: fastest, but a plugin that crashes takes the
/// host with it, and a call past its timeout can only be abandoned. `process` runs them in
/// worker processes (`plugin-host-worker`): a crash costs only that call
/// (EXECUTION_CRASHED), a timeout kills the worker so the CPU is really freed, and
/// ``ResourceLimits`` apply.
public enum IsolationMode: String, Sendable, Hashable, CaseIterable {
    case none
    case process
}

/// What one worker process may use, applied with `setrlimit` in the worker.
///
/// A nil field is no limit. Limits apply only with ``IsolationMode/process``: a thread cannot be
/// given its own address-space or CPU limit, so inside the host they would be promises the host
/// cannot keep (the policy reader warns about limits without process isolation), except
/// ``outputBytes``, which the host enforces itself in both modes.
public struct ResourceLimits: Sendable, Hashable {
    /// The worker's address-space limit (`RLIMIT_AS`) in MiB, the host's own code included. An
    /// allocation past it fails; a call that then fails or crashes is RESOURCE_EXHAUSTED.
    public var memoryMb: Int?
    /// CPU seconds one call may use (`RLIMIT_CPU`, re-armed before every call); a call past it
    /// is RESOURCE_EXHAUSTED.
    public var cpuSecondsPerCall: Int?
    /// The largest output one call may return; a larger one is OUTPUT_TOO_LARGE.
    public var outputBytes: Int?

    public init(memoryMb: Int? = nil, cpuSecondsPerCall: Int? = nil, outputBytes: Int? = nil) {
        self.memoryMb = memoryMb
        self.cpuSecondsPerCall = cpuSecondsPerCall
        self.outputBytes = outputBytes
    }

    /// No limits at all.
    public static let none = ResourceLimits()

    public var isEmpty: Bool { memoryMb == nil && cpuSecondsPerCall == nil && outputBytes == nil }

    /// These limits, with `fallback`'s where a field is unset.
    public func merged(over fallback: ResourceLimits) -> ResourceLimits {
        ResourceLimits(
            memoryMb: memoryMb ?? fallback.memoryMb, cpuSecondsPerCall: cpuSecondsPerCall ?? fallback.cpuSecondsPerCall,
            outputBytes: outputBytes ?? fallback.outputBytes)
    }

    /// The JSON form used by policy files and reports: only the fields that are set.
    public func json() -> JSONValue {
        var object = JSONObject()
        if let memoryMb { object["memoryMb"] = .int(Int64(memoryMb)) }
        if let cpuSecondsPerCall { object["cpuSecondsPerCall"] = .int(Int64(cpuSecondsPerCall)) }
        if let outputBytes { object["outputBytes"] = .int(Int64(outputBytes)) }
        return .object(object)
    }
}
