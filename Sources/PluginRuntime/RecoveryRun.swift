import PluginHostCore
import PluginIsolation
import PluginLoader
import PluginTenancy

/// How one attempt's call ended, before it is interpreted.
enum AttemptEnd: Sendable {
    case returned(PluginCallOutcome)
    /// The host stopped waiting after `timeoutMs`. In process the call may still be running;
    /// in a worker, the worker was killed.
    case timedOut(timeoutMs: Double)
    /// The caller's task was cancelled while waiting (in a worker: the worker was killed).
    case cancelled
    /// The plugin returned a failure after an allocation failed under its worker's memory limit.
    case outOfMemory(PluginCallOutcome)
    /// The worker process died during the call.
    case crashed(WorkerProcess.Death)
    /// No worker could run the call (the plugin did not load there, or no worker started).
    case workerRefused(Problem)

    /// How a call sent to a worker pool ended, as an attempt's end.
    init(_ end: WorkerCallEnd, timeoutMs: Double?) {
        switch end {
        case .returned(let outcome, let allocationFailed):
            self = allocationFailed && outcome.status != 0 ? .outOfMemory(outcome) : .returned(outcome)
        case .notLoaded(let problem), .unavailable(let problem): self = .workerRefused(problem)
        case .crashed(let death): self = .crashed(death)
        case .expired: self = .timedOut(timeoutMs: timeoutMs ?? 0)
        }
    }
}

/// The attempts of one node execution and what the recovery rules make of them: retries first
/// (RetryPolicy), then the node's `onError` strategy, recording every attempt in the result
/// and in the error metrics.
///
/// Driven by ``ExecutionSteps`` (`acquire a breaker permit → call → absorb → nextDelay` until
/// it returns nil, then `finish`, with the fallback's result when ``pendingFallback`` names
/// one), which the synchronous and the async `execute` share.
///
/// Non-copyable so that `finish` consumes it and moves the result out: as a copyable field of
/// ``ExecutionSteps`` it was copied whole (result included) to be finished.
struct RecoveryRun: ~Copyable {
    let call: PreparedCall
    let recovery: NodeRecovery
    let input: JSONValue
    /// The metrics, clock and random source come from here when a failure needs them (one
    /// reference instead of three copied per execution).
    let host: PluginHost
    var metrics: ErrorMetrics { host.errorMetrics }
    var clock: any HostClock { host.configuration.clock }
    var maximumOutputBytes: Int { call.maximumOutputBytes }
    /// The limits of the worker processes the call runs in; nil in process.
    var workerLimits: ResourceLimits? { call.route.workerLimits }
    /// The attempt about to be made (1-based).
    private(set) var attempt = 1
    /// The newest output parsed by an attempt, for the node's memo (``NodeEntry/record(nanoseconds:succeeded:output:)``).
    private(set) var newOutputMemo: NodeEntry.OutputMemo?
    private var result: NodeResult
    /// Host-clock time of the first failure: a recovery episode's start.
    private var firstFailure: UInt64?
    private var recovering = false

    init(call: PreparedCall, recovery: NodeRecovery, input: JSONValue, host: PluginHost, startedAt: Double) {
        self.call = call
        self.recovery = recovery
        self.input = input
        self.host = host
        result = NodeResult(nodeType: call.nodeType, status: .error, startedAt: startedAt)
        result.executionIdentity = .generated(call.executionID)
    }

    /// The open circuit refused the attempt: CIRCUIT_OPEN, no plugin call, not retried.
    mutating func refuseOpenCircuit() {
        fail(code: .circuitOpen, message: call.entry.breaker.rejectionMessage())
        metrics.recordError(
            nodeType: call.nodeType, tenant: tenant, code: .circuitOpen, message: result.error ?? "", attempt: attempt)
    }

    /// Takes in how the current attempt ended; returns its error code (nil on success) for the
    /// circuit breaker.
    mutating func absorb(_ end: AttemptEnd, startedAt: Double, durationNanoseconds: UInt64) -> ProblemCode? {
        let outcome = Self.interpret(
            end, entry: call.entry, maximumOutputBytes: maximumOutputBytes, workerLimits: workerLimits,
            expected: call.expectedOutput)
        if let memo = outcome.memo { newOutputMemo = memo }
        if !outcome.logs.isEmpty { result.logs += outcome.logs }
        if let code = outcome.code {
            fail(code: code, message: outcome.message ?? "")
            result.output = nil
            metrics.recordError(nodeType: call.nodeType, tenant: tenant, code: code, message: result.error ?? "", attempt: attempt)
            if firstFailure == nil { firstFailure = clock.nowNanoseconds() }
        } else {
            result.status = .success
            result.output = outcome.output
            result.error = nil
            result.errorCode = nil
        }
        result.attempts.append(NodeAttempt(
            number: attempt, status: result.status, errorCode: result.errorCode,
            durationMs: Double(durationNanoseconds) / 1e6, startedAt: startedAt))
        return outcome.code
    }

    /// The wait before the next attempt, in nanoseconds, when the failure just absorbed may be
    /// retried (and counts the retry); nil when the run is over.
    mutating func nextDelayNanoseconds() -> UInt64? {
        guard result.status != .success, let code = result.errorCode,
              recovery.retry.shouldRetry(code: code, attempt: attempt) else { return nil }
        var generator = UnitRandomGenerator(source: host.configuration.random)
        let delayMs = recovery.retry.delayMs(afterAttempt: attempt, random: &generator)
        metrics.recordRetry()
        recovering = true
        attempt += 1
        return UInt64(delayMs * 1_000_000)  // ≤ one day: RetryPolicy bounds every delay
    }

    /// The node type to run as the fallback, when the run failed and `onError` is `fallback`.
    var pendingFallback: String? {
        guard result.status == .error, recovery.errorHandling.strategy == .fallback else { return nil }
        return recovery.errorHandling.fallbackNodeType
    }

    /// The final result: the last attempt's, with `onError` applied to a final failure.
    /// `fallback` is the fallback's own result when ``pendingFallback`` was run;
    /// `durationNanoseconds` is the whole execution's, on the monotonic clock that also gave
    /// its start (so `finishedAt - startedAt` is exactly `durationMs`).
    consuming func finish(fallback: NodeResult? = nil, durationNanoseconds: UInt64) -> NodeResult {
        if result.status == .success {
            if recovering { metrics.recordRecoverySuccess(afterMs: msSinceFirstFailure) }
            return stamped(durationNanoseconds)
        }
        let strategy = recovery.errorHandling.strategy
        switch strategy {
        case .fail:
            if recovering { metrics.recordRecoveryFailure() }
        case .skip:
            result.status = .skipped
            result.output = .array([])
            result.recoveryApplied = strategy.recoveryApplied
            metrics.recordRecoverySuccess(afterMs: msSinceFirstFailure)
        case .continue:
            result.status = .success
            result.output = input
            result.recoveryApplied = strategy.recoveryApplied
            metrics.recordRecoverySuccess(afterMs: msSinceFirstFailure)
        case .fallback:
            guard let fallback, let fallbackType = recovery.errorHandling.fallbackNodeType else {
                result.error = (result.error ?? "") + " (onError is fallback but no fallbackNodeType is set)"
                metrics.recordRecoveryFailure()
                break
            }
            result.recoveryApplied = strategy.recoveryApplied
            result.fallbackNodeType = fallbackType
            result.attempts += fallback.attempts.map { attempt in
                var attempt = attempt
                attempt.nodeType = attempt.nodeType ?? fallbackType
                return attempt
            }
            result.logs += fallback.logs
            if fallback.status == .success {
                result.status = .success
                result.output = fallback.output
                metrics.recordRecoverySuccess(afterMs: msSinceFirstFailure)
            } else {
                let original = result.errorCode?.rawValue ?? "an error"
                result.errorCode = fallback.errorCode
                result.error = "\(call.nodeType) failed (\(original)) and its fallback "
                    + "\(fallbackType) failed too: \(fallback.error ?? "no message")"
                result.validationErrors = fallback.validationErrors
                metrics.recordRecoveryFailure()
            }
        }
        return stamped(durationNanoseconds)
    }

    /// The result with its end time and total duration set.
    private consuming func stamped(_ nanoseconds: UInt64) -> NodeResult {
        result.durationMs = Double(nanoseconds) / 1e6
        result.finishedAt = result.startedAt + Double(nanoseconds) / 1e9
        return result
    }

    private var tenant: String? { call.policy.tenantID.isEmpty ? nil : call.policy.tenantID }

    private var msSinceFirstFailure: Double {
        guard let firstFailure else { return 0 }
        let now = clock.nowNanoseconds()
        return now > firstFailure ? Double(now - firstFailure) / 1e6 : 0
    }

    private mutating func fail(code: ProblemCode, message: String) {
        result.status = .error
        result.errorCode = code
        result.error = message
    }
}
