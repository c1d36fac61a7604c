import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import PluginHostCore
import PluginHostTestSupport
import PluginService
import PluginStore
import Testing

/// Executions through the API: committed before the answer, run by the queue's workers,
/// read back with every node's result from the journal.
@Suite("Service: execution routes")
struct ExecutionRouteTests {
    typealias Server = WorkflowRouteTests.Server
    static let chain = #"""
        {"name":"chain","nodes":[{"name":"Add","type":"math.add","parameters":{"a":2,"b":3}},
                                  {"name":"Double","type":"math.mul","parameters":{"a":{"$ref":"Add#/result"},"b":2}}],
         "connections":{"Add":{"main":[[{"node":"Double","type":"main","index":0}]]}}}
        """#

    static func json(_ response: TestResponse) -> JSONValue { WorkflowRouteTests.json(response) }
    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static func create(_ client: any TestClientProtocol, _ workflow: String = chain, key: String? = nil) async throws -> String {
        var headers: HTTPFields = [:]
        if let key { headers[.authorization] = "Bearer \(key)" }
        return try await client.execute(uri: "/v1/workflows", method: .post, headers: headers, body: body(workflow)) { response in
            json(response)["id"]?.stringValue ?? ""
        }
    }

    @Test("execute with waitMs answers 200 with the finished execution and every node's result")
    func executeAndWait() async throws {
        let server = try await Server()
        try await server.test { client in
            let id = try await Self.create(client)
            try await client.execute(uri: "/v1/workflows/\(id)/execute", method: .post, body: Self.body(#"{"waitMs":30000}"#)) { response in
                #expect(response.status == .ok)
                let document = Self.json(response)
                #expect(document["status"] == "success")
                #expect(document["workflowId"]?.stringValue == id && document["version"] == 1)
                #expect(document["nodes"]?["Double"]?["output"] == ["result": 10])
                #expect(document["nodes"]?["Add"]?["status"] == "success")
                #expect(document["finishedAt"] != .null)
            }
        }
    }

    @Test("execute without waiting is 202 and queued; the execution is then readable, listed and finished")
    func executeLater() async throws {
        let server = try await Server()
        try await server.test { client in
            let id = try await Self.create(client)
            let executionID = try await client.execute(uri: "/v1/workflows/\(id)/execute", method: .post) { response -> String in
                #expect(response.status == .accepted)
                return Self.json(response)["executionId"]?.stringValue ?? ""
            }
            var status: JSONValue? = nil
            for _ in 0..<3000 where status != "success" {
                status = try await client.execute(uri: "/v1/executions/\(executionID)", method: .get) { Self.json($0)["status"] }
                if status != "success" { try await Task.sleep(nanoseconds: 10_000_000) }
            }
            #expect(status == "success")
            try await client.execute(uri: "/v1/executions?workflowId=\(id)", method: .get) { response in
                #expect(Self.json(response)["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [executionID])
            }
            try await client.execute(uri: "/v1/executions/\(executionID)/cancel", method: .post) { response in
                #expect(Self.json(response)["status"] == "success", "cancelling a finished execution changes nothing")
            }
        }
    }

    @Test("an execution's trace has one event per attempt; /metrics counts requests by route and executions by status")
    func traceAndMetrics() async throws {
        let server = try await Server()
        try await server.test { client in
            let id = try await Self.create(client)
            let executionID = try await client.execute(uri: "/v1/workflows/\(id)/execute", method: .post, body: Self.body(#"{"waitMs":30000}"#)) {
                Self.json($0)["id"]?.stringValue ?? ""
            }
            try await client.execute(uri: "/v1/executions/\(executionID)/trace", method: .get) { response in
                let events = Self.json(response)["traceEvents"]?.arrayValue ?? []
                let attempts = events.filter { $0["ph"] == "X" }
                #expect(attempts.compactMap { $0["name"]?.stringValue }.sorted() == ["Add", "Double"])
            }
            try await client.execute(uri: "/v1/executions/nope/trace", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"plugin_host_http_requests_total{method="POST",route="/v1/workflows/{id}/execute",status="200"} 1"#), "\(text)")
                #expect(text.contains(#"route="/v1/executions/{id}/trace",status="404"} 1"#))
                #expect(text.contains(#"plugin_host_executions_total{status="success"} 1"#))
                #expect(text.contains("plugin_host_node_duration_milliseconds_count 2"))
            }
        }
    }

    @Test("a degraded execution (manual rollback) is rolled back on request; anything else is 409", .enabled(if: FileManager.default.fileExists(atPath: BuildProducts.plugin("demo"))))
    func rollbackDegraded() async throws {
        let server = try await Server()
        let saga = try String(contentsOfFile: CPluginBuilder.repositoryRoot + "/examples/rollback.workflow.json", encoding: .utf8)
            .replacingOccurrences(of: "\"automatic\"", with: "\"manual\"")
        try await server.test { client in
            let id = try await Self.create(client, saga)
            let executionID = try await client.execute(uri: "/v1/workflows/\(id)/execute", method: .post, body: Self.body(#"{"waitMs":30000}"#)) { response -> String in
                #expect(Self.json(response)["status"] == "degraded")
                return Self.json(response)["id"]?.stringValue ?? ""
            }
            try await client.execute(uri: "/v1/executions/\(executionID)/rollback", method: .post) { response in
                #expect(response.status == .ok)
                let document = Self.json(response)
                #expect(document["status"] == "rolledBack")
                #expect(document["rollback"]?["compensations"]?["CreateOrder"]?["output"] == ["result": "cancelled order-1042"])
            }
            try await client.execute(uri: "/v1/executions/\(executionID)", method: .get) { #expect(Self.json($0)["status"] == "rolledBack") }
            try await client.execute(uri: "/v1/executions/\(executionID)/rollback", method: .post) { #expect($0.status == .conflict) }
        }
    }

    @Test("an Idempotency-Key returns the same execution; a pinned version runs that version; input reaches the roots")
    func idempotencyAndVersions() async throws {
        let server = try await Server()
        try await server.test { client in
            let id = try await Self.create(client)
            let updated = Self.chain.replacingOccurrences(of: "\"b\":2}", with: "\"b\":100}")
            try await client.execute(uri: "/v1/workflows/\(id)", method: .put, body: Self.body(updated)) { #expect($0.status == .ok) }
            let headers: HTTPFields = [.init("Idempotency-Key")!: "order-42"]
            let first = try await client.execute(uri: "/v1/workflows/\(id)/execute", method: .post, headers: headers,
                                                 body: Self.body(#"{"version":1,"waitMs":30000}"#)) { response -> String in
                #expect(Self.json(response)["nodes"]?["Double"]?["output"] == ["result": 10], "version 1, not the latest")
                return Self.json(response)["id"]?.stringValue ?? ""
            }
            try await client.execute(uri: "/v1/workflows/\(id)/execute", method: .post, headers: headers, body: Self.body(#"{"waitMs":30000}"#)) { response in
                #expect(Self.json(response)["id"]?.stringValue == first, "the same execution, not a second one")
            }
            try await client.execute(uri: "/v1/workflows/\(id)/execute", method: .post, body: Self.body(#"{"waitMs":30000}"#)) { response in
                #expect(Self.json(response)["nodes"]?["Double"]?["output"] == ["result": 500], "the latest version")
            }
            let echo = try await Self.create(client, #"{"name":"len","nodes":[{"name":"Count","type":"string.length","parameters":{"text":"abc"}}]}"#)
            try await client.execute(uri: "/v1/workflows/\(echo)/execute", method: .post, body: Self.body(#"{"input":[1,2],"waitMs":30000}"#)) { response in
                #expect(Self.json(response)["status"] == "success")
            }
            for bad in [#"{"version":0}"#, #"{"waitMs":-1}"#, #"{"input":{}}"#, "[1]", "not json"] {
                try await client.execute(uri: "/v1/workflows/\(id)/execute", method: .post, body: Self.body(bad)) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                }
            }
            try await client.execute(uri: "/v1/workflows/\(id)/execute", method: .post, body: Self.body(#"{"version":9}"#)) { #expect($0.status == .notFound) }
        }
    }

    @Test("another tenant's execution is not found; nor can it execute another tenant's workflow")
    func isolation() async throws {
        let server = try await Server(tenants: ["acme", "globex"])
        let acme = try #require(server.keys["acme"]), globex = try #require(server.keys["globex"])
        try await server.test { client in
            let id = try await Self.create(client, key: acme)
            let executionID = try await client.execute(
                uri: "/v1/workflows/\(id)/execute", method: .post, headers: [.authorization: "Bearer \(acme)"], body: Self.body(#"{"waitMs":30000}"#)
            ) { Self.json($0)["id"]?.stringValue ?? "" }
            let theirs: HTTPFields = [.authorization: "Bearer \(globex)"]
            try await client.execute(uri: "/v1/executions/\(executionID)", method: .get, headers: theirs) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/executions/\(executionID)/cancel", method: .post, headers: theirs) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/workflows/\(id)/execute", method: .post, headers: theirs) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/executions", method: .get, headers: theirs) { #expect(Self.json($0)["items"] == []) }
        }
    }
}

@Suite("Service: dead letters")
struct DeadLetterRouteTests {
    typealias Server = WorkflowRouteTests.Server
    static let failing = #"{"name":"div","nodes":[{"name":"Div","type":"math.div","parameters":{"a":1,"b":0}}]}"#

    @Test("a failed execution becomes a dead letter with its error; replay starts a linked execution; resolve clears it")
    func lifecycle() async throws {
        let server = try await Server()
        try await server.test { client in
            let id = try await ExecutionRouteTests.create(client, Self.failing)
            let executionID = try await client.execute(uri: "/v1/workflows/\(id)/execute", method: .post, body: ByteBuffer(string: #"{"waitMs":30000}"#)) { response -> String in
                #expect(ExecutionRouteTests.json(response)["status"] == "failed")
                return ExecutionRouteTests.json(response)["id"]?.stringValue ?? ""
            }
            let letter = try await client.execute(uri: "/v1/dead-letters", method: .get) { response -> JSONValue in
                let items = ExecutionRouteTests.json(response)["items"]?.arrayValue ?? []
                #expect(items.count == 1)
                return items.first ?? .null
            }
            #expect(letter["executionId"]?.stringValue == executionID)
            #expect(letter["error"]?.stringValue?.hasPrefix("Div: ") == true, "\(letter)")
            let letterID = letter["id"]?.stringValue ?? ""
            let replayed = try await client.execute(uri: "/v1/dead-letters/\(letterID)/replay", method: .post) { response -> String in
                #expect(response.status == .accepted)
                return ExecutionRouteTests.json(response)["executionId"]?.stringValue ?? ""
            }
            #expect(!replayed.isEmpty && replayed != executionID)
            try await client.execute(uri: "/v1/dead-letters", method: .get) { response in
                #expect(ExecutionRouteTests.json(response)["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } != [letterID], "replayed: resolved")
            }
            try await client.execute(uri: "/v1/dead-letters?resolved=true", method: .get) { response in
                let first = ExecutionRouteTests.json(response)["items"]?.arrayValue?.first
                #expect(first?["replayedAs"]?.stringValue == replayed)
            }
            try await client.execute(uri: "/v1/dead-letters/nope/resolve", method: .post) { #expect($0.status == .notFound) }
        }
    }
}
