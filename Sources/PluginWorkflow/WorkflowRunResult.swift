import PluginHostCore
import PluginRuntime

/// The outcome of a workflow run: its status, its wall time, and every node's result.
public struct WorkflowRunResult: Sendable {
    public enum Status: String, Sendable, Hashable {
        /// Every node ended `success` or `skipped`.
        case success
        /// At least one node ended `error` or `cancelled`.
        case failed
    }

    public var status: Status
    public var durationMs: Double
    /// Every node's result, in the workflow's node order.
    public var nodes: [(name: String, result: NodeResult)]

    public init(status: Status, durationMs: Double, nodes: [(name: String, result: NodeResult)]) {
        self.status = status
        self.durationMs = durationMs
        self.nodes = nodes
    }

    /// The result of the node named `name` (same UTF-8 bytes).
    public subscript(name: String) -> NodeResult? {
        nodes.first { String.sameUTF8($0.name, name) }?.result
    }

    /// The `run --json` shape: `{"status": "success|failed", "durationMs": …, "nodes": {"<name>": <node result>}}`,
    /// nodes in workflow order, each in the `exec --json` shape (``NodeResult/json()``).
    public func json() -> JSONValue {
        var members = JSONObject()
        for node in nodes { members[node.name] = node.result.json() }
        return .object([
            "status": .string(status.rawValue),
            "durationMs": .double((durationMs * 1000).rounded() / 1000),
            "nodes": .object(members),
        ])
    }
}
