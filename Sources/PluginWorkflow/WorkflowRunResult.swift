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

    /// The result of the node named `name`, the same UTF-8 bytes (a scan of every node: look up many by building
    /// your own index from ``nodes``).
    public subscript(name: String) -> NodeResult? {
        nodes.first { String.sameUTF8($0.name, name) }?.result
    }

    /// The `run --json` shape: `{"status": "success|failed", "durationMs": …, "nodes": {"<name>": <node result>}}`,
    /// nodes in workflow order, each in the `exec --json` shape (``NodeResult/json()``).
    ///
    /// The members are appended, not set by key: `JSONObject`'s keyed setter scans for an
    /// existing key, which made a 40 000-node document quadratic (a minute). Names are unique
    /// in a workflow that ran (the runner refuses repeated names), so no key can repeat.
    public func json() -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(nodes.count)
        for node in nodes { members.append((key: node.name, value: node.result.json())) }
        return .object([
            "status": .string(status.rawValue),
            "durationMs": .double((durationMs * 1000).rounded() / 1000),
            "nodes": .object(JSONObject(members)),
        ])
    }
}
