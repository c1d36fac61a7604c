import PluginHostCore
import PluginWorkflow
import Testing

@Suite("Workflow parsing")
struct WorkflowParsingTests {
    static let demo = #"""
    { "name": "demo", "settings": { "concurrency": 3, "onError": "skip", "retry": { "maximumAttempts": 3 } },
      "nodes": [ { "name": "Add", "type": "math.add", "typeVersion": 2, "parameters": { "a": 2, "b": 3 },
                   "retry": { "maximumAttempts": 5 }, "onError": "fallback", "fallbackNodeType": "math.add-safe",
                   "timeoutMs": 1000, "position": [100, 200] },
                 { "name": "Shout", "type": "string.upper" },
                 { "name": "Log", "type": "string.upper", "parameters": { "text": {"$ref": "Add#/result"} } } ],
      "connections": { "Shout": { "main": [[ { "node": "Log", "type": "main", "index": 0 } ]] },
                       "Add": { "main": [[ { "node": "Shout", "type": "main", "index": 0 }, { "node": "Log" } ],
                                         null,
                                         [ { "node": "Log", "index": 2 } ]] } } }
    """#

    @Test("reads the demo workflow: settings, nodes with raw recovery fields, defaults")
    func readsEverything() {
        let parsed = Workflow.parse(text: Self.demo)
        #expect(parsed.problems == [])
        let workflow = parsed.workflow
        #expect(workflow.name == "demo")
        #expect(workflow.settings.concurrency == 3)
        #expect(workflow.settings.onError == "skip")
        #expect(workflow.settings.retry == ["maximumAttempts": 3])
        #expect(workflow.settings.timeoutMs == nil)
        #expect(workflow.nodes.map(\.name) == ["Add", "Shout", "Log"])
        let add = workflow.nodes[0]
        #expect(add.type == "math.add")
        #expect(add.typeVersion == 2)
        #expect(add.parameters == ["a": 2, "b": 3])
        #expect(add.retry == ["maximumAttempts": 5])
        #expect(add.onError == "fallback")
        #expect(add.fallbackNodeType == "math.add-safe")
        #expect(add.timeoutMs == 1000)
        let shout = workflow.nodes[1]
        #expect(shout.typeVersion == 1)
        #expect(shout.parameters == [:])
        #expect(shout.retry == nil && shout.onError == nil && shout.fallbackNodeType == nil && shout.timeoutMs == nil)
    }

    @Test("lists edges in connection order: sources as written, then outputs, then targets")
    func connectionOrder() {
        let edges = Workflow.parse(text: Self.demo).workflow.edges
        #expect(edges == [
            WorkflowEdge(from: "Shout", to: "Log", outputIndex: 0, inputIndex: 0),
            WorkflowEdge(from: "Add", to: "Shout", outputIndex: 0, inputIndex: 0),
            WorkflowEdge(from: "Add", to: "Log", outputIndex: 0, inputIndex: 0),
            WorkflowEdge(from: "Add", to: "Log", outputIndex: 2, inputIndex: 2),
        ])
    }

    @Test("settings default to concurrency 4 and onError fail")
    func defaults() {
        let workflow = Graphs.parse(#"{"nodes": []}"#)
        #expect(workflow.settings == WorkflowSettings(concurrency: 4, onError: "fail", retry: nil, timeoutMs: nil))
        #expect(workflow.name == "")
        #expect(workflow.edges == [])
    }

    @Test("text that is not JSON is one WORKFLOW_INVALID problem with its position")
    func notJSON() {
        let parsed = Workflow.parse(text: "{\"nodes\": [}")
        #expect(parsed.problems.map(\.code) == [.workflowInvalid])
        #expect(parsed.problems[0].message.contains("line 1, column 12"))
        #expect(parsed.workflow.nodes.isEmpty)
    }

    @Test("a repeated key is reported, since only its last value would be used")
    func duplicateKeys() {
        let parsed = Workflow.parse(text: #"{"nodes": [], "connections": {"A": {"main": []}, "A": {"main": []}}}"#)
        #expect(parsed.problems.map(\.code) == [.workflowInvalid])
        #expect(parsed.problems[0].message.contains("/connections/A"))
    }

    @Test("reports every shape problem at once and keeps what it could read")
    func everyShapeProblem() {
        let text = #"""
        { "name": 7, "settings": { "concurrency": 0 },
          "nodes": [ 5, { "type": "math.add" }, { "name": "A", "type": 3, "typeVersion": 1.5, "parameters": [1] },
                     { "name": "B", "type": "math.add" } ],
          "connections": { "A": { "main": [[ { "node": "B", "index": -1 }, { "type": "main" }, "B" ]], "ai_tool": [] },
                           "B": [] } }
        """#
        let parsed = Workflow.parse(text: text)
        #expect(parsed.problems.map(\.code) == Array(repeating: .workflowInvalid, count: 12))
        let messages = parsed.problems.map(\.message)
        #expect(messages[0] == "The workflow `name` must be a string, not integer.")
        #expect(messages[1] == "`settings.concurrency` must be a whole number of at least 1, not 0.")
        #expect(messages[2] == "Node 1 in `nodes` must be an object, not integer.")
        #expect(messages[3].hasPrefix("Node 2 in `nodes` has no `name`"))
        #expect(messages[4].hasPrefix("Node `A` has a `type` that is not a non-empty string"))
        #expect(messages[5].hasPrefix("Node `A` has a `typeVersion` of 1.5"))
        #expect(messages[6].hasPrefix("Node `A` has `parameters` that are array"))
        #expect(messages[7].hasPrefix("`connections.A.main[0][0]` has `index` -1"))
        #expect(messages[8].hasPrefix("`connections.A.main[0][1]` has no `node`"))
        #expect(messages[9].hasPrefix("`connections.A.main[0][2]` must be an object"))
        #expect(messages[10] == "`connections.A` has `ai_tool` connections; only `main` connections are supported.")
        #expect(messages[11].hasPrefix("`connections.B` must be an object"))
        #expect(parsed.problems[4].node == "A")
        #expect(parsed.workflow.nodes.map(\.name) == ["A", "B"])
        #expect(parsed.workflow.nodes[0].type == "")
        #expect(parsed.workflow.edges.isEmpty)
    }

    @Test("a workflow that is not an object, or has no nodes, says so")
    func wrongRoot() {
        #expect(Workflow.parse(text: "[]").problems.map(\.message) == [
            "The workflow must be a JSON object with `nodes` and `connections`, not array.",
        ])
        #expect(Workflow.parse(text: "{}").problems.map(\.message) == ["The workflow has no `nodes` array; add one listing its nodes."])
    }
}
