import PluginHostCore
import PluginRuntime
import PluginWorkflow
import Testing

@Suite("Workflow pictures: DOT and traces")
struct WorkflowPictureTests {
    @Test("DOT output for a small graph, exactly: labels, connection order, indices, dashed refs")
    func dot() {
        let workflow = Graphs.parse(#"""
        { "name": "demo \"q\"",
          "nodes": [ { "name": "Greet", "type": "string.greet" }, { "name": "Add", "type": "math.add" },
                     { "name": "Shout", "type": "string.upper",
                       "parameters": { "text": { "$ref": "Greet#/result" }, "again": { "$ref": "Greet#/result" }, "all": [ { "$ref": "Add#" } ] } } ],
          "connections": { "Greet": { "main": [[ { "node": "Add" } ]] },
                           "Add": { "main": [[ { "node": "Shout" } ], [ { "node": "Shout", "index": 1 } ]] } } }
        """#)
        #expect(WorkflowGraph(workflow).dot() == #"""
        digraph "demo \"q\"" {
          rankdir=LR;
          node [shape=box];
          n0 [label="Greet\n(string.greet)"];
          n1 [label="Add\n(math.add)"];
          n2 [label="Shout\n(string.upper)"];
          n0 -> n1;
          n1 -> n2;
          n1 -> n2 [label="1→1"];
          n0 -> n2 [style=dashed, label="/result"];
          n1 -> n2 [style=dashed, label="#"];
        }

        """#)
    }

    @Test("DOT leaves out connections to unknown nodes and escapes names")
    func dotEscapes() {
        let workflow = Workflow(name: "w", nodes: [Graphs.node(#"a\b"#), Graphs.node("c")], edges: [
            WorkflowEdge(from: #"a\b"#, to: "c"), WorkflowEdge(from: "c", to: "ghost"),
        ])
        #expect(WorkflowGraph(workflow).dot() == """
        digraph "w" {
          rankdir=LR;
          node [shape=box];
          n0 [label="a\\\\b\\n(test.node)"];
          n1 [label="c\\n(test.node)"];
          n0 -> n1;
        }

        """)
    }

    @Test("the trace is Chrome trace-event JSON: named lanes, one X event per attempt, lanes never overlapping")
    func trace() async throws {
        let tracer = TraceRecorder(title: "wf")
        let executor = FakeExecutor(sleepMilliseconds: 1) { name, _, _ in
            switch name {
            case "leaf2": FakeExecutor.Outcome(output: [], attempts: 3)
            case "leaf5": FakeExecutor.Outcome(status: .error, output: nil, errorCode: .executionTimeout)
            default: FakeExecutor.Outcome(output: [])
            }
        }
        let workflow = Graphs.fan(12)
        _ = try await WorkflowRunner(workflow: workflow, executor: executor, concurrency: 3, tracer: tracer).run()

        // The recorded events: every attempt, lanes within the limit, no overlap within a lane.
        let events = tracer.events
        #expect(events.count == 12 + 2)
        #expect(events.filter { $0.nodeName == "leaf2" }.map(\.attempt).sorted() == [1, 2, 3])
        #expect(Set(events.map(\.lane)).isSubset(of: [0, 1, 2]))
        for lane in 0..<3 {
            let inLane = events.filter { $0.lane == lane }.sorted { $0.startNanoseconds < $1.startNanoseconds }
            for (earlier, later) in zip(inLane, inLane.dropFirst()) {
                #expect(earlier.endNanoseconds <= later.startNanoseconds, "\(earlier.nodeName) overlaps \(later.nodeName) in lane \(lane)")
            }
            #expect(inLane.allSatisfy { $0.startNanoseconds <= $0.endNanoseconds })
        }

        // The JSON, parsed back from text.
        let json = try JSONParser.parse(JSONWriter.string(tracer.chromeTraceJSON()))
        #expect(json["displayTimeUnit"] == "ms")
        let all = try #require(json["traceEvents"]?.arrayValue)
        let metadata = all.filter { $0["ph"] == "M" }
        #expect(metadata.first == ["name": "process_name", "ph": "M", "pid": 1, "tid": 0, "args": ["name": "wf"]])
        let laneNames = metadata.filter { $0["name"] == "thread_name" }.map { $0["args"]?["name"] }
        #expect(laneNames == ["worker 1", "worker 2", "worker 3"])
        let complete = all.filter { $0["ph"] == "X" }
        #expect(complete.count == 14)
        for event in complete {
            #expect(event["pid"] == 1)
            #expect((1...3).contains(event["tid"]?.intValue ?? 0))
            #expect((event["ts"]?.doubleValue ?? -1) >= 0)
            #expect((event["dur"]?.doubleValue ?? -1) >= 0)
            #expect(event["cat"] == "test.node")
            #expect(event["args"]?.objectValue?.keys == ["status", "errorCode", "attempt"])
        }
        let failed = try #require(complete.first { $0["name"] == "leaf5" })
        #expect(failed["args"] == ["status": "error", "errorCode": "EXECUTION_TIMEOUT", "attempt": 1])
        let retried = complete.filter { $0["name"] == "leaf2" }.map { $0["args"] }
        #expect(retried == [
            ["status": "error", "errorCode": "TRANSIENT_ERROR", "attempt": 1],
            ["status": "error", "errorCode": "TRANSIENT_ERROR", "attempt": 2],
            ["status": "success", "errorCode": nil, "attempt": 3],
        ])
        // Sorted by start, and within a lane each event ends before the next starts (µs, as written).
        let starts = complete.compactMap { $0["ts"]?.doubleValue }
        #expect(starts == starts.sorted())
        for tid in 1...3 {
            let lane = complete.filter { $0["tid"]?.intValue == Int64(tid) }
            for (earlier, later) in zip(lane, lane.dropFirst()) {
                let end = (earlier["ts"]?.doubleValue ?? 0) + (earlier["dur"]?.doubleValue ?? 0)
                #expect(end <= (later["ts"]?.doubleValue ?? 0) + 1e-6)
            }
        }
    }

    @Test("a node that never reached the plugin is one event with attempt 0")
    func traceWithoutAttempts() async throws {
        let tracer = TraceRecorder()
        struct Instant: WorkflowNodeExecutor {
            func execute(node: WorkflowNode, parameters: JSONValue, input: JSONValue, context: RunContext) async -> NodeResult {
                .failure(nodeType: node.type, code: .nodeTypeNotFound, message: "no such type", startedAt: WallClock.now())
            }
        }
        _ = try await WorkflowRunner(workflow: Graphs.chain(1), executor: Instant(), tracer: tracer).run()
        let events = tracer.events
        #expect(events.count == 1)
        #expect(events.first?.attempt == 0)
        #expect(events.first?.status == .error)
        #expect(events.first?.errorCode == .nodeTypeNotFound)
        #expect(events.first?.lane == 0)
    }
}
