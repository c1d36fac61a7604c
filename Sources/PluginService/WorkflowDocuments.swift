import Hummingbird
import PluginHostCore
import PluginStore
import Synchronization

/// A stored workflow's document (`{"id", "name", "version", "workflow", "createdAt",
/// "updatedAt"}`), written as bytes, with each stored definition's compact JSON kept by tenant,
/// workflow and version.
///
/// Why a cache, and why it is safe: `GET /v1/workflows/{id}` is the hottest read, and parsing
/// the stored definition to write it again was a tenth of its time under load. A stored version
/// never changes (an update makes a new one), so the bytes for one (tenant, workflow, version)
/// are the same in every process on the database; the store is still read on every request
/// (the latest version, the name, whether the workflow was deleted), only the definition's parse
/// and re-write is saved. A definition that is not JSON any more (a store edited by hand) is
/// never cached and is a 500, as before. Bounded: past ``maximumBytes`` of definitions the cache
/// starts over, which keeps it simple and costs one parse per definition after that.
final class WorkflowDocuments: Sendable {
    private struct Key: Hashable {
        var tenantID: String
        var workflowID: String
        var version: Int
    }

    private let cached = Mutex<(definitions: [Key: [UInt8]], bytes: Int)>(([:], 0))
    static let maximumBytes = 32 << 20

    /// The document's bytes (compact, as ``JSONWriter`` writes them).
    func document(_ stored: StoredWorkflow, _ scope: TenantScope) throws -> [UInt8] {
        let definition = try compactDefinition(stored, scope)
        var stream = JSONStream(capacity: definition.count + 192)
        stream.beginObject()
        stream.key("id")
        stream.string(stored.id)
        stream.key("name")
        stream.string(stored.name)
        stream.key("version")
        stream.integer(Int64(stored.version))
        stream.key("workflow")
        stream.compactJSON(definition)
        stream.key("createdAt")
        stream.timestamp(stored.createdAt)
        stream.key("updatedAt")
        stream.timestamp(stored.updatedAt)
        stream.endObject()
        return stream.bytes
    }

    private func compactDefinition(_ stored: StoredWorkflow, _ scope: TenantScope) throws -> [UInt8] {
        let key = Key(tenantID: scope.tenantID, workflowID: stored.id, version: stored.version)
        if let bytes = cached.withLock({ $0.definitions[key] }) { return bytes }
        let value: JSONValue
        do { value = try JSONParser.parse(stored.definition, maximumDepth: .max) } catch {
            throw APIError(.internalServerError, .storeUnavailable, "The stored workflow `\(stored.id)` version \(stored.version) is not JSON any more.")
        }
        let bytes = JSONWriter.bytes(value)
        cached.withLock { cache in
            if cache.bytes + bytes.count > Self.maximumBytes { cache = ([:], 0) }
            if cache.definitions.updateValue(bytes, forKey: key) == nil { cache.bytes += bytes.count }
        }
        return bytes
    }
}
