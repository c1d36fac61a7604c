import PluginHostCore
import PluginLoader

/// The attempts of one admitted execution as a sequence of steps: every decision of steps 5–7
/// (the circuit breaker, the attempt's deadline, retry and backoff, `onError` and the fallback,
/// the statistics) is made here, once, and the synchronous and the async `execute` only
/// *perform* what it asks — call the plugin on this thread or a host-owned one, sleep or await
/// the backoff, run the fallback. So the two entry points cannot drift apart: they share this
/// code, not a copy of it.
///
/// The driver's loop is always
///
///     while true {
///         switch steps.next(cancelled: …) {
///         case .attempt(let request, let deadline): steps.attemptEnded(perform(request, deadline))
///         case .backoff(let nanoseconds):           sleep(nanoseconds)
///         case .fallback(let type, let recovery):   steps.fallbackEnded(execute(type, recovery))
///         case .finished(let result):               return result
///         }
///     }
///
/// Non-copyable because it holds the attempt's ``CircuitPermit`` between `.attempt` and
/// ``attemptEnded(_:)``: each permit reports exactly once.
struct ExecutionSteps: ~Copyable {
    enum Step {
        /// Make the next attempt: `request` (its `attempt` already set), under `deadline`.
        case attempt(PluginCallRequest, deadline: CallDeadline?)
        /// Wait this long on the host clock, then ask again (a retry's backoff).
        case backoff(nanoseconds: UInt64)
        /// Run `nodeType` as the fallback, in the same execution (same id and audit record),
        /// and hand its result to ``fallbackEnded(_:)``.
        case fallback(nodeType: String, recovery: NodeRecovery)
        /// The execution is over; its statistics are recorded.
        case finished(NodeResult)
    }

    private enum Phase {
        case beforeAttempt, inAttempt, afterAttempt, inFallback, done
    }

    private let call: PreparedCall
    private let recovery: NodeRecovery
    private let startedAt: Double
    private var run: RecoveryRun
    private var phase = Phase.beforeAttempt
    private var permit: CircuitPermit?
    private var attemptStartedAt = 0.0
    private var attemptBegin: UInt64 = 0
    private var fallback: NodeResult?

    init(call: PreparedCall, recovery: NodeRecovery, input: JSONValue, host: PluginHost, startedAt: Double) {
        self.call = call
        self.recovery = recovery
        self.startedAt = startedAt
        run = RecoveryRun(call: call, recovery: recovery, input: input, host: host, startedAt: startedAt)
    }

    /// What to do next. `cancelled`: the caller has stopped waiting (an async task was
    /// cancelled), so no retry and no fallback is started.
    mutating func next(cancelled: Bool) -> Step {
        switch phase {
        case .beforeAttempt:
            guard let granted = call.entry.breaker.acquire() else {
                run.refuseOpenCircuit()
                return afterLastAttempt(cancelled: cancelled)
            }
            permit = .some(granted)
            attemptStartedAt = run.attempt == 1 ? startedAt : WallClock.now()
            attemptBegin = WallClock.monotonicNanoseconds()
            phase = .inAttempt
            return .attempt(call.request(attempt: run.attempt), deadline: call.deadline(attempt: run.attempt, timeoutMs: recovery.timeoutMs))
        case .afterAttempt:
            if !cancelled, let delay = run.nextDelayNanoseconds() {
                phase = .beforeAttempt
                return .backoff(nanoseconds: delay)
            }
            return afterLastAttempt(cancelled: cancelled)
        case .inFallback:
            return finish()
        case .inAttempt, .done:
            preconditionFailure("ExecutionSteps.next() called while \(phase == .done ? "finished" : "an attempt is running")")
        }
    }

    /// How the attempt asked for by the last `.attempt` ended.
    mutating func attemptEnded(_ end: AttemptEnd) {
        precondition(phase == .inAttempt, "attemptEnded without an attempt")
        let code = run.absorb(end, startedAt: attemptStartedAt, durationNanoseconds: WallClock.monotonicNanoseconds() &- attemptBegin)
        permit.take()?.record(errorCode: code)
        phase = .afterAttempt
    }

    /// The result of the fallback asked for by `.fallback`.
    mutating func fallbackEnded(_ result: NodeResult) {
        precondition(phase == .inFallback, "fallbackEnded without a fallback")
        fallback = result
    }

    private mutating func afterLastAttempt(cancelled: Bool) -> Step {
        if !cancelled, let fallbackType = run.pendingFallback {
            phase = .inFallback
            return .fallback(nodeType: fallbackType, recovery: NodeRecovery(timeoutMs: recovery.timeoutMs))
        }
        return finish()
    }

    private mutating func finish() -> Step {
        phase = .done
        let result = run.finish(fallback: fallback)
        call.entry.record(nanoseconds: UInt64(max(0, result.durationMs) * 1e6), succeeded: result.succeeded)
        return .finished(result)
    }
}
