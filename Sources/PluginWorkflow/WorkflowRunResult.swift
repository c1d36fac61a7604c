import PluginHostCore
import PluginRuntime

/// The outcome of a workflow run: its status, its wall time, and every node's result.
public struct WorkflowRunResult: Sendable {
    public enum Status: String, Sendable, Hashable {
        /// Every node ended `success` or `skipped`.
        case success
        /// At least one node ended `error` or `cancelled`.
        case failed
        /// The run was cancelled from outside (a handle's `cancel`, `SIGINT` in the CLI): the
        /// nodes that had not started are `cancelled`, the running ones saw `is_cancelled`.
        case cancelled
        /// It failed (or was cancelled), and `settings.rollback: automatic` undid every node
        /// that had succeeded (``rollback`` has each compensation's result).
        case rolledBack
        /// It failed and a compensation failed too, after its retries (``RollbackResult/notUndone``).
        case rollbackFailed
        /// It failed under `settings.rollback: manual`: ``rollback`` holds the plan, to run
        /// with `plugin-host rollback`.
        case degraded
    }

    public var status: Status
    public var durationMs: Double
    /// Every node's result, in the workflow's node order.
    public var nodes: [(name: String, result: NodeResult)]
    /// What the run met outside any node: its journal failing (`JOURNAL_FAILED`) or a journal
    /// it could not resume from (`JOURNAL_INVALID`). Written into the document's `problems`.
    public var problems: [Problem]
    /// What the rollback did (or, `manual`, would do); nil when none applied.
    public var rollback: RollbackResult?

    public init(status: Status, durationMs: Double, nodes: [(name: String, result: NodeResult)], problems: [Problem] = []) {
        self.status = status
        self.durationMs = durationMs
        self.nodes = nodes
        self.problems = problems
    }

    /// The result of the node named `name`, the same UTF-8 bytes (a scan of every node: look up many by building
    /// your own index from ``nodes``).
    public subscript(name: String) -> NodeResult? {
        nodes.first { String.sameUTF8($0.name, name) }?.result
    }

    /// The `run --json` shape: `{"status": "success|failed|cancelled", "durationMs": …, "nodes": {"<name>": <node result>}}`,
    /// nodes in workflow order, each in the `exec --json` shape (``NodeResult/write(to:)``).
    public func json() -> JSONValue {
        var stream = JSONStream(capacity: 1024)
        write(to: &stream)
        return (try? JSONParser.parse(stream.bytes, maximumDepth: .max)) ?? .null
    }

    /// ``json()``'s document written into `stream`, leaving the object open after `nodes` so
    /// a caller can add members (the run outcome's `problems`, the CLI's `stats`), then close it.
    /// Streamed, node by node: a 100 000-node document is never a tree in memory. Names are
    /// unique in a workflow that ran (the runner refuses repeated names), so no key repeats.
    public func writeMembers(to stream: inout JSONStream) {
        stream.beginObject()
        stream.key("status"); stream.string(status.rawValue)
        stream.key("durationMs"); stream.double((durationMs * 1000).rounded() / 1000)
        stream.key("nodes")
        stream.beginObject()
        for node in nodes {
            stream.key(text: node.name)
            node.result.write(to: &stream)
        }
        stream.endObject()
        stream.key("rollback")
        if let rollback { rollback.write(to: &stream) } else { stream.null() }
    }

    public func write(to stream: inout JSONStream) {
        writeMembers(to: &stream)
        stream.endObject()
    }
}
