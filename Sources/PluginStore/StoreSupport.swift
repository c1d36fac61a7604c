import Crypto
import Foundation
import PluginHostCore
import PluginWorkflow

// What both backends share: how journal entries are stored, keys, ids and cursors.

/// Journal entries as the stores keep them: one row per entry holding its JSON line (the same
/// text a ``FileJournal`` writes), in append order.
enum JournalRows {
    static func text(_ entry: JournalEntry) -> String {
        var stream = JSONStream(capacity: 512)
        entry.write(to: &stream)
        return String(decoding: stream.bytes, as: UTF8.self)
    }

    /// The rows' entries; `JOURNAL_INVALID` naming the first row that is not one.
    static func entries(_ lines: [String], executionID: String) throws(JournalFailure) -> [JournalEntry] {
        var entries: [JournalEntry] = []
        entries.reserveCapacity(lines.count)
        for (position, line) in lines.enumerated() {
            do throws(JournalFailure) {
                entries.append(try JournalEntry(line: Array(line.utf8)))
            } catch {
                throw JournalFailure(.journalInvalid, "Entry \(position + 1) of the journal of execution \(executionID) is not a journal entry: \(error.message)")
            }
        }
        return entries
    }
}

/// API keys: 32 random bytes as 64 hex digits with a `phk_` prefix (so a leaked key is easy to
/// spot in logs and scanners); stored and looked up as their SHA-256 digest only.
enum APIKeys {
    static func newKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return "phk_" + (0..<4).map { _ in Identifiers.hex(generator.next()) }.joined()
    }

    static func digest(_ key: String) -> Data { Data(SHA256.hash(data: Data(key.utf8))) }

    /// The digest as 64 hex digits (how the PostgreSQL store keeps it).
    static func hexDigest(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }
}

/// What a tenant id may be, and the answer when one is taken.
enum TenantIDs {
    static func check(_ id: String) throws(StoreError) {
        guard !id.isEmpty, id.utf8.count <= 128, !id.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw StoreError(.invalidArgument, "A tenant id is 1 to 128 characters without spaces; `\(id)` is not one.")
        }
    }

    static func exists(_ id: String) -> StoreError {
        StoreError(.tenantExists, "Tenant `\(id)` exists already; rotate its key with `tenant rotate-key \(id)`.")
    }
}

/// Ids of workflows and executions: 128 random bits as 32 hex digits (not guessable, so an id
/// alone never reaches another tenant's data, which the scope forbids anyway).
enum Identifiers {
    static func new() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next()) + hex(generator.next())
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// Page cursors: the position after which the next page starts, as `c` and a decimal
/// number. Opaque to clients; one that is not ours is INVALID_ARGUMENT.
enum Cursors {
    static func cursor(after position: Int64) -> String { "c\(position)" }

    static func position(_ cursor: String?) throws(StoreError) -> Int64 {
        guard let cursor else { return 0 }
        guard cursor.first == "c", let position = Int64(cursor.dropFirst()), position >= 0 else {
            throw StoreError(.invalidArgument, "The cursor `\(cursor)` is not one this server gave; pass nextCursor back as it came.")
        }
        return position
    }
}

/// One execution to accept (``ServiceStore/createExecution(_:workflowID:version:input:idempotencyKey:)``),
/// as both stores group-commit them: under load a `202` waits for one commit shared with
/// every accept that arrived meanwhile, not for a commit of its own (``GroupCommit``).
struct ExecutionAccept: Sendable {
    var tenantID: String
    var workflowID: String
    var version: Int
    var input: String
    var idempotencyKey: String?
    var id = Identifiers.new()
    var createdAt = WallClock.now()

    /// What the batch did with it.
    enum Outcome: Sendable {
        case created
        /// The tenant had used the idempotency key: the execution it started.
        case existing(ExecutionRecord)
        case noVersion
    }

    var record: ExecutionRecord {
        ExecutionRecord(id: id, workflowID: workflowID, version: version, status: "queued", input: input,
                        idempotencyKey: idempotencyKey, createdAt: createdAt)
    }

    /// Accepts through `accepts`: the execution and whether it is new.
    static func commit(
        _ scope: TenantScope, workflowID: String, version: Int, input: String, idempotencyKey: String?,
        through accepts: GroupCommit<ExecutionAccept, Outcome>, store: String
    ) async throws(StoreError) -> (execution: ExecutionRecord, created: Bool) {
        let accept = ExecutionAccept(tenantID: scope.tenantID, workflowID: workflowID, version: version, input: input,
                                     idempotencyKey: idempotencyKey)
        let outcome: Outcome
        do { outcome = try await accepts.commit(accept) } catch let error as StoreError { throw error } catch {
            throw StoreError(.storeUnavailable, "Cannot accept an execution of workflow `\(workflowID)` in \(store): \(error).")
        }
        switch outcome {
        case .created: return (accept.record, true)
        case .existing(let execution): return (execution, false)
        case .noVersion: throw StoreError(.notFound, "Workflow `\(workflowID)` has no version \(version).")
        }
    }
}
