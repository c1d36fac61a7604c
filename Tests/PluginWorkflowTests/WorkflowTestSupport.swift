import PluginHostCore
import PluginMetadata
import PluginRuntime
import PluginWorkflow
import Synchronization
import Foundation

/// A fake node executor: runs no plugin, computes each node's result with a closure, and
/// records every call and the most calls it ever had in flight at once.
final class FakeExecutor: WorkflowNodeExecutor {
    struct Call: Sendable {
        var node: String
        var parameters: JSONValue
        var input: JSONValue
        var lane: Int
        /// The id the runner asked the node to run under (set when the run keeps a journal).
        var executionID: ExecutionID? = nil
    }

    struct Outcome: Sendable {
        var status: NodeStatus = .success
        var output: JSONValue?
        var errorCode: ProblemCode?
        /// How many attempts the fake reports (all but the last as failed).
        var attempts = 1
    }

    private struct State {
        var inFlight = 0
        var maxInFlight = 0
        var calls: [Call] = []
    }

    private let behaviour: @Sendable (String, JSONValue, JSONValue) -> Outcome
    private let sleepNanoseconds: UInt64
    private let state = Locked(State())

    /// `behaviour(name, parameters, input)` decides each node's outcome; `sleepMilliseconds`
    /// keeps each call in flight that long (so overlapping calls are visible).
    init(sleepMilliseconds: Double = 0, behaviour: @escaping @Sendable (String, JSONValue, JSONValue) -> Outcome = { _, _, _ in Outcome(output: []) }) {
        self.behaviour = behaviour
        self.sleepNanoseconds = UInt64(sleepMilliseconds * 1_000_000)
    }

    var calls: [Call] { state.withLock { $0.calls } }
    var maxInFlight: Int { state.withLock { $0.maxInFlight } }
    var calledNodes: [String] { calls.map(\.node) }

    func call(_ name: String) -> Call? { calls.first { $0.node == name } }

    func execute(node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext) async -> NodeResult {
        let (outcome, startedAt) = begin(node: node, parameters: parameters, input: input, context: context)
        var attempts: [NodeAttempt] = []
        for number in 1...max(outcome.attempts, 1) {
            let attemptStart = WallClock.now()
            if sleepNanoseconds > 0 { try? await Task.sleep(nanoseconds: sleepNanoseconds) }
            attempts.append(Self.attempt(number, of: outcome, startedAt: attemptStart))
        }
        return end(node: node, outcome: outcome, attempts: attempts, startedAt: startedAt)
    }

    /// The same, blocking the calling thread (for ``LaneExecutor``); the sleep is not cancellable.
    func executeBlocking(node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext) -> NodeResult {
        let (outcome, startedAt) = begin(node: node, parameters: parameters, input: input, context: context)
        var attempts: [NodeAttempt] = []
        for number in 1...max(outcome.attempts, 1) {
            let attemptStart = WallClock.now()
            if sleepNanoseconds > 0 { usleep(UInt32(sleepNanoseconds / 1_000)) }
            attempts.append(Self.attempt(number, of: outcome, startedAt: attemptStart))
        }
        return end(node: node, outcome: outcome, attempts: attempts, startedAt: startedAt)
    }

    private func begin(node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext) -> (Outcome, Double) {
        state.withLock { state in
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            state.calls.append(Call(node: node.name, parameters: parameters, input: input, lane: context.lane, executionID: context.executionID))
        }
        return (behaviour(node.name, parameters, input), WallClock.now())
    }

    private static func attempt(_ number: Int, of outcome: Outcome, startedAt: Double) -> NodeAttempt {
        let last = number == outcome.attempts
        return NodeAttempt(
            number: number, status: last ? outcome.status : .error, errorCode: last ? outcome.errorCode : .transientError,
            durationMs: (WallClock.now() - startedAt) * 1000, startedAt: startedAt)
    }

    private func end(node: WorkflowNode, outcome: Outcome, attempts: [NodeAttempt], startedAt: Double) -> NodeResult {
        state.withLock { $0.inFlight -= 1 }
        var result = NodeResult(nodeType: node.type, status: outcome.status, startedAt: startedAt)
        result.output = outcome.output
        result.errorCode = outcome.errorCode
        if outcome.status == .error { result.error = "\(node.name) failed" }
        result.attempts = attempts
        result.finishedAt = WallClock.now()
        result.durationMs = (result.finishedAt - startedAt) * 1000
        return result
    }
}

/// ``FakeExecutor`` as a ``BlockingWorkflowNodeExecutor``: the runner's workers become lanes on
/// threads this starts (plain pthreads), and it records whether every call ran on one of them.
/// The nodes in `givenUp` play a call past its deadline: their lane's thread is given up (it
/// returns nil, after the replacement has delivered), and a new lane thread delivers the result.
final class LaneExecutor: BlockingWorkflowNodeExecutor {
    let fake: FakeExecutor
    let givenUp: Set<String>
    private let lanesStarted = Atomic<Int>(0)
    private let callsOffLane = Atomic<Int>(0)
    private let replacements = Atomic<Int>(0)
    init(_ fake: FakeExecutor, givenUp: Set<String> = []) {
        self.fake = fake
        self.givenUp = givenUp
    }

    var lanes: Int { lanesStarted.load(ordering: .relaxed) }
    var callsNotOnALane: Int { callsOffLane.load(ordering: .relaxed) }
    var lanesGivenUp: Int { replacements.load(ordering: .relaxed) }

    func execute(node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext) async -> NodeResult {
        callsOffLane.add(1, ordering: .relaxed)   // the runner must not take this path
        return await fake.execute(node: node, parameters: parameters, input: input, context: context)
    }

    func executeOnLane(
        node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext,
        replacement: @escaping @Sendable (NodeResult) -> Void
    ) -> NodeResult? {
        if !LaneMark.isSet { callsOffLane.add(1, ordering: .relaxed) }
        let result = fake.executeBlocking(node: node, parameters: parameters, input: input, context: context)
        guard givenUp.contains(node.name) else { return result }
        replacements.add(1, ordering: .relaxed)
        let delivered = DispatchSemaphore(value: 0)
        startLane {
            replacement(result)
            delivered.signal()
        }
        // The given-up thread comes back only after its replacement has carried the lane on
        // (here: run the rest of the workflow), as a hung plugin call would.
        delivered.wait()
        return nil
    }

    func startLane(_ lane: @escaping @Sendable () -> Void) {
        lanesStarted.add(1, ordering: .relaxed)
        let thread = Thread {
            LaneMark.isSet = true
            lane()
        }
        thread.start()
    }
}

/// A thread-local flag: set on the threads ``LaneExecutor`` starts.
enum LaneMark {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
    static var isSet: Bool {
        get { pthread_getspecific(key) != nil }
        set { pthread_setspecific(key, newValue ? UnsafeRawPointer(bitPattern: 1) : nil) }
    }
}

/// Builds workflows in code.
enum Graphs {
    static func node(_ name: String, _ type: String = "test.node", parameters: JSONValue = [:]) -> WorkflowNode {
        WorkflowNode(name: name, type: type, parameters: parameters)
    }

    /// `n0 → n1 → … → n(count-1)`.
    static func chain(_ count: Int) -> Workflow {
        let nodes = (0..<count).map { node("n\($0)") }
        let edges = (1..<max(count, 1)).map { WorkflowEdge(from: "n\($0 - 1)", to: "n\($0)") }
        return Workflow(name: "chain", nodes: nodes, edges: edges)
    }

    /// `root → leaf1 … leaf(count-1)`.
    static func fan(_ count: Int) -> Workflow {
        let nodes = [node("root")] + (1..<count).map { node("leaf\($0)") }
        let edges = (1..<count).map { WorkflowEdge(from: "root", to: "leaf\($0)") }
        return Workflow(name: "fan", nodes: nodes, edges: edges)
    }

    /// `layers` layers of `width` nodes; node (l, i) depends on (l-1, i) and (l-1, (i+1) % width).
    static func layered(layers: Int, width: Int) -> Workflow {
        var nodes: [WorkflowNode] = []
        var edges: [WorkflowEdge] = []
        for layer in 0..<layers {
            for index in 0..<width {
                nodes.append(node("l\(layer)n\(index)"))
                guard layer > 0 else { continue }
                edges.append(WorkflowEdge(from: "l\(layer - 1)n\(index)", to: "l\(layer)n\(index)"))
                if width > 1 { edges.append(WorkflowEdge(from: "l\(layer - 1)n\((index + 1) % width)", to: "l\(layer)n\(index)")) }
            }
        }
        return Workflow(name: "layered", nodes: nodes, edges: edges)
    }

    /// Parses workflow JSON text that the test expects to be well-formed.
    static func parse(_ text: String) -> Workflow {
        let parsed = Workflow.parse(text: text)
        precondition(parsed.problems.isEmpty, "\(parsed.problems)")
        return parsed.workflow
    }
}

/// A node catalog from a table, standing in for the host's registry and policies.
struct TableCatalog: NodeCatalog {
    /// Node type → its descriptor; `required` parameters must be present and integers.
    var descriptors: [String: NodeDescriptor]
    /// Node types the tenant "restricted" may not use.
    var restricted: Set<String> = []

    func describe(nodeType: String, tenant: String?) -> NodeCatalogEntry {
        guard let descriptor = descriptors[nodeType] else {
            // Suggest types that differ only in case or dots, standing in for the host's edit distance.
            func squash(_ text: String) -> String { String(text.lowercased().filter { $0 != "." }) }
            let suggestions = descriptors.keys.filter { squash($0) == squash(nodeType) }
            return .notFound(suggestions: suggestions.sorted())
        }
        if tenant == "restricted" && restricted.contains(nodeType) {
            return .disallowed(Problem(.nodeTypeDisabledForTenant, .error, "Tenant restricted may not use \(nodeType).", node: nodeType))
        }
        return .found(descriptor)
    }

    func validateParameters(nodeType: String, parameters: JSONValue) -> [ParameterViolation] {
        guard let descriptor = descriptors[nodeType] else { return [] }
        var violations: [ParameterViolation] = []
        for field in descriptor.requiredFields {
            switch parameters[field] {
            case nil: violations.append(ParameterViolation(path: "/\(field)", message: "is required"))
            case .int?: break
            case let other?: violations.append(ParameterViolation(path: "/\(field)", message: "must be an integer, not \(other.typeName)"))
            }
        }
        return violations
    }

    func validateRecovery(node: WorkflowNode, settings: WorkflowSettings) -> [Problem] {
        guard let onError = node.onError else { return [] }
        if case .string(let text) = onError, ["fail", "fallback", "skip", "continue"].contains(text) { return [] }
        return [Problem(.recoveryInvalid, .error, "onError must be fail, fallback, skip or continue.")]
    }

    func validateRecovery(settings: WorkflowSettings) -> [Problem] {
        if case .string(let text) = settings.onError, ["fail", "fallback", "skip", "continue"].contains(text) { return [] }
        return [Problem(.recoveryInvalid, .error, "settings.onError must be fail, fallback, skip or continue.")]
    }

    static let standard = TableCatalog(descriptors: [
        "math.add": NodeDescriptor(nodeType: "math.add", requiredFields: ["a", "b"], supportedVersions: [1, 2]),
        "math.add-safe": NodeDescriptor(nodeType: "math.add-safe", requiredFields: ["a", "b"]),
        "string.upper": NodeDescriptor(nodeType: "string.upper"),
        "http.get": NodeDescriptor(nodeType: "http.get"),
    ], restricted: ["http.get"])
}
