import PluginHostCore
import PluginRuntime
import PluginWorkflow
import Testing

@Suite("Workflow concurrency limit")
struct WorkflowConcurrencyTests {
    static let shapes: [(name: String, workflow: Workflow)] = [
        ("chain", Graphs.chain(30)),
        ("fan", Graphs.fan(40)),
        ("layered", Graphs.layered(layers: 6, width: 8)),
    ]

    @Test("never more nodes in flight than the limit; independent nodes do overlap", arguments: [1, 2, 3])
    func limit(concurrency: Int) async throws {
        for shape in Self.shapes {
            let executor = FakeExecutor(sleepMilliseconds: 2)
            let result = try await WorkflowRunner(workflow: shape.workflow, executor: executor, concurrency: concurrency).run()
            #expect(result.status == .success, "\(shape.name)")
            #expect(executor.calls.count == shape.workflow.nodes.count, "\(shape.name)")
            #expect(executor.maxInFlight <= concurrency, "\(shape.name)")
            #expect(executor.calls.allSatisfy { $0.lane >= 0 && $0.lane < concurrency }, "\(shape.name)")
            if shape.name == "chain" {
                #expect(executor.maxInFlight == 1)
            } else {
                // 40 leaves or 8-wide layers sleeping 2 ms each: the limit is reached.
                #expect(executor.maxInFlight == concurrency, "\(shape.name)")
            }
        }
    }

    @Test("the workflow's settings.concurrency applies when no override is given")
    func settingsConcurrency() async throws {
        var workflow = Graphs.fan(30)
        workflow.settings.concurrency = 3
        let executor = FakeExecutor(sleepMilliseconds: 2)
        let runner = try WorkflowRunner(workflow: workflow, executor: executor)
        #expect(runner.concurrency == 3)
        _ = await runner.run()
        #expect(executor.maxInFlight == 3)
    }

    @Test("a huge limit costs nothing up front and uses only the lanes it needs")
    func hugeLimit() async throws {
        let executor = FakeExecutor(sleepMilliseconds: 2)
        let result = try await WorkflowRunner(workflow: Graphs.fan(5), executor: executor, concurrency: Int(Int32.max)).run()
        #expect(result.status == .success)
        #expect(executor.maxInFlight <= 4)
        #expect(executor.calls.allSatisfy { $0.lane < 4 })
    }

    @Test("a node runs only after all its parents finished")
    func parentsFirst() async throws {
        let workflow = Graphs.layered(layers: 5, width: 6)
        let executor = FakeExecutor(sleepMilliseconds: 1)
        let result = try await WorkflowRunner(workflow: workflow, executor: executor, concurrency: 4).run()
        let graph = WorkflowGraph(workflow)
        for (index, node) in workflow.nodes.enumerated() {
            let started = try #require(result[node.name]).startedAt
            for edge in workflow.edges where edge.to == node.name {
                let parent = try #require(result[edge.from])
                #expect(parent.finishedAt <= started, "\(edge.from) → \(node.name)")
            }
            #expect(graph.index(of: node.name) == index)
        }
    }
}
