import PluginHostCore
import PluginRuntime

/// A workflow's recovery rules, read once: the defaults in `settings` and, per node, the
/// ``NodeRecovery`` the host applies when it executes that node.
///
/// The precedence: a node's own `retry`, `onError`, `fallbackNodeType` and `timeoutMs` win;
/// what it leaves out comes from `settings` (`settings.retry` is the default retry policy,
/// merged field by field under the node's `retry`; `settings.onError` the default strategy;
/// `settings.timeoutMs` the default time limit); what neither sets is ``NodeRecovery/none``'s
/// (one attempt, `fail`, no limit).
///
/// The same reading serves validation (its problems, each a `RECOVERY_INVALID` whose message
/// starts with the JSON pointer of the value, e.g. `/nodes/2/retry/jitter`) and execution (the
/// recoveries), so what `validate` accepts is exactly what `run` applies.
public struct WorkflowRecovery: Sendable {
    /// The workflow-wide defaults; an invalid setting falls back to the built-in default so
    /// each node is still checked on its own (the setting's problem is reported once).
    public let defaults: NodeRecovery
    /// Problems with `settings.retry`, `settings.onError` and `settings.timeoutMs`.
    public let settingsProblems: [Problem]

    public init(settings: WorkflowSettings) {
        var problems: [Problem] = []
        var defaults = NodeRecovery.none
        if let retry = settings.retry {
            let (policy, found) = RetryPolicy.parse(retry, defaults: RetryPolicy(), pointer: "/settings/retry")
            problems += found
            if let policy { defaults.retry = policy }
        }
        let (strategy, found) = ErrorStrategy.parseWorkflowDefault(settings.onError, pointer: "/settings/onError")
        problems += found
        if let strategy { defaults.errorHandling = ErrorHandling(strategy: strategy) }
        if let timeout = settings.timeoutMs {
            switch Self.timeout(timeout, pointer: "/settings/timeoutMs") {
            case .success(let milliseconds): defaults.timeoutMs = milliseconds
            case .failure(let problem): problems.append(problem)
            }
        }
        self.defaults = defaults
        self.settingsProblems = problems
    }

    /// The recovery for `node` and the problems with its own fields (not the settings'),
    /// `pointer` locating the node in the file (e.g. `/nodes/3`). Nil when any is an error.
    public func recovery(for node: WorkflowNode, pointer: String) -> (NodeRecovery?, [Problem]) {
        var problems: [Problem] = []
        var recovery = defaults
        var valid = true
        if let retry = node.retry {
            let (policy, found) = RetryPolicy.parse(retry, defaults: defaults.retry, pointer: pointer + "/retry")
            problems += found
            if let policy { recovery.retry = policy } else { valid = false }
        }
        var fields = JSONObject()
        if let onError = node.onError { fields["onError"] = onError }
        if let fallback = node.fallbackNodeType { fields["fallbackNodeType"] = fallback }
        let (handling, found) = ErrorHandling.parse(
            node: fields, inherited: defaults.errorHandling.strategy, nodeType: node.type.isEmpty ? nil : node.type, pointer: pointer)
        problems += found
        if let handling { recovery.errorHandling = handling } else { valid = false }
        if let timeout = node.timeoutMs {
            switch Self.timeout(timeout, pointer: pointer + "/timeoutMs") {
            case .success(let milliseconds): recovery.timeoutMs = milliseconds
            case .failure(let problem):
                problems.append(problem)
                valid = false
            }
        }
        return (valid ? recovery : nil, problems)
    }

    /// A `timeoutMs` value: `null` (no limit, overriding an inherited one) or milliseconds
    /// above 0 and at most a day (the longest delay the retry rules accept).
    static func timeout(_ value: JSONValue, pointer: String) -> Result<Double?, Problem> {
        if value == .null { return .success(nil) }
        if let number = value.doubleValue, number.isFinite, number > 0, number <= RetryPolicy.delayCeilingMs {
            return .success(number)
        }
        let shown = JSONWriter.string(value)
        let text = shown.utf8.count <= 40 ? shown : "a long \(value.typeName)"
        return .failure(Problem(
            .recoveryInvalid, .error,
            "`\(pointer)` is \(text): give the most milliseconds one attempt may take, a number above 0 and at most one day (86400000), such as 1000, or null for no limit."
        ))
    }
}
