import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import PluginService
import PluginStore
import Testing

/// The API's routes through Hummingbird's test client, on a real SQLite store and a host over
/// the bundled plugins.
@Suite("Service: workflow routes")
struct WorkflowRouteTests {
    /// A store in a new directory, a loaded host, and the application; `tenants` are created
    /// first (none: single-tenant mode).
    struct Server {
        let directory: TemporaryDirectory
        let store: SQLiteStore
        let state: ServiceState
        let queue: ExecutionQueue
        var keys: [String: String] = [:]

        init(tenants: [String] = []) async throws {
            directory = try TemporaryDirectory(prefix: "service")
            store = try SQLiteStore(path: directory.path + "/plugin-host.sqlite")
            for tenant in tenants { keys[tenant] = try await store.createTenant(id: tenant) }
            let host = PluginHost(configuration: HostConfiguration(
                directories: [SearchDirectory(path: BuildProducts.directory, patterns: ["libph-*.so"], maximumDepth: 0)]))
            _ = await host.load()
            state = ServiceState(store: store, host: host, singleTenant: tenants.isEmpty, maximumBodyBytes: 64 * 1024)
            queue = ExecutionQueue(state: state, workers: 2, logger: Logger(label: "test"))
        }

        /// The application with its execution workers running for the length of `body`.
        func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let app = Application(router: ServiceRoutes.router(state, queue: queue))
            let workers = Task { await queue.run() }
            defer { queue.stop() }
            try await app.test(.router, body)
            queue.stop()
            await workers.value
        }
    }

    static let add = #"{"name":"adder","nodes":[{"name":"Add","type":"math.add","parameters":{"a":2,"b":3}}]}"#

    /// The response body as JSON (null when it is not: the expectations on it then fail).
    static func json(_ response: TestResponse) -> JSONValue {
        (try? JSONParser.parse(Array(response.body.readableBytesView))) ?? .null
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    @Test("the OpenAPI document lists exactly the router's routes, method and path")
    func openAPIMatchesRouter() async throws {
        let server = try await Server()
        let router = ServiceRoutes.router(server.state, queue: server.queue)
        let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let document = try JSONParser.parse(OpenAPIDocument.json)
        var documented = Set<String>()
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            for method in item.objectValue?.keys ?? [] where ["get", "post", "put", "delete", "patch"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(routed == documented, "routed only: \(routed.subtracting(documented).sorted()); documented only: \(documented.subtracting(routed).sorted())")
        #expect(document["openapi"] == "3.1.0")
        try await server.test { client in
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response)["info"]?["title"] == "plugin-host")
            }
        }
    }

    @Test("health and readiness")
    func health() async throws {
        let server = try await Server()
        try await server.test { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response)["status"] == "ready")
            }
        }
    }

    @Test("create, read with ETag, update with If-Match (412 when stale), versions, list, delete")
    func lifecycle() async throws {
        let server = try await Server()
        try await server.test { client in
            let id = try await client.execute(uri: "/v1/workflows", method: .post, body: Self.body(Self.add)) { response -> String in
                #expect(response.status == .created)
                #expect(response.headers[.eTag] == "\"1\"")
                let document = Self.json(response)
                #expect(document["version"] == 1 && document["name"] == "adder")
                #expect(document["workflow"]?["nodes"]?.arrayValue?.count == 1)
                #expect(response.headers[.location] == "/v1/workflows/\(document["id"]?.stringValue ?? "")")
                return document["id"]?.stringValue ?? ""
            }
            try await client.execute(uri: "/v1/workflows/\(id)", method: .get) { response in
                #expect(response.status == .ok && response.headers[.eTag] == "\"1\"")
            }
            let updated = Self.add.replacingOccurrences(of: "\"b\":3", with: "\"b\":4")
            try await client.execute(uri: "/v1/workflows/\(id)", method: .put, headers: [.ifMatch: "\"1\""], body: Self.body(updated)) { response in
                #expect(response.status == .ok && response.headers[.eTag] == "\"2\"")
            }
            try await client.execute(uri: "/v1/workflows/\(id)", method: .put, headers: [.ifMatch: "\"1\""], body: Self.body(updated)) { response in
                #expect(response.status == .preconditionFailed)
                #expect(Self.json(response)["code"] == "VERSION_CONFLICT")
            }
            try await client.execute(uri: "/v1/workflows/\(id)/versions", method: .get) { response in
                #expect(Self.json(response)["items"]?.arrayValue?.compactMap { $0["version"]?.intValue } == [1, 2])
            }
            try await client.execute(uri: "/v1/workflows/\(id)/versions/1", method: .get) { response in
                #expect(Self.json(response)["workflow"]?["nodes"]?.arrayValue?.first?["parameters"]?["b"] == 3)
            }
            try await client.execute(uri: "/v1/workflows/\(id)/versions/9", method: .get) { #expect($0.status == .notFound) }
            for _ in 0..<3 { try await client.execute(uri: "/v1/workflows", method: .post, body: Self.body(Self.add)) { _ in } }
            let firstPage = try await client.execute(uri: "/v1/workflows?limit=3", method: .get) { response -> String? in
                let document = Self.json(response)
                #expect(document["items"]?.arrayValue?.count == 3)
                return document["nextCursor"]?.stringValue
            }
            let cursor = try #require(firstPage)
            try await client.execute(uri: "/v1/workflows?limit=3&cursor=\(cursor)", method: .get) { response in
                let document = Self.json(response)
                #expect(document["items"]?.arrayValue?.count == 1 && document["nextCursor"] == .null)
            }
            try await client.execute(uri: "/v1/workflows?limit=0", method: .get) { response in
                let code = Self.json(response)["code"]
                #expect(response.status == .badRequest && code == "INVALID_REQUEST")
            }
            try await client.execute(uri: "/v1/workflows/\(id)", method: .delete) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/v1/workflows/\(id)", method: .get) { response in
                let code = Self.json(response)["code"]
                #expect(response.status == .notFound && code == "NOT_FOUND")
            }
            try await client.execute(uri: "/v1/workflows/\(id)/versions/2", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test("an invalid workflow is 422 with validate's problems; not JSON is 400; too large is 413; validate answers {valid, problems}")
    func refusals() async throws {
        let server = try await Server()
        try await server.test { client in
            let cyclic = #"{"name":"c","nodes":[{"name":"A","type":"math.add","parameters":{"a":1,"b":1}},{"name":"B","type":"math.ad","parameters":{}}],"connections":{"A":{"main":[[{"node":"B","type":"main","index":0}]]},"B":{"main":[[{"node":"A","type":"main","index":0}]]}}}"#
            try await client.execute(uri: "/v1/workflows", method: .post, body: Self.body(cyclic)) { response in
                #expect(response.status == .unprocessableContent)
                let document = Self.json(response)
                let codes = document["problems"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
                #expect(codes.contains("WORKFLOW_CYCLE") && codes.contains("NODE_TYPE_NOT_FOUND"), "\(codes)")
                #expect(document["message"]?.stringValue?.isEmpty == false)
            }
            try await client.execute(uri: "/v1/workflows", method: .post, body: Self.body("{not json")) { response in
                let code = Self.json(response)["code"]
                #expect(response.status == .unprocessableContent || response.status == .badRequest)
                #expect(Self.json(response)["code"] != nil)
            }
            let huge = #"{"name":"big","nodes":[],"pad":""# + String(repeating: "x", count: 70 * 1024) + #""}"#
            try await client.execute(uri: "/v1/workflows", method: .post, body: Self.body(huge)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(Self.json(response)["code"] == "PAYLOAD_TOO_LARGE")
            }
            try await client.execute(uri: "/v1/workflows/validate", method: .post, body: Self.body(cyclic)) { response in
                #expect(response.status == .ok)
                #expect(Self.json(response)["valid"] == false)
            }
            try await client.execute(uri: "/v1/workflows/validate", method: .post, body: Self.body(Self.add)) { response in
                #expect(Self.json(response)["valid"] == true)
            }
        }
    }

    @Test("with tenants: no key or a wrong key is 401; another tenant's workflow is 404, never 403")
    func tenants() async throws {
        let server = try await Server(tenants: ["acme", "globex"])
        let acme = try #require(server.keys["acme"]), globex = try #require(server.keys["globex"])
        try await server.test { client in
            try await client.execute(uri: "/v1/workflows", method: .get) { response in
                let code = Self.json(response)["code"]
                #expect(response.status == .unauthorized && code == "UNAUTHENTICATED")
            }
            try await client.execute(uri: "/v1/workflows", method: .get, headers: [.authorization: "Bearer phk_wrong"]) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/v1/workflows", method: .get, headers: [.authorization: acme]) { #expect($0.status == .unauthorized) }
            let id = try await client.execute(
                uri: "/v1/workflows", method: .post, headers: [.authorization: "Bearer \(acme)"], body: Self.body(Self.add)
            ) { response -> String in
                #expect(response.status == .created)
                return Self.json(response)["id"]?.stringValue ?? ""
            }
            for (method, uri) in [(HTTPRequest.Method.get, "/v1/workflows/\(id)"), (.get, "/v1/workflows/\(id)/versions"),
                                  (.get, "/v1/workflows/\(id)/versions/1"), (.delete, "/v1/workflows/\(id)")] {
                try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(globex)"]) { response in
                    #expect(response.status == .notFound, "\(method) \(uri)")
                }
            }
            try await client.execute(uri: "/v1/workflows/\(id)", method: .put, headers: [.authorization: "Bearer \(globex)"], body: Self.body(Self.add)) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/v1/workflows", method: .get, headers: [.authorization: "Bearer \(globex)"]) { response in
                #expect(Self.json(response)["items"] == [])
            }
            try await client.execute(uri: "/v1/workflows/\(id)", method: .get, headers: [.authorization: "Bearer \(acme)"]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok, "health needs no key") }
        }
    }
}
