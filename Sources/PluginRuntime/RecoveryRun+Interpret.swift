import PluginHostCore
import PluginLoader

extension RecoveryRun {
    /// What an attempt amounts to: the output on success, else an error code and one sentence.
    struct Interpretation {
        var output: JSONValue?
        var code: ProblemCode?
        var message: String?
        var logs: [String] = []
    }

    /// Turns how a call ended into a success or an error class (DESIGN §5): a plugin's non-zero
    /// status maps through ``ProblemCode/init(pluginStatus:)``; success without output, output
    /// that is not JSON and output over the cap are the plugin's bugs (EXECUTION_ERROR,
    /// OUTPUT_TOO_LARGE).
    static func interpret(_ end: AttemptEnd, entry: NodeEntry, maximumOutputBytes: Int) -> Interpretation {
        let nodeType = entry.registered.nodeType
        let outcome: PluginCallOutcome
        switch end {
        case .timedOut(let timeoutMs):
            return Interpretation(
                code: .executionTimeout,
                message: "\(nodeType) did not finish within its timeout of \(JSONWriter.formatDouble(timeoutMs)) ms; "
                    + "the host stopped waiting and asked it to cancel. Raise timeoutMs or make the node faster")
        case .cancelled:
            return Interpretation(
                code: .cancelled, message: "\(nodeType) was cancelled because its caller stopped waiting for it")
        case .returned(let returned):
            outcome = returned
        }
        var interpretation = Interpretation()
        interpretation.logs = logLines(outcome.logs)
        if outcome.status != 0 {
            interpretation.code = ProblemCode(pluginStatus: outcome.status)
            let message = outcome.errorMessage.flatMap { $0.isEmpty ? nil : $0 }
            interpretation.message = message ?? "\(nodeType) failed with status \(outcome.status) and gave no message"
        } else if let refused = outcome.refusedOutputBytes {
            interpretation.code = .outputTooLarge
            interpretation.message = "\(nodeType) returned \(refused) bytes of output, more than the host's limit of "
                + "\(maximumOutputBytes) bytes: make the node return less, or raise maximumOutputBytes"
        } else if let bytes = outcome.output {
            do {
                interpretation.output = try entry.parseOutput(bytes)
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
