import PluginHostCore
import PluginRuntime
import PluginWorkflow
import Testing

@Suite("WorkflowRecovery: node fields over workflow settings")
struct WorkflowRecoveryTests {
    static let settings = WorkflowSettings(
        onError: "skip", retry: ["maximumAttempts": 3, "initialIntervalMs": 20], timeoutMs: 500)

    @Test("a node without recovery fields inherits the settings")
    func inherits() {
        let (recovery, problems) = WorkflowRecovery(settings: Self.settings).recovery(for: WorkflowNode(name: "A", type: "math.add"), pointer: "/nodes/0")
        #expect(problems.isEmpty)
        #expect(recovery?.retry.maximumAttempts == 3)
        #expect(recovery?.retry.initialIntervalMs == 20)
        #expect(recovery?.errorHandling == ErrorHandling(strategy: .skip))
        #expect(recovery?.timeoutMs == 500)
    }

    @Test("node fields win, retry merged field by field, timeoutMs null removes the limit")
    func nodeWins() {
        let node = WorkflowNode(
            name: "A", type: "math.add", retry: ["initialIntervalMs": 50], onError: "fallback",
            fallbackNodeType: "math.sub", timeoutMs: .null)
        let (recovery, problems) = WorkflowRecovery(settings: Self.settings).recovery(for: node, pointer: "/nodes/0")
        #expect(problems.isEmpty)
        #expect(recovery?.retry.maximumAttempts == 3)
        #expect(recovery?.retry.initialIntervalMs == 50)
        #expect(recovery?.errorHandling == ErrorHandling(strategy: .fallback, fallbackNodeType: "math.sub"))
        #expect(recovery?.timeoutMs == nil)
    }

    @Test("no settings and no fields is NodeRecovery.none")
    func none() {
        let (recovery, _) = WorkflowRecovery(settings: WorkflowSettings()).recovery(for: WorkflowNode(name: "A", type: "math.add"), pointer: "/nodes/0")
        #expect(recovery == NodeRecovery.none)
    }

    @Test("invalid timeouts are RECOVERY_INVALID at their pointer", arguments: [JSONValue.int(0), -5, "100", 86_400_001])
    func badTimeout(value: JSONValue) {
        let node = WorkflowNode(name: "A", type: "math.add", timeoutMs: value)
        let (recovery, problems) = WorkflowRecovery(settings: WorkflowSettings()).recovery(for: node, pointer: "/nodes/2")
        #expect(recovery == nil)
        #expect(problems.map(\.code) == [.recoveryInvalid])
        #expect(problems.first?.message.hasPrefix("`/nodes/2/timeoutMs`") == true)
    }

    @Test("settings problems are reported once by the settings, not by each node")
    func settingsProblemsOnce() {
        let reading = WorkflowRecovery(settings: WorkflowSettings(onError: "fallback", timeoutMs: "soon"))
        #expect(reading.settingsProblems.map(\.code) == [.recoveryInvalid, .recoveryInvalid])
        let (recovery, problems) = reading.recovery(for: WorkflowNode(name: "A", type: "math.add"), pointer: "/nodes/0")
        #expect(problems.isEmpty)
        #expect(recovery == NodeRecovery.none)
    }

    @Test("an executor for a workflow with invalid recovery fails that node with RECOVERY_INVALID, without running it")
    func executorRefusesInvalidRecovery() async throws {
        let host = try BundledHost.make()
        let workflow = Workflow(name: "w", nodes: [WorkflowNode(name: "A", type: "math.add", parameters: ["a": 1, "b": 2], retry: ["jitter": 5])])
        let executor = HostNodeExecutor(host: host, tenant: nil, workflow: workflow)
        let result = await executor.execute(
            node: workflow.nodes[0], parameters: workflow.nodes[0].parameters, input: [],
            context: RunContext(workflowName: "w", nodeIndex: 0, lane: 0, settings: workflow.settings))
        #expect(result.status == .error)
        #expect(result.errorCode == .recoveryInvalid)
        #expect(host.registry.statisticsSnapshot().isEmpty)
    }
}
