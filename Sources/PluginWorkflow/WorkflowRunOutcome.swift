import PluginHostCore

/// What asking a host to run a workflow produced: a refusal (validation found errors, so
/// nothing executed) or a run.
///
/// Both have the `run --json` shape, so a script reads one document either way:
/// `{"status": "success|failed", "durationMs": …, "nodes": {…}, "problems": [{code, severity, message, node?}]}`.
/// A refused run is `{"status": "failed", "durationMs": 0, "nodes": {}, "problems": [every problem]}`;
/// a run that happened lists its validation warnings (usually none) in `problems`.
public enum WorkflowRunOutcome: Sendable {
    /// Validation found at least one error; no node ran.
    case refused(WorkflowValidationReport)
    /// The workflow ran; `validation` holds the warnings validation found (no errors).
    case ran(WorkflowRunResult, validation: WorkflowValidationReport)

    /// True exactly when the workflow ran and every node ended `success` or `skipped`.
    public var succeeded: Bool {
        if case .ran(let result, _) = self { return result.status == .success }
        return false
    }

    /// The run's result, nil when it was refused.
    public var result: WorkflowRunResult? {
        if case .ran(let result, _) = self { return result }
        return nil
    }

    /// The validation report: every problem of a refused run, the warnings of one that ran.
    public var validation: WorkflowValidationReport {
        switch self {
        case .refused(let report): return report
        case .ran(_, let report): return report
        }
    }

    /// The `run --json` shape (see the type's documentation).
    public func json() -> JSONValue {
        var stream = JSONStream(capacity: 1024)
        write(to: &stream)
        return (try? JSONParser.parse(stream.bytes, maximumDepth: .max)) ?? .null
    }

    /// The `run --json` document written into `stream`, then `extra` members (the CLI adds
    /// `stats`) before it is closed.
    public func write(to stream: inout JSONStream, extra: [(key: String, value: JSONValue)] = []) {
        switch self {
        case .refused:
            stream.beginObject()
            stream.key("status"); stream.string("failed")
            stream.key("durationMs"); stream.integer(0)
            stream.key("nodes"); stream.beginObject(); stream.endObject()
        case .ran(let result, _):
            result.writeMembers(to: &stream)
        }
        stream.key("problems")
        stream.beginArray()
        for problem in validation.problems { stream.value(problem.json()) }
        for problem in result?.problems ?? [] { stream.value(problem.json()) }
        stream.endArray()
        for member in extra {
            stream.key(text: member.key)
            stream.value(member.value)
        }
        stream.endObject()
    }
}
