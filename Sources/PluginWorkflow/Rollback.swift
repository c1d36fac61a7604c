import PluginHostCore
import PluginRuntime

/// What a failed (or cancelled) run does with the nodes that had succeeded: the saga pattern.
///
/// - `automatic`: the compensations of every node that succeeded run at once, in reverse
///   topological order (a node's compensation after those of its descendants; independent ones
///   in parallel, under the workflow's concurrency), each with its own retries. The run ends
///   `rolledBack`, or `rollbackFailed` when a compensation still failed (the others run anyway).
/// - `manual`: the run ends `degraded` with the plan (which compensations, in which order,
///   with which resolved parameters) in its result, for `plugin-host rollback` to run later.
/// - `none` (the default): the run ends `failed`, as it always did.
public enum RollbackStrategy: String, Sendable, Hashable {
    case automatic, manual, none

    /// The strategy `settings.rollback` asks for; a problem (`COMPENSATION_INVALID`) for a
    /// value that is not one of the three names.
    public static func read(_ settings: WorkflowSettings) -> Result<RollbackStrategy, Problem> {
        guard let value = settings.rollback, value != .null else { return .success(.none) }
        if case .string(let name) = value, let strategy = RollbackStrategy(rawValue: name) { return .success(strategy) }
        return .failure(Problem(
            .compensationInvalid, .error,
            "`/settings/rollback` is \(JSONWriter.string(value)); write \"automatic\", \"manual\" or \"none\"."))
    }
}

/// A node's `compensation`, read: the node type that undoes it, its parameters (which may
/// `$ref` the node's own output and its ancestors' outputs) and its retry policy.
public struct CompensationDeclaration: Sendable, Hashable {
    public var type: String
    public var parameters: JSONValue
    /// The compensation's own `retry` (the §5.1 fields), merged over the default of three
    /// attempts with exponential backoff; the workflow's `settings.retry` does not apply.
    public var retry: JSONValue

    /// Three attempts, exponential backoff: undoing is worth insisting on.
    public static let defaultRetry: JSONValue = ["maximumAttempts": 3, "backoff": "exponential"]

    /// The declaration of `node`, nil when it has none; `COMPENSATION_INVALID` problems (with the
    /// JSON pointer of what is wrong) for one that is malformed.
    public static func read(_ node: WorkflowNode, pointer: String) -> Result<CompensationDeclaration?, Problem> {
        guard let value = node.compensation, value != .null else { return .success(nil) }
        func invalid(_ what: String) -> Result<CompensationDeclaration?, Problem> {
            .failure(Problem(.compensationInvalid, .error, "Node `\(node.name)`: `\(pointer)/compensation` \(what)", node: node.name))
        }
        guard case .object(let object) = value else {
            return invalid("must be an object {\"type\": NODE_TYPE, \"parameters\": {…}}, not \(value.typeName).")
        }
        for key in object.keys where !["type", "parameters", "retry"].contains(key) {
            return invalid("has an unknown member `\(key)`; a compensation has `type`, `parameters` and `retry`.")
        }
        guard case .string(let type)? = object["type"], !type.isEmpty else {
            return invalid("needs a `type`: the node type that undoes the node, such as \"order.cancel\".")
        }
        let parameters = object["parameters"] ?? .object(JSONObject())
        guard case .object = parameters else { return invalid("has `parameters` that are not an object; wrap them in {}.") }
        var retry = Self.defaultRetry
        switch object["retry"] {
        case nil, .null?: break
        case .object(let given)?:
            var merged = Self.defaultRetry.objectValue ?? JSONObject()
            for member in given { merged[member.key] = member.value }
            retry = .object(merged)
        case let other?:
            return invalid("has a `retry` that is \(other.typeName), not an object of retry fields.")
        }
        return .success(CompensationDeclaration(type: type, parameters: parameters, retry: retry))
    }

    /// The compensation as a node of its own, named like the node it undoes: what validation
    /// checks and what the compensation run executes (with `$ref`s already resolved).
    func node(named name: String, parameters: JSONValue? = nil) -> WorkflowNode {
        WorkflowNode(name: name, type: type, parameters: parameters ?? self.parameters, retry: retry, onError: "fail")
    }
}

/// One compensation to run: what undoes which node, with what, after which others.
public struct PlannedCompensation: Sendable, Hashable {
    /// The node it undoes (and the compensation's name in results).
    public var node: String
    public var type: String
    /// With every `$ref` resolved against the run's outputs.
    public var parameters: JSONValue
    /// The undone node's output items (what it produced): the compensation's input.
    public var input: JSONValue
    public var retry: JSONValue
    /// Compensations that must finish first: those of the node's descendants.
    public var after: [String]

    /// `{"node", "type", "parameters", "input", "retry", "after"}`: one entry of a result's
    /// `rollback.plan`, which `plugin-host rollback` reads back.
    public func json() -> JSONValue {
        ["node": .string(node), "type": .string(type), "parameters": parameters, "input": input, "retry": retry,
         "after": .array(after.map { .string($0) })]
    }

    /// The entry a result's `rollback.plan` holds (``json()``'s shape).
    public init(json: JSONValue) throws(ResultReadingError) {
        guard case .string(let node)? = json["node"], case .string(let type)? = json["type"],
              case .object? = json["parameters"], case .array(let after)? = json["after"] else {
            throw ResultReadingError("a plan entry needs `node`, `type`, `parameters` (an object) and `after` (an array)")
        }
        self.init(
            node: node, type: type, parameters: json["parameters"] ?? .object(JSONObject()), input: json["input"] ?? .array([]),
            retry: json["retry"] ?? CompensationDeclaration.defaultRetry,
            after: after.compactMap { if case .string(let name) = $0 { return name } else { return nil } })
    }

    public init(node: String, type: String, parameters: JSONValue, input: JSONValue, retry: JSONValue, after: [String]) {
        self.node = node
        self.type = type
        self.parameters = parameters
        self.input = input
        self.retry = retry
        self.after = after
    }
}

/// What a rollback did, or would do: in a run's result as `rollback`.
public struct RollbackResult: Sendable {
    public enum Status: String, Sendable, Hashable {
        /// Every compensation succeeded (or there was nothing to undo).
        case rolledBack
        /// A compensation failed after its retries (or could not be prepared); the others ran.
        case rollbackFailed
        /// `manual`: nothing ran; ``RollbackResult/plan`` says what would.
        case planned
    }

    public var strategy: RollbackStrategy
    public var status: Status
    /// The plan, in an order that satisfies every `after`.
    public var plan: [PlannedCompensation]
    /// Each compensation's result, in plan order (empty for `manual`).
    public var compensations: [(name: String, result: NodeResult)]
    /// What went wrong outside any compensation: its journal entry could not be written
    /// (`JOURNAL_FAILED`; a resume would run that compensation again).
    public var problems: [Problem] = []

    public init(strategy: RollbackStrategy, status: Status, plan: [PlannedCompensation], compensations: [(name: String, result: NodeResult)]) {
        self.strategy = strategy
        self.status = status
        self.plan = plan
        self.compensations = compensations
    }

    /// The nodes whose compensation did not succeed.
    public var notUndone: [String] { compensations.filter { $0.result.status != .success }.map(\.name) }

    /// `{"strategy", "status", "compensations": {name: result}, "notUndone": [names], "plan": [...]}`.
    public func write(to stream: inout JSONStream) {
        stream.beginObject()
        stream.key("strategy"); stream.string(strategy.rawValue)
        stream.key("status"); stream.string(status.rawValue)
        stream.key("compensations")
        stream.beginObject()
        for compensation in compensations {
            stream.key(text: compensation.name)
            compensation.result.write(to: &stream)
        }
        stream.endObject()
        stream.key("notUndone")
        stream.beginArray()
        for name in notUndone { stream.string(name) }
        stream.endArray()
        stream.key("plan")
        stream.beginArray()
        for entry in plan { stream.value(entry.json()) }
        stream.endArray()
        stream.endObject()
    }
}

/// Works out a failed run's compensations: the nodes that succeeded and declare one, their
/// `$ref`s resolved against the run's outputs, ordered so that a node is undone only after
/// everything downstream of it is.
struct RollbackPlanner {
    let graph: WorkflowGraph

    /// The plan, and a failed result for every compensation that cannot even be prepared
    /// (a `$ref` to an output that has no value there).
    func plan(results: [(name: String, result: NodeResult)]) -> (plan: [PlannedCompensation], unprepared: [(name: String, result: NodeResult)]) {
        let nodes = graph.workflow.nodes
        precondition(results.count == nodes.count, "one result per node, in workflow order")
        var declared: [Int: CompensationDeclaration] = [:]
        for (index, node) in nodes.enumerated() where results[index].result.status == .success {
            if case .success(let declaration?) = CompensationDeclaration.read(node, pointer: "/nodes/\(index)") {
                declared[index] = declaration
            }
        }
        guard !declared.isEmpty else { return ([], []) }
        // Order: the reverse of a topological order. A compensation waits for those of the
        // nearest compensated descendants on every path (the rest are ordered through them).
        let position = graph.topologicalPositions() ?? Array(nodes.indices)
        let order = declared.keys.sorted { position[$0] > position[$1] }
        var plan: [PlannedCompensation] = []
        var unprepared: [(name: String, result: NodeResult)] = []
        for index in order {
            let declaration = declared[index]!
            let name = nodes[index].name
            switch resolve(declaration.parameters, of: index, results: results) {
            case .success(let parameters):
                plan.append(PlannedCompensation(
                    node: name, type: declaration.type, parameters: parameters, input: Self.items(results[index].result.output),
                    retry: declaration.retry, after: nearestCompensated(below: index, declared: declared).map { nodes[$0].name }))
            case .failure(let why):
                unprepared.append((name, .failure(
                    nodeType: declaration.type, code: .invalidParameters, message: why.description, startedAt: WallClock.now())))
            }
        }
        // A compensation that could not be prepared orders nothing.
        let dropped = Set(unprepared.map(\.name))
        for position in plan.indices { plan[position].after.removeAll { dropped.contains($0) } }
        return (plan, unprepared)
    }

    /// The compensated descendants of `index` reached without passing another compensated node.
    private func nearestCompensated(below index: Int, declared: [Int: CompensationDeclaration]) -> [Int] {
        var seen = Set<Int>(), found: [Int] = [], stack = Array(graph.childIndices(of: index))
        while let node = stack.popLast() {
            guard seen.insert(node).inserted else { continue }
            if declared[node] != nil { found.append(node); continue }
            stack.append(contentsOf: graph.childIndices(of: node))
        }
        return found.sorted()
    }

    /// The compensation's parameters with each `$ref` replaced by the value at its pointer in
    /// the run's outputs (the node's own or an ancestor's, as validation checked).
    private func resolve(_ parameters: JSONValue, of index: Int, results: [(name: String, result: NodeResult)]) -> Result<JSONValue, ResultReadingError> {
        let references = ParameterReferenceScan(parameters: parameters).references
        guard !references.isEmpty else { return .success(parameters) }
        var values: [JSONValue] = []
        for reference in references {
            guard let target = graph.index(of: reference.node), let output = results[target].result.output,
                  let value = output.resolve(pointer: reference.pointer) else {
                return .failure(ResultReadingError("""
                    The compensation of `\(graph.workflow.nodes[index].name)` takes parameter \(reference.path) from \
                    $ref "\(reference.text)", which has no value; it was not run.
                    """))
            }
            values.append(value)
        }
        return .success(parameters.substituting(references, with: values))
    }

    /// A node's output as input items (as a child gets it): an array's elements, nothing for none.
    static func items(_ output: JSONValue?) -> JSONValue {
        switch output {
        case nil, .null?: return .array([])
        case .array(let elements)?: return .array(elements)
        case let value?: return .array([value])
        }
    }
}
