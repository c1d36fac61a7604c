import PluginHostCore

/// The outcome of validating a workflow: every problem found, all at once.
///
/// It is also the error ``WorkflowRunner`` throws for a workflow it cannot schedule, so a
/// caller that skipped validation still gets the same report.
public struct WorkflowValidationReport: Error, Sendable {
    /// In the order found: shape, recovery defaults, graph, then node by node in file order.
    public var problems: [Problem]

    public init(problems: [Problem]) { self.problems = problems }

    /// Whether the workflow may run: no problem is an error (warnings allowed).
    public var valid: Bool { !problems.containsError }

    /// The `validate --json` shape: `{"valid": bool, "problems": [{code, severity, message, node?}]}`;
    /// `node` (the workflow node's name) is present only when the problem concerns one node.
    public func json() -> JSONValue {
        .object([
            "valid": .bool(valid),
            "problems": .array(problems.map { $0.json() }),
        ])
    }
}
