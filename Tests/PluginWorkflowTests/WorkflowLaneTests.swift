import Foundation
import PluginHostCore
import PluginRuntime
import PluginWorkflow
import Testing

/// ``WorkflowRunner`` with a ``BlockingWorkflowNodeExecutor``: the workers are lanes on the
/// executor's threads that call it synchronously. Same schedule, same limit, same cancellation
/// as the task-group form (``WorkflowRunnerTests``).
@Suite("Workflow runner: lanes on host threads")
struct WorkflowLaneTests {
    @Test("a 1 000-node chain runs every node once, in order, on one lane, each on a lane thread")
    func chain() async throws {
        let fake = FakeExecutor { _, _, input in
            FakeExecutor.Outcome(output: [.int((input.arrayValue?.first?.intValue ?? 0) + 1)])
        }
        let lanes = LaneExecutor(fake)
        let result = try await WorkflowRunner(workflow: Graphs.chain(1_000), executor: lanes, concurrency: 2).run()
        #expect(result.status == .success)
        #expect(result["n999"]?.output == [1_000])
        #expect(fake.calledNodes == (0..<1_000).map { "n\($0)" })
        #expect(fake.maxInFlight == 1)
        #expect(lanes.callsNotOnALane == 0)
        #expect(lanes.lanes >= 1)
    }

    @Test("a fan at concurrency 3 keeps at most 3 nodes in flight, in lanes 0–2, and runs every leaf once")
    func fanWithinLimit() async throws {
        let fake = FakeExecutor(sleepMilliseconds: 2)
        let lanes = LaneExecutor(fake)
        let result = try await WorkflowRunner(workflow: Graphs.fan(30), executor: lanes, concurrency: 3).run()
        #expect(result.status == .success)
        #expect(fake.calls.count == 30)   // the root and 29 leaves
        #expect(Set(fake.calledNodes).count == 30)
        #expect(fake.maxInFlight <= 3 && fake.maxInFlight >= 2, "\(fake.maxInFlight)")
        #expect(fake.calls.allSatisfy { (0..<3).contains($0.lane) })
        #expect(lanes.callsNotOnALane == 0)
    }

    @Test("a failed node cancels its descendants and fails the run; independent nodes still run")
    func failureCancelsDescendants() async throws {
        let fake = FakeExecutor { name, _, _ in
            name == "leaf3" ? FakeExecutor.Outcome(status: .error, output: nil, errorCode: .executionError) : FakeExecutor.Outcome(output: [])
        }
        let result = try await WorkflowRunner(workflow: Graphs.fan(6), executor: LaneExecutor(fake), concurrency: 2).run()
        #expect(result.status == .failed)
        #expect(result["leaf3"]?.status == .error)
        #expect(result.nodes.filter { $0.result.status == .success }.count == 5)   // the root and the other 4 leaves
    }

    @Test("cancelling the run's task: the running node finishes, the ones not started are cancelled")
    func taskCancellation() async throws {
        // n0 blocks its lane until the test has cancelled the task (the cancellation handler
        // runs inside task.cancel()), so the order is fixed however slow the machine is.
        let release = DispatchSemaphore(value: 0)
        let fake = FakeExecutor { name, _, _ in
            if name == "n0" { release.wait() }
            return FakeExecutor.Outcome(output: [])
        }
        let runner = try WorkflowRunner(workflow: Graphs.chain(3), executor: LaneExecutor(fake), concurrency: 1)
        let task = Task { await runner.run() }
        while fake.calls.isEmpty { try await Task.sleep(nanoseconds: 1_000_000) }
        task.cancel()
        release.signal()
        let result = await task.value
        #expect(result.status == .cancelled)
        #expect(result["n0"]?.status == .success)
        #expect(result["n1"]?.status == .cancelled)
        #expect(result["n1"]?.error == "not run: the run was cancelled")
        #expect(result["n2"]?.status == .cancelled)
        #expect(fake.calledNodes == ["n0"])
    }

    @Test("lanes that run out of work at the same moment end the run exactly once", .timeLimit(.minutes(1)))
    func simultaneousExits() async throws {
        // Wide layers at a high limit: many lanes find nothing ready at once, again and again.
        // Two of them both ending the run would resume its continuation twice and crash.
        for _ in 0..<200 {
            let fake = FakeExecutor()
            let result = try await WorkflowRunner(workflow: Graphs.layered(layers: 4, width: 16), executor: LaneExecutor(fake), concurrency: 8).run()
            #expect(result.status == .success)
            #expect(fake.calls.count == 64)
        }
    }

    @Test("a lane given up by the executor is carried on by its replacement: every node once, in order, the run ends once")
    func givenUpLanes() async throws {
        let fake = FakeExecutor { _, _, input in
            FakeExecutor.Outcome(output: [.int((input.arrayValue?.first?.intValue ?? 0) + 1)])
        }
        let lanes = LaneExecutor(fake, givenUp: ["n3", "n4", "n50", "n99"])
        let result = try await WorkflowRunner(workflow: Graphs.chain(100), executor: lanes, concurrency: 2).run()
        #expect(result.status == .success)
        #expect(result["n99"]?.output == [100])
        #expect(fake.calledNodes == (0..<100).map { "n\($0)" })
        #expect(lanes.lanesGivenUp == 4)
        #expect(lanes.callsNotOnALane == 0)

        // Wide layers: given-up lanes among many, and the limit still holds.
        let wide = FakeExecutor(sleepMilliseconds: 1)
        let layered = LaneExecutor(wide, givenUp: ["l1n0", "l1n5", "l2n3", "l3n7"])
        let layeredResult = try await WorkflowRunner(
            workflow: Graphs.layered(layers: 4, width: 8), executor: layered, concurrency: 3).run()
        #expect(layeredResult.status == .success)
        #expect(Set(wide.calledNodes).count == 32 && wide.calls.count == 32)
        #expect(wide.maxInFlight <= 3)
    }

    @Test("an empty workflow finishes at once")
    func empty() async throws {
        let result = try await WorkflowRunner(workflow: Workflow(name: "empty", nodes: []), executor: LaneExecutor(FakeExecutor()), concurrency: 2).run()
        #expect(result.status == .success)
        #expect(result.nodes.isEmpty)
    }
}
