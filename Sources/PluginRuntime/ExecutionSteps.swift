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
///         case .attempt(let number, let deadline):  steps.attemptEnded(call(number, deadline))
///         case .backoff(let nanoseconds):           sleep(nanoseconds)
///         case .fallback(let type, let recovery):   steps.fallbackEnded(execute(type, recovery))
///         case .finished:                           return steps.result()
///         }
///     }
///
/// Non-copyable because it holds the attempt's ``CircuitPermit`` between `.attempt` and
/// ``attemptEnded(_:)``: each permit reports exactly once.
struct ExecutionSteps: ~Copyable {
    enum Step {
        /// Make attempt number `attempt` of the ``PreparedCall`` under `deadline`: on this
        /// thread with ``PreparedCall/callHere(_:attempt:)``, or hand
        /// ``PreparedCall/request(attempt:)`` to another.
        case attempt(Int, deadline: CallDeadline?)
        /// Wait this long on the host clock, then ask again (a retry's backoff).
        case backoff(nanoseconds: UInt64)
        /// Run `nodeType` as the fallback, in the same execution (same id and audit record),
        /// and hand its result to ``fallbackEnded(_:)``.
        case fallback(nodeType: String, recovery: NodeRecovery)
        /// The execution is over: take its ``result()``.
        case finished
    }

    private enum Phase {
        case beforeAttempt, inAttempt, afterAttempt, inFallback, done
    }

    private var call: PreparedCall { run.call }
    private var recovery: NodeRecovery { run.recovery }
    private let startedAt: Double
    /// The monotonic clock at `startedAt`: every duration is measured from it.
    private let begin: UInt64
    /// The monotonic clock when the last attempt ended (the execution's end unless a backoff or
    /// a fallback follows): one clock read serves both.
    private var lastReading: UInt64 = 0
    private var run: RecoveryRun
    private var phase = Phase.beforeAttempt
    private var permit: CircuitPermit?
    private var attemptStartedAt = 0.0
    private var attemptBegin: UInt64 = 0
    private var fallback: NodeResult?

    /// `start` is when the execution began (``WallClock/stamp()``), before admission: the first
    /// attempt's start and every duration count from it.
    init(call: PreparedCall, recovery: NodeRecovery, input: JSONValue, host: PluginHost,
         start: (monotonic: UInt64, wall: Double)) {
        startedAt = start.wall
        begin = start.monotonic
        run = RecoveryRun(call: call, recovery: recovery, input: input, host: host, startedAt: start.wall)
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
            if run.attempt == 1 {
                // The first attempt starts with the execution (admission is part of it).
                attemptStartedAt = startedAt
                attemptBegin = begin
            } else {
                (attemptBegin, attemptStartedAt) = WallClock.stamp()
            }
            phase = .inAttempt
            return .attempt(run.attempt, deadline: call.deadline(attempt: run.attempt, timeoutMs: recovery.timeoutMs))
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
        lastReading = WallClock.monotonicNanoseconds()
        let code = run.absorb(end, startedAt: attemptStartedAt, durationNanoseconds: lastReading &- attemptBegin)
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
        // After a fallback (or an open circuit, which made no attempt) the clock moved on.
        if phase != .afterAttempt { lastReading = WallClock.monotonicNanoseconds() }
        phase = .done
        return .finished
    }

    /// The execution's result, once ``next(cancelled:)`` said `.finished`; records it in the
    /// node's statistics (with a newly parsed output for its memo). Consuming: the result is
    /// moved out, not copied.
    consuming func result() -> NodeResult {
        precondition(phase == .done, "result() before the execution finished")
        let nanoseconds = lastReading &- begin
        let entry = call.entry, memo = run.newOutputMemo
        let result = run.finish(fallback: fallback, durationNanoseconds: nanoseconds)
        entry.record(nanoseconds: nanoseconds, succeeded: result.succeeded, output: memo)
        return result
    }
}
