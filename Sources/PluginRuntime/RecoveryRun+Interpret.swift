#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore
import PluginIsolation
import PluginLoader

extension RecoveryRun {
    /// What an attempt amounts to: the output on success, else an error code and one sentence.
    struct Interpretation {
        var output: JSONValue?
        var code: ProblemCode?
        var message: String?
        var logs: [String] = []
        /// A newly parsed output small enough to remember (``NodeEntry/outputMemoLimit``).
        var memo: NodeEntry.OutputMemo?
    }

    /// Turns how a call ended into a success or an error class: a plugin's non-zero
    /// status (``PluginCallOutcome/failureStatus``: `set_error`'s code, else the returned
    /// status) maps through ``ProblemCode/init(pluginStatus:)``; success without output, output
    /// that is not JSON and output over the cap are the plugin's bugs (EXECUTION_ERROR,
    /// OUTPUT_TOO_LARGE).
    ///
    /// `workerLimits` is nil for a call made in process, else the limits of the worker it ran in.
    /// `expected` is the node's last output: output equal to it (as the plugin was told, or
    /// compared here) takes its value without parsing.
    static func interpret(
        _ end: AttemptEnd, entry: NodeEntry, maximumOutputBytes: Int, workerLimits: ResourceLimits? = nil,
        expected: NodeEntry.OutputMemo? = nil
    ) -> Interpretation {
        let nodeType = entry.registered.nodeType
        let outcome: PluginCallOutcome
        switch end {
        case .timedOut(let timeoutMs):
            let stopped = workerLimits == nil
                ? "the host stopped waiting and asked it to cancel"
                : "the host killed its worker process, so it is really stopped"
            return Interpretation(
                code: .executionTimeout,
                message: "\(nodeType) did not finish within its timeout of \(JSONWriter.formatDouble(timeoutMs)) ms; "
                    + "\(stopped). Raise timeoutMs or make the node faster")
        case .cancelled:
            return Interpretation(
                code: .cancelled, message: "\(nodeType) was cancelled because its caller stopped waiting for it")
        case .crashed(let death):
            return crashed(death, entry: entry, limits: workerLimits ?? .none)
        case .outOfMemory(let returned):
            var interpretation = Interpretation(logs: logLines(returned.logs))
            interpretation.code = .resourceExhausted
            interpretation.message = "\(nodeType) ran out of memory: an allocation failed under its worker's limit"
                + "\(workerLimits?.memoryMb.map { " of \($0) MiB" } ?? "") and it failed (\(returned.errorMessage ?? "status \(returned.status)")); "
                + "raise the tenant's limits.memoryMb or make the node use less"
            return interpretation
        case .workerRefused(let problem):
            return Interpretation(code: problem.code, message: problem.message)
        case .returned(let returned):
            outcome = returned
        }
        var interpretation = Interpretation()
        interpretation.logs = logLines(outcome.logs)
        if outcome.status != 0 {
            interpretation.code = ProblemCode(pluginStatus: outcome.failureStatus)
            let message = outcome.errorMessage.flatMap { $0.isEmpty ? nil : $0 }
            interpretation.message = message ?? "\(nodeType) failed with status \(outcome.status) and gave no message"
        } else if let refused = outcome.refusedOutputBytes {
            interpretation.code = .outputTooLarge
            interpretation.message = "\(nodeType) returned \(refused) bytes of output, more than the host's limit of "
                + "\(maximumOutputBytes) bytes: make the node return less, or raise maximumOutputBytes"
        } else if outcome.outputIsExpected, let expected {
            interpretation.output = expected.value
        } else if let bytes = outcome.output {
            if let expected, expected.bytes == bytes {
                interpretation.output = expected.value
                return interpretation
            }
            do {
                let value = try JSONParser.parse(bytes)
                interpretation.output = value
                if bytes.count <= NodeEntry.outputMemoLimit { interpretation.memo = NodeEntry.OutputMemo(bytes: bytes, value: value) }
            } catch {
                interpretation.code = .executionError
                interpretation.message = "\(nodeType) returned output that is not valid JSON (\(error)); this is a bug in the plugin"
            }
        } else {
            interpretation.code = .executionError
            interpretation.message = "\(nodeType) returned success without calling set_output; this is a bug in the plugin"
        }
        return interpretation
    }
}

extension RecoveryRun {
    /// A worker's death during a call, in words: RESOURCE_EXHAUSTED when a limit explains it
    /// (an allocation failed under the memory limit, or the CPU limit's SIGXCPU), else
    /// EXECUTION_CRASHED naming the signal or exit status and the plugin.
    static func crashed(_ death: WorkerProcess.Death, entry: NodeEntry, limits: ResourceLimits) -> Interpretation {
        let nodeType = entry.registered.nodeType
        let plugin = "\(entry.registered.pluginID) \(entry.registered.pluginVersion)"
        if let protocolError = death.protocolError {
            return Interpretation(
                code: .executionCrashed,
                message: "\(nodeType) (\(plugin)) broke its worker process, which sent something the host cannot read "
                    + "(\(protocolError)); the worker was stopped and replaced. This is a bug in the plugin or the worker")
        }
        let signal: Int32? = if case .signaled(let number) = death.exit { number } else { death.crash?.signal }
        if signal == SIGXCPU, let seconds = limits.cpuSecondsPerCall {
            return Interpretation(
                code: .resourceExhausted,
                message: "\(nodeType) (\(plugin)) used more than its \(seconds) CPU seconds per call (limits.cpuSecondsPerCall), "
                    + "so its worker process was stopped; raise the limit or make the node do less")
        }
        if let failures = death.crash?.allocationFailures, failures > 0 {
            return Interpretation(
                code: .resourceExhausted,
                message: "\(nodeType) (\(plugin)) ran out of memory: an allocation failed under its worker's limit"
                    + "\(limits.memoryMb.map { " of \($0) MiB" } ?? ""), then the worker \(death.exit); "
                    + "raise the tenant's limits.memoryMb or make the node use less")
        }
        return Interpretation(
            code: .executionCrashed,
            message: "\(nodeType) (\(plugin)) crashed its worker process: the worker \(death.exit) during the call. "
                + "The host and other calls are unaffected and the worker was replaced; fix the plugin (the call may be retried)")
    }

    /// A plugin's log lines as a result shows them: `[level] message`.
    static func logLines(_ logs: [PluginLogLine]) -> [String] {
        logs.isEmpty ? [] : logs.map { "[\($0.level)] \($0.message)" }
    }
}

/// A `RandomNumberGenerator` over a source of uniform doubles in `[0, 1)`, so the host's
/// injectable `random` closure drives `RetryPolicy.delayMs`: that method uses the top 53 bits
/// of one `next()`, which this fills with the double's fraction exactly.
struct UnitRandomGenerator: RandomNumberGenerator {
    let source: @Sendable () -> Double

    mutating func next() -> UInt64 {
        let unit = min(max(source(), 0), 1 - 0x1p-53)
        return UInt64(unit * 0x1p53) << 11
    }
}
