import Hummingbird
import PluginHostCore
import PluginRuntime
import PluginStore
import PluginWorkflow

/// Executions of the request's tenant: start one (`POST /v1/workflows/{id}/execute`), read,
/// list and cancel them.
///
/// An execution is committed to the store before the answer (202, or 200 with the finished
/// execution when it ended within `waitMs`), so an accepted execution is never lost; its node
/// results are read from its journal, which the run writes as nodes finish.
struct ExecutionRoutes {
    let state: ServiceState
    let queue: ExecutionQueue

    /// The longest `waitMs` honoured (a request should not hold a connection for minutes).
    static let maximumWaitMs = 60_000

    func add(to group: RouterGroup<ServiceContext>) {
        group.post("workflows/{id}/execute") { request, context in try await execute(request, context) }
        group.get("executions") { request, context in try await list(request, context) }
        group.get("executions/{id}") { _, context in try await get(context) }
        group.post("executions/{id}/cancel") { _, context in try await cancel(context) }
        group.get("executions/{id}/trace") { _, context in try await trace(context) }
        group.post("executions/{id}/rollback") { _, context in try await rollback(context) }
    }

    private func execute(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let workflowID = try context.parameters.require("id")
        var request = request
        let bytes = try await request.bodyBytes(limit: state.maximumBodyBytes, timeout: state.bodyTimeout)
        let body: JSONValue
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            body = .object(JSONObject())
        } else {
            do { body = try JSONParser.parse(bytes, maximumDepth: state.host.configuration.limits.maximumJSONDepth) } catch {
                throw APIError(.badRequest, .invalidRequest, "The request body is not JSON: \(error).")
            }
        }
        guard case .object = body else { throw APIError(.badRequest, .invalidRequest, "The body is {\"version\"?, \"input\"?, \"waitMs\"?}.") }
        let input = body["input"] ?? .array([])
        guard case .array = input else { throw APIError(.badRequest, .invalidRequest, "`input` is an array of items, as a node's input is.") }
        let waitMs = try Self.wholeNumber(body["waitMs"], name: "waitMs", range: 0...Self.maximumWaitMs) ?? 0
        let version: Int
        if let pinned = try Self.wholeNumber(body["version"], name: "version", range: 1...Int(Int32.max)) {
            version = pinned
        } else {
            guard let latest = try await state.store.workflow(scope, id: workflowID) else {
                throw APIError(.notFound, .notFound, "There is no workflow `\(workflowID)`.")
            }
            version = latest.version
        }
        let key = request.headers[.init("Idempotency-Key")!]
        let (execution, created) = try await state.store.createExecution(scope, workflowID: workflowID, version: version, input: JSONWriter.string(input), idempotencyKey: key)
        let ticket = waitMs > 0 ? queue.completions.register(execution.id) : nil
        if created, !queue.enqueue(ExecutionQueue.Job(scope: scope, executionID: execution.id)) {
            // Committed but not queued: it stays `queued` and runs at the next start.
            throw APIError(.serviceUnavailable, .storeUnavailable, "The execution queue is full (\(queue.capacity)); execution \(execution.id) is kept and will run after a restart. Retry later.")
        }
        if let ticket {
            // Registered before the status is read: an execution that ends in between (or had
            // ended: a repeated Idempotency-Key) is answered at once, never after the whole wait.
            if try await finished(execution.id, scope) == nil { await ticket.wait(nanoseconds: UInt64(waitMs) * 1_000_000) }
            queue.completions.unregister(execution.id, ticket)
            if let current = try await finished(execution.id, scope) { return JSONResponse.make(.ok, try await document(current, scope)) }
        }
        // A new execution is answered as accepted, `queued` (its worker may have started it
        // already); a repeated Idempotency-Key gets the execution's status now.
        let status = created ? "queued" : (try? await state.store.execution(scope, id: execution.id))??.status ?? execution.status
        return JSONResponse.make(.accepted, ["executionId": .string(execution.id), "status": .string(status)])
    }

    /// The execution when it has ended, nil while it is queued or running.
    private func finished(_ id: String, _ scope: TenantScope) async throws -> ExecutionRecord? {
        guard let current = try await state.store.execution(scope, id: id) else { return nil }
        return current.status == "queued" || current.status == "running" ? nil : current
    }

    private func list(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let query = request.uri.queryParameters
        let limit = try WorkflowRoutes.limit(query["limit"].map(String.init))
        let page = try await state.store.listExecutions(
            scope, workflowID: query["workflowId"].map(String.init), status: query["status"].map(String.init), limit: limit,
            cursor: query["cursor"].map(String.init))
        return JSONResponse.make(.ok, ["items": .array(page.items.map(Self.summary)), "nextCursor": page.nextCursor.map(JSONValue.string) ?? .null])
    }

    private func get(_ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let id = try context.parameters.require("id")
        guard let execution = try await state.store.execution(scope, id: id) else {
            throw APIError(.notFound, .notFound, "There is no execution `\(id)`.")
        }
        return JSONResponse.make(.ok, try await document(execution, scope))
    }

    private func cancel(_ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let id = try context.parameters.require("id")
        guard let execution = try await state.store.execution(scope, id: id) else {
            throw APIError(.notFound, .notFound, "There is no execution `\(id)`.")
        }
        switch execution.status {
        case "queued":
            try await state.store.setStatus(scope, execution: id, "cancelled")
            return JSONResponse.make(.ok, ["id": .string(id), "status": "cancelled"])
        case "running":
            _ = queue.cancel(id)
            return JSONResponse.make(.accepted, ["id": .string(id), "status": "cancelling"])
        default:
            return JSONResponse.make(.ok, ["id": .string(id), "status": .string(execution.status)])
        }
    }

    /// Runs the compensations of a `degraded` execution (its workflow's `settings.rollback` was
    /// `manual`): the plan is made again from the journal's results, exactly as the run made it,
    /// and each compensation is journaled. Answers when the rollback is over, with its result;
    /// the execution ends `rolledBack` or `rollbackFailed`.
    private func rollback(_ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let id = try context.parameters.require("id")
        guard let execution = try await state.store.execution(scope, id: id) else {
            throw APIError(.notFound, .notFound, "There is no execution `\(id)`.")
        }
        guard execution.status == "degraded" else {
            throw APIError(.conflict, .invalidRequest, "Execution `\(id)` is \(execution.status), not degraded: only a run that failed under settings.rollback \"manual\" has a rollback to start.")
        }
        guard let stored = try await state.store.workflow(scope, id: execution.workflowID, version: execution.version) else {
            throw APIError(.notFound, .notFound, "The workflow version of execution `\(id)` no longer exists.")
        }
        let journal = state.store.journal(scope, execution: id)
        let replay: JournalReplay
        let entries = try await state.store.journalEntries(scope, execution: id)
        do throws(JournalFailure) { replay = try JournalReplay(entries: entries) } catch {
            throw APIError(.serviceUnavailable, error.code, error.message)
        }
        let workflows = state.workflows(for: scope)
        let workflow = workflows.parse(bytes: Array(stored.definition.utf8)).workflow
        let (plan, unprepared) = RollbackRun.plan(for: workflow, results: replay.finished)
        // Compensations journaled by an earlier, interrupted attempt are not run again.
        let rollback = await workflows.rollback(
            plan, unprepared: unprepared, done: replay.compensations, workflowName: workflow.name,
            concurrency: workflow.settings.concurrency, journal: journal)
        let status = rollback.status == .rolledBack ? "rolledBack" : "rollbackFailed"
        try await state.store.setStatus(scope, execution: id, status)
        var stream = JSONStream(capacity: 1024)
        rollback.write(to: &stream)
        let body = (try? JSONParser.parse(stream.bytes, maximumDepth: .max)) ?? .null
        return JSONResponse.make(.ok, ["id": .string(id), "status": .string(status), "rollback": body])
    }

    /// The execution as `run --trace` draws a run: Chrome trace-event JSON, one event per
    /// attempt, placed by the attempts' own times from the journal (nodes in "worker" lanes, a
    /// rollback's compensations in "rollback" lanes after them).
    private func trace(_ context: ServiceContext) async throws -> Response {
        let scope = try context.requireScope()
        let id = try context.parameters.require("id")
        guard try await state.store.execution(scope, id: id) != nil else {
            throw APIError(.notFound, .notFound, "There is no execution `\(id)`.")
        }
        let entries = try await state.store.journalEntries(scope, execution: id)
        var forward: [(String, NodeResult)] = [], compensations: [(String, NodeResult)] = []
        for entry in entries {
            switch entry {
            case .nodeFinished(let name, let result): forward.append((name, result))
            case .compensationFinished(let name, let result): compensations.append((name, result))
            default: break
            }
        }
        let recorder = TraceRecorder(title: "execution \(id)")
        let origin = (forward + compensations).flatMap { $0.1.attempts.map(\.startedAt) }.min() ?? 0
        let forwardLanes = Self.place(forward, origin: origin, firstLane: 0, into: recorder)
        let rollbackLanes = Self.place(compensations, origin: origin, firstLane: forwardLanes, into: recorder)
        for lane in 0..<rollbackLanes { recorder.name(lane: forwardLanes + lane, "rollback \(lane + 1)") }
        return JSONResponse.make(.ok, recorder.chromeTraceJSON())
    }

    /// Records each attempt as an event in the first lane free at its start; returns how many lanes it used.
    private static func place(_ nodes: [(String, NodeResult)], origin: Double, firstLane: Int, into recorder: TraceRecorder) -> Int {
        var laneEnds: [UInt64] = []
        let attempts = nodes.flatMap { node in node.1.attempts.map { (node.0, node.1.nodeType, $0) } }.sorted { $0.2.startedAt < $1.2.startedAt }
        for (name, type, attempt) in attempts {
            let start = recorder.originNanoseconds &+ UInt64(max(0, attempt.startedAt - origin) * 1e9)
            let end = start &+ UInt64(max(0, attempt.durationMs) * 1e6)
            let lane = laneEnds.firstIndex { $0 <= start } ?? laneEnds.count
            if lane == laneEnds.count { laneEnds.append(end) } else { laneEnds[lane] = end }
            recorder.record(TraceEvent(
                nodeName: name, nodeType: attempt.nodeType ?? type, attempt: attempt.number, lane: firstLane + lane,
                startNanoseconds: start, endNanoseconds: end, status: attempt.status, errorCode: attempt.errorCode))
        }
        return laneEnds.count
    }

    /// `{"id", "workflowId", "version", "status", "nodes": {name: node result}, "startedAt", "finishedAt"}`:
    /// the nodes from the execution's journal, in the order they finished.
    private func document(_ execution: ExecutionRecord, _ scope: TenantScope) async throws -> JSONValue {
        var nodes = JSONObject()
        let entries = try await state.store.journalEntries(scope, execution: execution.id)
        for entry in entries {
            if case .nodeFinished(let name, let result) = entry { nodes[name] = result.json() }
        }
        guard case .object(var document) = Self.summary(execution) else { return .null }
        document["nodes"] = .object(nodes)
        return .object(document)
    }

    private static func summary(_ execution: ExecutionRecord) -> JSONValue {
        ["id": .string(execution.id), "workflowId": .string(execution.workflowID), "version": .int(Int64(execution.version)),
         "status": .string(execution.status), "createdAt": .string(WallClock.iso8601(execution.createdAt)),
         "startedAt": execution.startedAt.map { .string(WallClock.iso8601($0)) } ?? .null,
         "finishedAt": execution.finishedAt.map { .string(WallClock.iso8601($0)) } ?? .null]
    }

    private static func wholeNumber(_ value: JSONValue?, name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let value, value != .null else { return nil }
        guard let number = value.intValue, range.contains(Int(number)) else {
            throw APIError(.badRequest, .invalidRequest, "`\(name)` must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return Int(number)
    }
}
