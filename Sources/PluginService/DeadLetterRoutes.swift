import Hummingbird
import PluginHostCore
import PluginStore

/// `/v1/dead-letters…`: executions that ended `failed` (or `rollbackFailed`) after their
/// recovery, kept until someone replays or resolves them.
struct DeadLetterRoutes {
    let state: ServiceState
    let queue: ExecutionQueue

    func add(to group: RouterGroup<ServiceContext>) {
        group.get("dead-letters") { request, context in try await list(request, context) }
        group.post("dead-letters/{id}/replay") { _, context in try await replay(context) }
        group.post("dead-letters/{id}/resolve") { _, context in try await resolve(context) }
    }

    private func list(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let query = request.uri.queryParameters
        let limit = try WorkflowRoutes.limit(query["limit"].map(String.init))
        let includeResolved = query["resolved"] == "true"
        let page = try await state.store.deadLetters(scope, includeResolved: includeResolved, limit: limit, cursor: query["cursor"].map(String.init))
        return JSONResponse.make(.ok, ["items": .array(page.items.map(Self.document)), "nextCursor": page.nextCursor.map(JSONValue.string) ?? .null])
    }

    /// A new execution of the same workflow version with the same input, linked to the letter
    /// (which is then resolved); answered like an execute.
    private func replay(_ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let letter = try await self.letter(context, scope)
        guard let original = try await state.store.execution(scope, id: letter.executionID) else {
            throw APIError(.notFound, .notFound, "The execution of dead letter `\(letter.id)` no longer exists.")
        }
        let (execution, _) = try await state.store.createExecution(scope, workflowID: original.workflowID, version: original.version, input: original.input, idempotencyKey: nil)
        try await state.store.resolveDeadLetter(scope, id: letter.id, replayedAs: execution.id)
        guard queue.enqueue(ExecutionQueue.Job(scope: scope, executionID: execution.id)) else {
            throw APIError(.serviceUnavailable, .storeUnavailable, "The execution queue is full; execution \(execution.id) is kept and will run after a restart.")
        }
        return JSONResponse.make(.accepted, ["executionId": .string(execution.id), "status": "queued", "deadLetterId": .string(letter.id)])
    }

    private func resolve(_ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let letter = try await self.letter(context, scope)
        try await state.store.resolveDeadLetter(scope, id: letter.id, replayedAs: nil)
        let resolved = try await state.store.deadLetter(scope, id: letter.id) ?? letter
        return JSONResponse.make(.ok, Self.document(resolved))
    }

    private func letter(_ context: ServiceContext, _ scope: TenantScope) async throws -> DeadLetter {
        let id = try context.parameters.require("id")
        guard let letter = try await state.store.deadLetter(scope, id: id) else {
            throw APIError(.notFound, .notFound, "There is no dead letter `\(id)`.")
        }
        return letter
    }

    /// `{"id", "executionId", "workflowId", "version", "error", "createdAt", "resolvedAt", "replayedAs"}`.
    static func document(_ letter: DeadLetter) -> JSONValue {
        ["id": .string(letter.id), "executionId": .string(letter.executionID), "workflowId": .string(letter.workflowID),
         "version": .int(Int64(letter.version)), "error": .string(letter.error), "createdAt": .string(WallClock.iso8601(letter.createdAt)),
         "resolvedAt": letter.resolvedAt.map { .string(WallClock.iso8601($0)) } ?? .null,
         "replayedAs": letter.replayedAs.map(JSONValue.string) ?? .null]
    }
}
