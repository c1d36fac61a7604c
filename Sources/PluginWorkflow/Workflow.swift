import PluginHostCore

/// A workflow as written (n8n-style JSON): named nodes and the connections between them.
///
/// The model keeps what the runtime interprets (retry policies, error strategies, timeouts)
/// as raw JSON, so this module never second-guesses the recovery rules; it only needs the
/// graph. Parse with ``Workflow/parse(text:)``; check with ``WorkflowValidator``; run with
/// ``WorkflowRunner``.
///
/// **Connection order**, which decides the order of a node's input items, is the order in
/// which ``edges`` are listed: source nodes in the order their keys appear in the
/// `connections` object (JSON objects keep their member order here), then each source's
/// `main` outputs in array order, then each output's targets in array order.
public struct Workflow: Sendable, Hashable {
    public var name: String
    public var settings: WorkflowSettings
    /// In file order; names are unique in a valid workflow.
    public var nodes: [WorkflowNode]
    /// In connection order (see the type's documentation).
    public var edges: [WorkflowEdge]

    public init(name: String, settings: WorkflowSettings = WorkflowSettings(), nodes: [WorkflowNode], edges: [WorkflowEdge] = []) {
        self.name = name
        self.settings = settings
        self.nodes = nodes
        self.edges = edges
    }
}

/// Workflow-wide defaults: how many nodes run at once, and the recovery every node inherits.
public struct WorkflowSettings: Sendable, Hashable {
    /// The most nodes running at the same time (at least 1). Default 4.
    public var concurrency: Int
    /// The default error strategy (`fail`, `fallback`, `skip`, `continue`), raw. Default `"fail"`.
    public var onError: JSONValue
    /// The default retry policy (Temporal field names), raw; nil when absent.
    public var retry: JSONValue?
    /// The default per-attempt time limit in milliseconds, raw; nil when absent.
    public var timeoutMs: JSONValue?
    /// What a failed run does with the nodes that succeeded (`automatic`, `manual`, `none`),
    /// raw; nil when absent (`none`). See ``RollbackStrategy``.
    public var rollback: JSONValue?

    public static let defaultConcurrency = 4

    public init(
        concurrency: Int = WorkflowSettings.defaultConcurrency, onError: JSONValue = "fail", retry: JSONValue? = nil,
        timeoutMs: JSONValue? = nil, rollback: JSONValue? = nil
    ) {
        self.concurrency = concurrency
        self.onError = onError
        self.retry = retry
        self.timeoutMs = timeoutMs
        self.rollback = rollback
    }
}

/// One node of a workflow: which node type runs, with which parameters, and how it recovers.
///
/// The recovery fields are raw JSON and nil when the node does not set them, so the runtime
/// can tell "inherit the workflow's setting" from an explicit value.
public struct WorkflowNode: Sendable, Hashable {
    /// Unique within the workflow; what connections and `$ref`s name.
    public var name: String
    public var type: String
    /// Which version of the node type's contract the node was written for. Default 1.
    public var typeVersion: Int
    /// Always an object; may hold `{"$ref": …}` values resolved just before the node runs.
    public var parameters: JSONValue
    public var retry: JSONValue?
    public var onError: JSONValue?
    public var fallbackNodeType: JSONValue?
    public var timeoutMs: JSONValue?
    /// How to undo what the node did when the run fails, raw: `{"type", "parameters"?,
    /// "retry"?}`; nil when the node has none. See ``CompensationDeclaration``.
    public var compensation: JSONValue?

    public init(
        name: String, type: String, typeVersion: Int = 1, parameters: JSONValue = .object(JSONObject()),
        retry: JSONValue? = nil, onError: JSONValue? = nil, fallbackNodeType: JSONValue? = nil, timeoutMs: JSONValue? = nil,
        compensation: JSONValue? = nil
    ) {
        self.compensation = compensation
        self.name = name
        self.type = type
        self.typeVersion = typeVersion
        self.parameters = parameters
        self.retry = retry
        self.onError = onError
        self.fallbackNodeType = fallbackNodeType
        self.timeoutMs = timeoutMs
    }
}

/// A connection: `from`'s output `outputIndex` feeds `to`'s input `inputIndex`.
///
/// Nodes have one output and one input today, so every output index carries the node's
/// output and every input index lands in the same input list; the indices are kept so a
/// workflow reads back (and draws) as written.
public struct WorkflowEdge: Sendable, Hashable {
    public var from: String
    public var to: String
    public var outputIndex: Int
    public var inputIndex: Int

    public init(from: String, to: String, outputIndex: Int = 0, inputIndex: Int = 0) {
        self.from = from
        self.to = to
        self.outputIndex = outputIndex
        self.inputIndex = inputIndex
    }
}

/// A parsed workflow with the shape problems found on the way (all of them, not the first).
///
/// The workflow holds everything that could be read: a node whose name is unreadable is left
/// out, a node with an unreadable type keeps an empty type, so later checks add no noise.
public struct ParsedWorkflow: Sendable {
    public var workflow: Workflow
    /// `WORKFLOW_INVALID` problems; empty when the file has the workflow shape.
    public var problems: [Problem]

    public init(workflow: Workflow, problems: [Problem]) {
        self.workflow = workflow
        self.problems = problems
    }
}
