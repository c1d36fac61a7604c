import PluginHostCore

/// What happens to a node whose failure is final: its retries are exhausted, or its code is
/// not retryable. Retries always come first, then the strategy (n8n had to fix that ordering),
/// and the host applies it from the error code: a plugin never routes its own errors.
///
/// Skipping and continuing are different on purpose (n8n's lesson): `skip` says "this node
/// produced nothing", `continue` says "act as if it were a pass-through".
public enum ErrorStrategy: String, Sendable, Hashable, CaseIterable {
    /// The node ends with status `error`; every node that depends on it is `cancelled` and the
    /// run fails. The default.
    case fail
    /// Run the node's `fallbackNodeType` once, with the same parameters and input and no retries
    /// of its own; its result stands in for the node's, with `recoveryApplied: "fallback"` and
    /// `fallbackNodeType` set. If the fallback fails too, the node fails as with `fail`.
    case fallback
    /// The node ends with status `skipped` and an empty output (`[]`); dependents run.
    /// `recoveryApplied: "skip"`.
    case skip
    /// The node ends with status `success` and passes its input items through unchanged as its
    /// output; dependents run. `recoveryApplied: "continue"`.
    case `continue`

    /// The value for `NodeResult.recoveryApplied` when this strategy turned a failure into a
    /// result; nil for `fail`, which recovers nothing.
    public var recoveryApplied: String? { self == .fail ? nil : rawValue }

    /// Reads a workflow's `settings.onError`, the default for nodes that do not set their own.
    ///
    /// `fallback` is refused here: a fallback is a node type that fits one node, so it is set
    /// on that node together with its `fallbackNodeType`. Problems are `RECOVERY_INVALID`,
    /// their message starting with `pointer` (the pointer of the `onError` value itself).
    public static func parseWorkflowDefault(_ value: JSONValue, pointer: String) -> (ErrorStrategy?, [Problem]) {
        var reader = RecoveryFieldReader(pointer: pointer)
        guard let strategy = reader.strategy(value, key: nil) else { return (nil, reader.problems) }
        if strategy == .fallback {
            reader.error(at: nil, "is \"fallback\", which needs a fallbackNodeType per node: set onError \"fallback\" and fallbackNodeType on the nodes that have a fallback, and choose fail, skip or continue here.")
            return (nil, reader.problems)
        }
        return (strategy, reader.problems)
    }
}

extension RecoveryFieldReader {
    /// An `onError` value: one of the strategy names.
    mutating func strategy(_ value: JSONValue, key: String?) -> ErrorStrategy? {
        guard let name = value.stringValue, let strategy = ErrorStrategy(rawValue: name) else {
            let names = ErrorStrategy.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            error(at: key, "is \(Self.shown(value)): use one of \(names).")
            return nil
        }
        return strategy
    }
}
