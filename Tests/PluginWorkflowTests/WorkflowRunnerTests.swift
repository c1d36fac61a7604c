import PluginHostCore
import PluginRuntime
import PluginWorkflow
import Synchronization
import Testing

@Suite("Workflow runner")
struct WorkflowRunnerTests {
    static func run(_ workflow: Workflow, _ executor: FakeExecutor, concurrency: Int? = nil) async throws -> WorkflowRunResult {
        try await WorkflowRunner(workflow: workflow, executor: executor, concurrency: concurrency).run()
    }

    @Test("a node's input is its parents' output items in connection order")
    func inputOrder() async throws {
        let workflow = Graphs.parse(#"""
        { "nodes": [ { "name": "A", "type": "t" }, { "name": "B", "type": "t" }, { "name": "C", "type": "t" },
                     { "name": "N", "type": "t" }, { "name": "S", "type": "t" }, { "name": "Sink", "type": "t" } ],
          "connections": { "C": { "main": [[ { "node": "Sink" } ]] }, "A": { "main": [[ { "node": "Sink" } ]] },
                           "N": { "main": [[ { "node": "Sink" } ]] }, "S": { "main": [[ { "node": "Sink" } ]] },
                           "B": { "main": [[ { "node": "Sink" } ]] } } }
        """#)
        let executor = FakeExecutor { name, _, _ in
            switch name {
            case "A": FakeExecutor.Outcome(output: [1, 2])
            case "B": FakeExecutor.Outcome(output: ["b": true])
            case "C": FakeExecutor.Outcome(output: "c")
            case "N": FakeExecutor.Outcome(output: .null)
            case "S": FakeExecutor.Outcome(status: .skipped, output: nil)
            default: FakeExecutor.Outcome(output: [])
            }
        }
        let result = try await Self.run(workflow, executor)
        #expect(executor.call("Sink")?.input == ["c", 1, 2, ["b": true]])
        #expect(executor.call("A")?.input == [])
        #expect(result.status == .success)
    }

    @Test("two connections from one parent deliver its items twice, in connection order")
    func repeatedConnection() async throws {
        let workflow = Workflow(name: "w", nodes: [Graphs.node("P"), Graphs.node("Q"), Graphs.node("Sink")], edges: [
            WorkflowEdge(from: "P", to: "Sink"), WorkflowEdge(from: "Q", to: "Sink"), WorkflowEdge(from: "P", to: "Sink", outputIndex: 1),
        ])
        let executor = FakeExecutor { name, _, _ in FakeExecutor.Outcome(output: .string(name)) }
        _ = try await Self.run(workflow, executor)
        #expect(executor.call("Sink")?.input == ["P", "Q", "P"])
    }

    @Test("$refs are resolved from the referenced node's output just before the node runs, nested too")
    func referenceResolution() async throws {
        let workflow = Graphs.parse(#"""
        { "nodes": [ { "name": "Src", "type": "t" }, { "name": "Mid", "type": "t" },
                     { "name": "Use", "type": "t", "parameters": { "x": { "$ref": "Src#/result/list/1" }, "keep": 5,
                                                                   "nested": { "deep": [ 0, { "$ref": "Src#/result" } ] },
                                                                   "all": { "$ref": "Mid#" }, "odd": { "$ref": "Src#/a~1b" } } } ],
          "connections": { "Src": { "main": [[ { "node": "Mid" } ]] }, "Mid": { "main": [[ { "node": "Use" } ]] } } }
        """#)
        let executor = FakeExecutor { name, _, _ in
            switch name {
            case "Src": FakeExecutor.Outcome(output: ["result": ["list": [10, 20]], "a/b": "slash"])
            case "Mid": FakeExecutor.Outcome(output: "mid")
            default: FakeExecutor.Outcome(output: [])
            }
        }
        let result = try await Self.run(workflow, executor)
        #expect(result.status == .success)
        #expect(executor.call("Use")?.parameters == [
            "x": 20, "keep": 5, "nested": ["deep": [0, ["list": [10, 20]]]], "all": "mid", "odd": "slash",
        ])
    }

    @Test("a $ref that does not resolve fails the node with INVALID_PARAMETERS without calling the executor")
    func unresolvableReference() async throws {
        let workflow = Graphs.parse(#"""
        { "nodes": [ { "name": "Src", "type": "t" }, { "name": "Use", "type": "math.add", "parameters": { "a": { "$ref": "Src#/missing/0" } } },
                     { "name": "After", "type": "t" } ],
          "connections": { "Src": { "main": [[ { "node": "Use" } ]] }, "Use": { "main": [[ { "node": "After" } ]] } } }
        """#)
        let executor = FakeExecutor { _, _, _ in FakeExecutor.Outcome(output: ["present": 1]) }
        let result = try await Self.run(workflow, executor)
        #expect(executor.calledNodes == ["Src"])
        let use = try #require(result["Use"])
        #expect(use.status == .error)
        #expect(use.nodeType == "math.add")
        #expect(use.errorCode == .invalidParameters)
        #expect(use.error == "Parameter /a takes its value from $ref \"Src#/missing/0\", but Src's output has no value at \"/missing/0\"; fix the pointer.")
        #expect(use.attempts.isEmpty)
        #expect(result["After"]?.status == .cancelled)
        #expect(result.status == .failed)
    }

    @Test("a $ref to a skipped node does not resolve: the skipped node has no output")
    func referenceToSkipped() async throws {
        let workflow = Graphs.parse(#"""
        { "nodes": [ { "name": "Src", "type": "t" }, { "name": "Use", "type": "t", "parameters": { "a": { "$ref": "Src#" } } } ],
          "connections": { "Src": { "main": [[ { "node": "Use" } ]] } } }
        """#)
        let executor = FakeExecutor { name, _, _ in FakeExecutor.Outcome(status: name == "Src" ? .skipped : .success, output: nil) }
        let result = try await Self.run(workflow, executor)
        #expect(result["Use"]?.errorCode == .invalidParameters)
        #expect(result["Use"]?.error == "Parameter /a takes its value from $ref \"Src#\", but Src ended skipped and has no output.")
    }

    @Test("a failed node cancels its descendants while an independent branch completes; the run fails")
    func cancellation() async throws {
        // Bad → Child → Grandchild, Good → Child too; Other → OtherChild is independent.
        let workflow = Workflow(name: "w", nodes: ["Bad", "Good", "Child", "Grandchild", "Other", "OtherChild"].map { Graphs.node($0) }, edges: [
            WorkflowEdge(from: "Bad", to: "Child"), WorkflowEdge(from: "Good", to: "Child"),
            WorkflowEdge(from: "Child", to: "Grandchild"), WorkflowEdge(from: "Other", to: "OtherChild"),
        ])
        let executor = FakeExecutor(sleepMilliseconds: 1) { name, _, _ in
            name == "Bad" ? FakeExecutor.Outcome(status: .error, output: nil, errorCode: .executionError) : FakeExecutor.Outcome(output: [1])
        }
        let result = try await Self.run(workflow, executor, concurrency: 2)
        #expect(result.status == .failed)
        #expect(result.nodes.map(\.name) == ["Bad", "Good", "Child", "Grandchild", "Other", "OtherChild"])
        #expect(result.nodes.map(\.result.status) == [.error, .success, .cancelled, .cancelled, .success, .success])
        for name in ["Child", "Grandchild"] {
            let cancelled = try #require(result[name])
            #expect(cancelled.error == "not run: upstream node Bad failed")
            #expect(cancelled.errorCode == nil)
            #expect(cancelled.attempts.isEmpty)
        }
        #expect(Set(executor.calledNodes) == ["Bad", "Good", "Other", "OtherChild"])
    }

    @Test("a skipped node lets its children run, and the run succeeds")
    func skippedParent() async throws {
        let executor = FakeExecutor { name, _, _ in
            name == "n1" ? FakeExecutor.Outcome(status: .skipped, output: nil) : FakeExecutor.Outcome(output: [.string(name)])
        }
        let result = try await Self.run(Graphs.chain(3), executor)
        #expect(result.status == .success)
        #expect(executor.calledNodes == ["n0", "n1", "n2"])
        #expect(executor.call("n2")?.input == [])
    }

    @Test("run --json: status, durationMs and every node result by name in workflow order")
    func runJSON() async throws {
        let executor = FakeExecutor { name, _, _ in FakeExecutor.Outcome(output: ["from": .string(name)]) }
        let result = try await Self.run(Graphs.chain(2), executor)
        let json = result.json()
        #expect(json.objectValue?.keys == ["status", "durationMs", "nodes", "rollback"])
        #expect(json["rollback"] == .null)
        #expect(json["status"] == "success")
        #expect((json["durationMs"]?.doubleValue ?? -1) >= 0)
        #expect(json["nodes"]?.objectValue?.keys == ["n0", "n1"])
        #expect(json["nodes"]?["n1"] == result["n1"]?.json())
        #expect(json["nodes"]?["n1"]?["output"] == ["from": "n1"])
    }

    @Test("the runner refuses a workflow it cannot schedule, with the graph problems")
    func refusesCycles() {
        var workflow = Graphs.chain(3)
        workflow.edges.append(WorkflowEdge(from: "n2", to: "n0"))
        #expect {
            _ = try WorkflowRunner(workflow: workflow, executor: FakeExecutor())
        } throws: { error in
            (error as? WorkflowValidationReport)?.problems.map(\.code) == [.workflowCycle]
        }
    }

    @Test("an empty workflow succeeds at once")
    func empty() async throws {
        let result = try await Self.run(Workflow(name: "none", nodes: []), FakeExecutor())
        #expect(result.status == .success)
        #expect(result.nodes.isEmpty)
    }

    @Test("progress counts every node, one call per finished node, ending at done == total")
    func progress() async throws {
        let seen = Locked<[RunProgress]>([])
        let workflow = Graphs.fan(6)
        let executor = FakeExecutor { name, _, _ in
            name == "leaf3" ? FakeExecutor.Outcome(status: .error, output: nil, errorCode: .executionError) : FakeExecutor.Outcome(output: [])
        }
        let runner = try WorkflowRunner(workflow: workflow, executor: executor, concurrency: 2) { progress in
            seen.withLock { $0.append(progress) }
        }
        _ = await runner.run()
        let reports = seen.withLock { $0 }
        #expect(reports.count == 6)
        #expect(reports.map(\.done) == [1, 2, 3, 4, 5, 6])
        #expect(reports.allSatisfy { $0.total == 6 && $0.running >= 0 && $0.running <= 2 })
        #expect(reports.last == RunProgress(done: 6, running: 0, total: 6, failed: 1))
    }

    @Test("cancelling the run's task cancels the nodes not yet started")
    func taskCancellation() async throws {
        // n0 sleeps until cancelled (up to 10 s); the test cancels once n0 is in the executor.
        let executor = FakeExecutor(sleepMilliseconds: 10_000)
        let runner = try WorkflowRunner(workflow: Graphs.chain(3), executor: executor, concurrency: 1)
        let task = Task { await runner.run() }
        while executor.calls.isEmpty { try await Task.sleep(nanoseconds: 1_000_000) }
        task.cancel()
        let result = await task.value
        #expect(result.status == .cancelled)
        #expect(result["n0"]?.status == .success)
        #expect(result["n1"]?.status == .cancelled)
        #expect(result["n1"]?.error == "not run: the run was cancelled")
        #expect(result["n2"]?.status == .cancelled)
        #expect(executor.calledNodes == ["n0"])
    }

    @Test("10 000-node chain: every node runs once, in order, each output feeding the next")
    func longChain() async throws {
        let executor = FakeExecutor { _, _, input in
            FakeExecutor.Outcome(output: [.int((input.arrayValue?.first?.intValue ?? 0) + 1)])
        }
        let result = try await Self.run(Graphs.chain(10_000), executor, concurrency: 2)
        #expect(result.status == .success)
        #expect(result["n9999"]?.output == [10_000])
        #expect(executor.calls.count == 10_000)
        #expect(executor.maxInFlight == 1)
    }

    @Test("10 000-node fan: every leaf runs once with the root's items")
    func wideFan() async throws {
        let executor = FakeExecutor { name, _, _ in FakeExecutor.Outcome(output: name == "root" ? [7] : []) }
        let result = try await Self.run(Graphs.fan(10_000), executor, concurrency: 2)
        #expect(result.status == .success)
        #expect(executor.calls.count == 10_000)
        #expect(Set(executor.calledNodes).count == 10_000)
        #expect(executor.calls.allSatisfy { $0.node == "root" ? $0.input == [] : $0.input == [7] })
    }
}
