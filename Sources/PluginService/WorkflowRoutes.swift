import Hummingbird
import PluginHostCore
import PluginStore
import PluginWorkflow

/// `/v1/workflows…`: stored, versioned workflows of the request's tenant.
///
/// A workflow is validated (as `plugin-host validate` does, under the tenant's policy) before
/// it is stored, so a stored version is always one that could run when it was stored; an
/// invalid one is 422 with every problem. Each update is a new version (the old ones stay
/// readable); `ETag` is the version in quotes and `If-Match` makes an update conditional on it.
struct WorkflowRoutes {
    let state: ServiceState

    func add(to group: RouterGroup<ServiceContext>) {
        group.get("workflows") { request, context in try await list(request, context) }
        group.post("workflows") { request, context in try await create(request, context) }
        group.post("workflows/validate") { request, context in try await validate(request, context) }
        group.get("workflows/{id}") { _, context in try await latest(context) }
        group.put("workflows/{id}") { request, context in try await update(request, context) }
        group.delete("workflows/{id}") { _, context in try await delete(context) }
        group.get("workflows/{id}/versions") { _, context in try await versions(context) }
        group.get("workflows/{id}/versions/{version}") { _, context in try await version(context) }
    }

    private func list(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let query = request.uri.queryParameters
        let limit = try Self.limit(query["limit"].map(String.init))
        let page = try await state.store.listWorkflows(scope, limit: limit, cursor: query["cursor"].map(String.init), name: query["name"].map(String.init))
        let items: [JSONValue] = page.items.map { item in
            ["id": .string(item.id), "name": .string(item.name), "version": .int(Int64(item.version)),
             "createdAt": .string(WallClock.iso8601(item.createdAt)), "updatedAt": .string(WallClock.iso8601(item.updatedAt))]
        }
        return JSONResponse.make(.ok, ["items": .array(items), "nextCursor": page.nextCursor.map(JSONValue.string) ?? .null])
    }

    private func create(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        var request = request
        let (name, text) = try await validWorkflow(&request, scope)
        let stored = try await state.store.createWorkflow(scope, name: name, definition: text)
        var headers = Self.etag(stored.version)
        headers[.location] = "/v1/workflows/\(stored.id)"
        return JSONResponse.make(.created, bytes: try state.documents.document(stored, scope), headers: headers)
    }

    private func validate(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        var request = request
        let bytes = try await request.bodyBytes(limit: state.maximumBodyBytes, timeout: state.bodyTimeout)
        let workflows = state.workflows(for: scope)
        let report = workflows.validate(workflows.parse(bytes: bytes))
        return JSONResponse.make(.ok, ["valid": .bool(report.valid), "problems": .array(report.problems.map { $0.json() })])
    }

    private func latest(_ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let id = try context.parameters.require("id")
        guard let stored = try await state.store.workflow(scope, id: id) else { throw Self.notFound(id) }
        return JSONResponse.make(.ok, bytes: try state.documents.document(stored, scope), headers: Self.etag(stored.version))
    }

    private func update(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let id = try context.parameters.require("id")
        let expected = try Self.ifMatch(request.headers[.ifMatch])
        var request = request
        let (name, text) = try await validWorkflow(&request, scope)
        let stored = try await state.store.updateWorkflow(scope, id: id, name: name, definition: text, expectedVersion: expected)
        return JSONResponse.make(.ok, bytes: try state.documents.document(stored, scope), headers: Self.etag(stored.version))
    }

    private func delete(_ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let id = try context.parameters.require("id")
        try await state.store.deleteWorkflow(scope, id: id)
        return Response(status: .noContent)
    }

    private func versions(_ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let id = try context.parameters.require("id")
        let all = try await state.store.versions(scope, id: id)
        guard !all.isEmpty else { throw Self.notFound(id) }
        let items: [JSONValue] = all.map { stored in
            ["id": .string(stored.id), "name": .string(stored.name), "version": .int(Int64(stored.version)),
             "createdAt": .string(WallClock.iso8601(stored.updatedAt))]
        }
        return JSONResponse.make(.ok, ["items": .array(items), "nextCursor": .null])
    }

    private func version(_ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let id = try context.parameters.require("id")
        guard let number = context.parameters.get("version", as: Int.self) else {
            throw APIError(.badRequest, .invalidRequest, "A version is a whole number, e.g. /v1/workflows/\(id)/versions/1.")
        }
        guard let stored = try await state.store.workflow(scope, id: id, version: number) else {
            throw APIError(.notFound, .notFound, "Workflow `\(id)` has no version \(number).")
        }
        return JSONResponse.make(.ok, bytes: try state.documents.document(stored, scope), headers: Self.etag(stored.version))
    }

    // MARK: Helpers

    /// The request's workflow, parsed and validated under the tenant's policy: its name and
    /// its text as sent. 422 with every problem when it is invalid.
    private func validWorkflow(_ request: inout Request, _ scope: TenantScope) async throws -> (name: String, text: String) {
        let bytes = try await request.bodyBytes(limit: state.maximumBodyBytes, timeout: state.bodyTimeout)
        let workflows = state.workflows(for: scope)
        let parsed = workflows.parse(bytes: bytes)
        let report = workflows.validate(parsed)
        guard report.valid else {
            let errors = report.problems.filter { $0.severity == .error }
            let first = errors.first
            throw APIError(
                .unprocessableContent, first?.code ?? .workflowInvalid,
                "The workflow is invalid (\(errors.count) error\(errors.count == 1 ? "" : "s")): \(first?.message ?? "see problems")",
                problems: report.problems)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw APIError(.badRequest, .invalidRequest, "The workflow is not UTF-8 text.")
        }
        return (parsed.workflow.name, text)
    }

    private static func etag(_ version: Int) -> HTTPFields { [.eTag: "\"\(version)\""] }

    /// The version `If-Match` names (`"3"`, `3` or `W/"3"`), nil without the header.
    static func ifMatch(_ header: String?) throws -> Int? {
        guard let header else { return nil }
        var text = Substring(header).drop(while: { $0 == " " })
        while text.last == " " { text = text.dropLast() }
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = text.dropFirst().dropLast() }
        guard let version = Int(text), version >= 1 else {
            throw APIError(.badRequest, .invalidRequest, "If-Match must be a version as the ETag gave it, e.g. If-Match: \"3\".")
        }
        return version
    }

    /// `limit`: 1…1000, 50 when absent.
    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 50 }
        guard let limit = Int(text), (1...1000).contains(limit) else {
            throw APIError(.badRequest, .invalidRequest, "limit must be a whole number from 1 to 1000, not `\(text)`.")
        }
        return limit
    }

    private static func notFound(_ id: String) -> APIError {
        APIError(.notFound, .notFound, "There is no workflow `\(id)`.")
    }
}
