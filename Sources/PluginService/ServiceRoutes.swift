import Hummingbird
import Logging
import NIOCore
import PluginHostCore
import PluginRuntime
import PluginStore
import PluginWorkflow
import Synchronization

/// The request context of the API: Hummingbird's core plus the tenant the request acts for,
/// set by ``TenantAuthentication`` before any `/v1` handler runs.
public struct ServiceContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Whose data the request may touch; nil only before authentication.
    public var scope: TenantScope? {
        didSet { authenticated.id = scope?.tenantID }
    }
    /// The tenant, seen by the middleware outside authentication too (it logs the request
    /// after inner middleware ran on their own copies of the context).
    let authenticated = SharedTenant()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The authenticated scope (every `/v1` route runs behind the authentication middleware).
    func requireScope() throws -> TenantScope {
        guard let scope else { throw APIError(.unauthorized, .unauthenticated, "This route needs an API key: send Authorization: Bearer KEY.") }
        return scope
    }
}

/// One request's tenant, shared by every copy of its context.
final class SharedTenant: Sendable {
    private let value = Mutex<String?>(nil)
    var id: String? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// What the routes share: the store, the host that validates (and later runs) workflows, and
/// how requests are authenticated.
public final class ServiceState: Sendable {
    public let store: any ServiceStore
    public let host: PluginHost
    /// No tenants: every request acts for ``TenantScope/singleTenant`` without a key. Only ever
    /// true on a loopback address (``ServiceConfiguration/check()`` refuses anything else).
    public let singleTenant: Bool
    /// The largest request body accepted (413 `PAYLOAD_TOO_LARGE` beyond).
    public let maximumBodyBytes: Int
    /// How long a request's body may take to arrive (408 `REQUEST_TIMEOUT` beyond), so a client
    /// trickling bytes cannot hold a request open; a connection idle for twice as long is closed.
    public let bodyTimeout: Duration
    /// What `/metrics` reports.
    public let metrics = ServiceMetrics()
    /// Stored workflows' documents, their definitions kept by version.
    let documents = WorkflowDocuments()

    public init(
        store: any ServiceStore, host: PluginHost, singleTenant: Bool, maximumBodyBytes: Int = 1 << 20, bodyTimeout: Duration = .seconds(30)
    ) {
        self.store = store
        self.host = host
        self.singleTenant = singleTenant
        self.maximumBodyBytes = maximumBodyBytes
        self.bodyTimeout = bodyTimeout
    }

    /// The host's view of a tenant: its id under a policy file, none without one (every tenant
    /// of a server without a policy may use every node type).
    func workflows(for scope: TenantScope) -> HostWorkflows {
        let tenant = host.policy == nil || scope.tenantID.isEmpty ? nil : scope.tenantID
        return HostWorkflows(host: host, tenant: tenant)
    }
}

/// Sets the request's tenant from `Authorization: Bearer KEY` (compared by digest in the
/// store), or the single tenant on a server without tenants; 401 `UNAUTHENTICATED` otherwise.
struct TenantAuthentication: RouterMiddleware {
    let state: ServiceState

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer "), case let key = String(header.dropFirst("Bearer ".count)), !key.isEmpty else {
                throw APIError(.unauthorized, .unauthenticated, "The Authorization header must be `Bearer KEY` with the tenant's API key.")
            }
            guard let scope = try await state.store.scope(forKey: key) else {
                throw APIError(.unauthorized, .unauthenticated, "That API key belongs to no tenant; check it, or ask for a new one (`plugin-host tenant rotate-key`).")
            }
            context.scope = scope
        } else if state.singleTenant {
            context.scope = .singleTenant
        } else {
            throw APIError(.unauthorized, .unauthenticated, "This server has tenants: send Authorization: Bearer KEY with your tenant's API key.")
        }
        return try await next(request, context)
    }
}

/// The API's routes (DESIGN's service routes, as far as they are built; ``OpenAPIDocument``
/// lists exactly these, and a test holds the two together).
public enum ServiceRoutes {
    public static func router(_ state: ServiceState, queue: ExecutionQueue) -> Router<ServiceContext> {
        let router = Router(context: ServiceContext.self)
        router.add(middleware: RequestObserver(metrics: state.metrics))
        router.get("/healthz") { _, _ in JSONResponse.make(.ok, ["status": "ok"]) }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: ResponseBody(byteBuffer: ByteBuffer(string: state.metrics.render())))
        }
        router.get("/readyz") { _, _ in await readiness(state) }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        let v1 = router.group("v1").add(middleware: TenantAuthentication(state: state))
        WorkflowRoutes(state: state).add(to: v1)
        ExecutionRoutes(state: state, queue: queue).add(to: v1)
        DeadLetterRoutes(state: state, queue: queue).add(to: v1)
        return router
    }

    /// 200 when the database answers and the plugins are loaded, else 503 saying which is not.
    static func readiness(_ state: ServiceState) async -> Response {
        var problems: [String] = []
        do throws(StoreError) { _ = try await state.store.tenants() } catch { problems.append(error.message) }
        if state.host.registry.count == 0 { problems.append("No node types are loaded; check --plugin-dir.") }
        if problems.isEmpty { return JSONResponse.make(.ok, ["status": "ready"]) }
        return JSONResponse.make(.serviceUnavailable, ["status": "unavailable", "problems": .array(problems.map { .string($0) })])
    }
}

extension Request {
    /// The body as bytes, at most `limit` of them (413 `PAYLOAD_TOO_LARGE` beyond), all of it
    /// within `timeout` (408 `REQUEST_TIMEOUT` after).
    func bodyBytes(limit: Int, timeout: Duration) async throws -> [UInt8] {
        let body = self.body
        let collected: ByteBuffer? = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                do { return try await body.collect(upTo: limit) } catch {
                    throw APIError(.contentTooLarge, .payloadTooLarge, "The request body is larger than \(limit) bytes; send a smaller one.")
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        guard let collected else {
            throw APIError(.requestTimeout, .requestTimeout, "The request body did not arrive within \(timeout); send it at once, or ask for a longer --request-timeout.")
        }
        return Array(collected.readableBytesView)
    }
}
