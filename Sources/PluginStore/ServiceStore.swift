import PluginHostCore
import PluginWorkflow

/// The service's storage: tenants and their keys, versioned workflows, executions and their
/// journals. One protocol, two backends (``SQLiteStore``, ``PostgresStore``), one test suite.
///
/// Calls are `async`: a backend waits for its database without holding a thread of the
/// cooperative pool (GRDB's own queues for SQLite, the event loop for PostgreSQL). The one
/// exception is ``ExecutionJournal/append(_:)``, which the engine calls from its lanes' own threads.
///
/// Tenant isolation lives here, not in the routes: every function that reads or writes a
/// tenant's data takes a ``TenantScope`` and every query it runs is filtered by it, and there is
/// no unscoped variant, so no route can forget it. Another tenant's workflow or execution is
/// simply not found.
public protocol ServiceStore: Sendable {
    // MARK: Tenants

    /// Creates tenant `id` and returns its API key, which is stored only as a SHA-256 digest
    /// (shown once: it cannot be read back). `TENANT_EXISTS` if there is one already.
    func createTenant(id: String) async throws(StoreError) -> String
    /// Every tenant, by id.
    func tenants() async throws(StoreError) -> [TenantRecord]
    /// Removes a tenant and everything it owns; `NOT_FOUND` if there is none.
    func removeTenant(id: String) async throws(StoreError)
    /// Replaces a tenant's key (the old one stops working at once) and returns the new one.
    func rotateKey(id: String) async throws(StoreError) -> String
    /// The scope an API key opens, nil for a key no tenant has (compared by digest).
    func scope(forKey key: String) async throws(StoreError) -> TenantScope?

    // MARK: Workflows

    /// Stores a new workflow as version 1.
    func createWorkflow(_ scope: TenantScope, name: String, definition: String) async throws(StoreError) -> StoredWorkflow
    /// The latest version, nil when the tenant has no such workflow (or it was deleted).
    func workflow(_ scope: TenantScope, id: String) async throws(StoreError) -> StoredWorkflow?
    /// One version, kept after updates and after a delete (executions still name it).
    func workflow(_ scope: TenantScope, id: String, version: Int) async throws(StoreError) -> StoredWorkflow?
    /// Every version, oldest first.
    func versions(_ scope: TenantScope, id: String) async throws(StoreError) -> [StoredWorkflow]
    /// Stores `definition` as the next version; with `expectedVersion`, only if the latest is
    /// that one (`VERSION_CONFLICT` otherwise: optimistic concurrency, the `If-Match` of `PUT`).
    func updateWorkflow(
        _ scope: TenantScope, id: String, name: String, definition: String, expectedVersion: Int?
    ) async throws(StoreError) -> StoredWorkflow
    /// Hides the workflow from lists and gets; its versions stay readable for its executions.
    func deleteWorkflow(_ scope: TenantScope, id: String) async throws(StoreError)
    /// A page of the tenant's workflows in creation order, optionally with this exact name.
    func listWorkflows(_ scope: TenantScope, limit: Int, cursor: String?, name: String?) async throws(StoreError) -> Page<WorkflowSummary>

    // MARK: Executions

    /// Records a queued execution of a workflow version. With an `idempotencyKey` already used
    /// by this tenant, returns that execution instead (`created` false) and stores nothing.
    func createExecution(
        _ scope: TenantScope, workflowID: String, version: Int, input: String, idempotencyKey: String?
    ) async throws(StoreError) -> (execution: ExecutionRecord, created: Bool)
    func execution(_ scope: TenantScope, id: String) async throws(StoreError) -> ExecutionRecord?
    /// Sets an execution's status (and its start or finish time with it).
    func setStatus(_ scope: TenantScope, execution id: String, _ status: String) async throws(StoreError)
    /// A page of the tenant's executions, newest last, optionally of one workflow or status.
    func listExecutions(
        _ scope: TenantScope, workflowID: String?, status: String?, limit: Int, cursor: String?
    ) async throws(StoreError) -> Page<ExecutionRecord>
    /// The execution's journal: the run appends to it as it goes (from its lanes' threads, so
    /// synchronously), a restart resumes from it.
    func journal(_ scope: TenantScope, execution id: String) -> any ExecutionJournal
    /// The journal's entries in append order, read without holding a thread (routes, resuming);
    /// `JOURNAL_INVALID` when one is not an entry.
    func journalEntries(_ scope: TenantScope, execution id: String) async throws(StoreError) -> [JournalEntry]
    /// Executions of every tenant that were accepted and have not finished (queued or running):
    /// what a restarted server resumes.
    func unfinishedExecutions() async throws(StoreError) -> [(scope: TenantScope, execution: ExecutionRecord)]

    // MARK: Dead letters

    /// Records that an execution ended `failed` after its recovery, with why (one letter per
    /// execution: a second call for the same execution changes nothing).
    func addDeadLetter(_ scope: TenantScope, execution: ExecutionRecord, error: String) async throws(StoreError)
    /// The tenant's letters, oldest first; unresolved ones only unless `includeResolved`.
    func deadLetters(_ scope: TenantScope, includeResolved: Bool, limit: Int, cursor: String?) async throws(StoreError) -> Page<DeadLetter>
    func deadLetter(_ scope: TenantScope, id: String) async throws(StoreError) -> DeadLetter?
    /// Marks a letter resolved (by hand, or by a replay that was started: `replayedAs`).
    func resolveDeadLetter(_ scope: TenantScope, id: String, replayedAs: String?) async throws(StoreError)

    // MARK: Retention

    /// Deletes, for every tenant, the executions that finished before `cutoff` (wall-clock
    /// seconds) with their journals and dead letters; unfinished ones are never touched.
    /// Returns how many executions went.
    func purge(finishedBefore cutoff: Double) async throws(StoreError) -> Int
}

/// A failed execution kept for someone to look at, replay or resolve.
public struct DeadLetter: Sendable, Hashable {
    public var id: String
    public var executionID: String
    public var workflowID: String
    public var version: Int
    public var error: String
    public var createdAt: Double
    public var resolvedAt: Double?
    /// The execution a replay started, when it was replayed.
    public var replayedAs: String?
}

/// Whose data a store call may touch. Made by the store from an API key
/// (``ServiceStore/scope(forKey:)``) or, for a server without tenants, ``singleTenant``.
public struct TenantScope: Sendable, Hashable {
    public let tenantID: String

    /// For a store's own use (authentication, resuming) and tests; routes get theirs from a key.
    public init(tenantID: String) { self.tenantID = tenantID }

    /// The one scope of a server running without tenants (on loopback only).
    public static let singleTenant = TenantScope(tenantID: "")
}

public struct TenantRecord: Sendable, Hashable {
    public var id: String
    public var createdAt: Double
}

/// One version of a stored workflow: its definition as the client sent it (JSON text).
public struct StoredWorkflow: Sendable, Hashable {
    public var id: String
    public var name: String
    public var version: Int
    public var definition: String
    public var createdAt: Double
    public var updatedAt: Double

    /// For stores (another implementation of ``ServiceStore`` makes these) and tests.
    public init(id: String, name: String, version: Int, definition: String, createdAt: Double, updatedAt: Double) {
        self.id = id
        self.name = name
        self.version = version
        self.definition = definition
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct WorkflowSummary: Sendable, Hashable {
    public var id: String
    public var name: String
    public var version: Int
    public var createdAt: Double
    public var updatedAt: Double
}

public struct ExecutionRecord: Sendable, Hashable {
    public var id: String
    public var workflowID: String
    public var version: Int
    /// `queued`, `running`, or a run's final status (`success`, `failed`, `rolledBack`, …).
    public var status: String
    /// The execution's input as JSON text.
    public var input: String
    public var idempotencyKey: String?
    public var createdAt: Double
    public var startedAt: Double?
    public var finishedAt: Double?
}

/// A page of a list and the cursor of the next one (nil at the end). Cursors are opaque to
/// clients: pass one back as it came.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?
}

/// Why a store call failed: a stable code and a sentence saying what to do.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var code: ProblemCode
    public var message: String

    public init(_ code: ProblemCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
