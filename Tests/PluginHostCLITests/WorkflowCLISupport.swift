import Foundation
import PluginHostCore
import PluginHostTestSupport

/// Workflow files for the `validate` and `run` tests.
enum WorkflowFiles {
    /// `examples/NAME.workflow.json` in the repository.
    static func example(_ name: String) -> String { CPluginBuilder.repositoryRoot + "/examples/\(name).workflow.json" }

    /// One workflow with every validation problem there is except TENANT_UNKNOWN (which hides
    /// the per-node tenant checks): run it with ``policy`` and `--tenant acme`.
    static let everyProblem = #"""
        {
          "name": "broken",
          "settings": { "retry": { "maximumAttempts": 0 } },
          "nodes": [
            { "name": "Add", "type": "math.add", "parameters": { "a": 1 } },
            { "name": "Add", "type": "math.add", "parameters": { "a": 1, "b": 2 } },
            { "name": "Typo", "type": "math.ad", "parameters": {} },
            { "name": "Old", "type": "string.upper", "typeVersion": 7, "parameters": { "text": "x" } },
            { "name": "Early", "type": "string.upper", "parameters": { "text": { "$ref": "Late#/result" } } },
            { "name": "Late", "type": "string.length", "parameters": { "text": "x" } },
            { "name": "Banned", "type": "string.lower", "parameters": { "text": "x" } },
            { "name": "Ping", "type": "math.mul", "parameters": { "a": 1, "b": 2 }, "timeoutMs": -1 },
            { "name": "Pong", "type": "math.mul", "parameters": { "a": 1, "b": 2 } }
          ],
          "connections": {
            "Add": { "main": [[ { "node": "Ghost", "type": "main", "index": 0 } ]] },
            "Ping": { "main": [[ { "node": "Pong", "type": "main", "index": 0 } ]] },
            "Pong": { "main": [[ { "node": "Ping", "type": "main", "index": 0 } ]], "ai_tool": [] }
          }
        }
        """#

    /// Tenant `acme` may not use string.lower.
    static let policy = #"{"tenants": [{"tenantId": "acme", "restrictedNodeTypes": ["string.lower"]}]}"#

    /// A workflow whose first node fails (division by zero) and whose second depends on it.
    static let failing = #"""
        {"nodes": [{"name": "Div", "type": "math.div", "parameters": {"a": 1, "b": 0}},
                   {"name": "After", "type": "math.add", "parameters": {"a": 1, "b": 1}}],
         "connections": {"Div": {"main": [[{"node": "After", "type": "main", "index": 0}]]}}}
        """#

    /// A three-node math workflow (no Swift plugin, so it runs in sanitizer builds too).
    static let math = #"""
        {"name": "math", "nodes": [{"name": "Two", "type": "math.add", "parameters": {"a": 1, "b": 1}},
                   {"name": "Three", "type": "math.add", "parameters": {"a": 1, "b": 2}},
                   {"name": "Six", "type": "math.mul", "parameters": {"a": {"$ref": "Two#/result"}, "b": {"$ref": "Three#/result"}}}],
         "connections": {"Two": {"main": [[{"node": "Six", "type": "main", "index": 0}]]},
                         "Three": {"main": [[{"node": "Six", "type": "main", "index": 0}]]}}}
        """#
}

extension JSONValue {
    /// `[code, node]` pairs of a `validate --json` document's problems, in order.
    var problemPairs: [[String]] {
        self["problems"]?.arrayValue?.map { [$0["code"]?.stringValue ?? "?", $0["node"]?.stringValue ?? "-"] } ?? []
    }
}

/// Hello example tests load the Swift greeter plugin, which a TSan build cannot load into the
/// uninstrumented CLI.
let sanitizedSwiftPlugin = BuildProducts.pluginsAreSanitized
