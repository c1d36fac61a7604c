import Hummingbird
import PluginHostCore
@testable import PluginService
import PluginStore
import Testing

/// A stored workflow's document, written as bytes with the definition's compact JSON kept by
/// version: the same bytes as the document built as a tree, per tenant and version.
@Suite("Service: workflow documents")
struct WorkflowDocumentsTests {
    static func stored(_ definition: String, version: Int = 1) -> StoredWorkflow {
        StoredWorkflow(id: "w1", name: "hello \"quoted\"", version: version, definition: definition, createdAt: 1_796_400_000.25,
                       updatedAt: 1_796_400_001.5)
    }

    static func tree(_ stored: StoredWorkflow) throws -> [UInt8] {
        JSONWriter.bytes(["id": .string(stored.id), "name": .string(stored.name), "version": .int(Int64(stored.version)),
                          "workflow": try JSONParser.parse(stored.definition),
                          "createdAt": .string(WallClock.iso8601(stored.createdAt)), "updatedAt": .string(WallClock.iso8601(stored.updatedAt))])
    }

    @Test("the bytes equal the tree's, whitespace in the stored text compacted; each version and tenant its own")
    func sameBytes() throws {
        let documents = WorkflowDocuments()
        let acme = TenantScope(tenantID: "acme"), globex = TenantScope(tenantID: "globex")
        let first = Self.stored(#"{ "name": "hello", "nodes": [ {"name": "a", "type": "math.add", "parameters": {"a": 1.5e3, "b": "é\n"}} ] }"#)
        #expect(try documents.document(first, acme) == Self.tree(first))
        #expect(try documents.document(first, acme) == Self.tree(first), "a second read, from the cache")
        // Another tenant's workflow with the same id and version is its own definition.
        let other = Self.stored(#"{"name":"other","nodes":[]}"#)
        #expect(try documents.document(other, globex) == Self.tree(other))
        #expect(try documents.document(first, acme) == Self.tree(first))
        let second = Self.stored(#"{"name":"v2","nodes":[]}"#, version: 2)
        #expect(try documents.document(second, acme) == Self.tree(second))
    }

    @Test("a stored definition that is not JSON is a 500 STORE_UNAVAILABLE, and is not kept")
    func notJSON() throws {
        let documents = WorkflowDocuments()
        let broken = Self.stored("{\"name\": ")
        for _ in 0..<2 {
            #expect { try documents.document(broken, .singleTenant) } throws: { error in
                (error as? APIError)?.code == .storeUnavailable && (error as? APIError)?.status == .internalServerError
            }
        }
    }
}
