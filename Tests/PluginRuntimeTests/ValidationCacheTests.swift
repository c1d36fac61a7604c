import Foundation
import PluginHostCore
import PluginMetadata
import PluginRuntime
import Synchronization
import Testing

@Suite("ValidationCache")
struct ValidationCacheTests {
    static let schema: ParameterSchema = {
        let json: JSONValue = [
            "type": "object", "additionalProperties": false,
            "properties": ["a": ["type": "integer", "minimum": 0], "name": ["type": "string", "maxLength": 1],
                           "mode": ["type": "string", "default": "fast"]],
        ]
        do { return try ParameterSchema(json) } catch { fatalError("test schema does not compile: \(error)") }
    }()

    private func stats(_ cache: ValidationCache) -> [Int] {
        let s = cache.statistics
        return [Int(s.hits), Int(s.misses), Int(s.evictions), s.entries]
    }

    @Test("the first call is a miss, the same call again a hit with the same outcome")
    func hitAfterMiss() {
        let cache = ValidationCache()
        let first = cache.validated(nodeType: "math.add", parameters: ["a": 2], schema: Self.schema)
        #expect(stats(cache) == [0, 1, 0, 1])
        let second = cache.validated(nodeType: "math.add", parameters: ["a": 2], schema: Self.schema)
        #expect(stats(cache) == [1, 1, 0, 1])
        #expect(first.parameters == ["a": 2, "mode": "fast"])
        #expect(second.parameters == first.parameters)
        #expect(second.violations == [])
    }

    @Test("violations are cached with the parameters")
    func cachesViolations() {
        let cache = ValidationCache()
        let expected = [SchemaViolation(path: "/a", message: "must be at least 0, got -1")]
        #expect(cache.validated(nodeType: "n", parameters: ["a": -1], schema: Self.schema).violations == expected)
        #expect(cache.validated(nodeType: "n", parameters: ["a": -1], schema: Self.schema).violations == expected)
        #expect(stats(cache) == [1, 1, 0, 1])
    }

    @Test("the node type is part of the key")
    func nodeTypeInKey() {
        let cache = ValidationCache()
        _ = cache.validated(nodeType: "a.x", parameters: ["a": 1], schema: Self.schema)
        _ = cache.validated(nodeType: "a.y", parameters: ["a": 1], schema: Self.schema)
        #expect(stats(cache) == [0, 2, 0, 2])
    }

    @Test("at capacity the least recently used entry is evicted, and a hit refreshes an entry")
    func lruEviction() {
        let cache = ValidationCache(capacity: 2)
        _ = cache.validated(nodeType: "n", parameters: ["a": 1], schema: Self.schema)
        _ = cache.validated(nodeType: "n", parameters: ["a": 2], schema: Self.schema)
        _ = cache.validated(nodeType: "n", parameters: ["a": 1], schema: Self.schema)  // hit: 1 is now newest
        _ = cache.validated(nodeType: "n", parameters: ["a": 3], schema: Self.schema)  // evicts 2
        #expect(stats(cache) == [1, 3, 1, 2])
        #expect(cache.recencyOrder.map(\.parameters) == [["a": 3], ["a": 1]])
        _ = cache.validated(nodeType: "n", parameters: ["a": 2], schema: Self.schema)  // miss again; evicts 1
        #expect(stats(cache) == [1, 4, 2, 2])
        #expect(cache.recencyOrder.map(\.parameters) == [["a": 2], ["a": 3]])
    }

    @Test("eviction keeps working through many rounds, never exceeding capacity")
    func manyEvictions() {
        let cache = ValidationCache(capacity: 3)
        for round in 0..<100 {
            _ = cache.validated(nodeType: "n", parameters: ["a": .int(Int64(round))], schema: Self.schema)
        }
        #expect(stats(cache) == [0, 100, 97, 3])
        #expect(cache.recencyOrder.map(\.parameters) == [["a": 99], ["a": 98], ["a": 97]])
    }

    @Test("keys are exact: member order and 2 versus 2.0 make different entries")
    func exactKeys() {
        let cache = ValidationCache()
        let ordered = cache.validated(nodeType: "n", parameters: ["a": 1, "name": "x"], schema: Self.schema)
        let reordered = cache.validated(nodeType: "n", parameters: ["name": "x", "a": 1], schema: Self.schema)
        _ = cache.validated(nodeType: "n", parameters: ["a": 1.0, "name": "x"], schema: Self.schema)
        #expect(stats(cache) == [0, 3, 0, 3])
        #expect(ordered.parameters.objectValue?.keys == ["a", "name", "mode"])
        #expect(reordered.parameters.objectValue?.keys == ["name", "a", "mode"])
    }

    @Test("canonically equivalent strings hash alike but are different keys with different outcomes")
    func equivalentStringsCollide() {
        // Swift hashes "é" and "e" + U+0301 identically; their lengths in scalars differ (1 and 2).
        let cache = ValidationCache()
        let composed = cache.validated(nodeType: "n", parameters: ["name": "\u{E9}"], schema: Self.schema)
        let decomposed = cache.validated(nodeType: "n", parameters: ["name": "e\u{301}"], schema: Self.schema)
        #expect(composed.violations == [])
        #expect(decomposed.violations == [SchemaViolation(path: "/name", message: "must be at most 1 character long, got 2")])
        #expect(stats(cache) == [0, 2, 0, 2])
        #expect(cache.validated(nodeType: "n", parameters: ["name": "e\u{301}"], schema: Self.schema).violations.count == 1)
        #expect(cache.validated(nodeType: "n", parameters: ["name": "\u{E9}"], schema: Self.schema).violations == [])
    }

    @Test("capacity 0 validates every call and stores nothing")
    func capacityZero() {
        let cache = ValidationCache(capacity: 0)
        for _ in 0..<3 { _ = cache.validated(nodeType: "n", parameters: ["a": 1], schema: Self.schema) }
        #expect(stats(cache) == [0, 3, 0, 0])
    }

    @Test("parameters larger than the size limit are validated but not stored")
    func oversized() {
        let cache = ValidationCache(maximumParameterBytes: 64)
        let big: JSONValue = ["name": .string(String(repeating: "x", count: 100))]
        let outcome = cache.validated(nodeType: "n", parameters: big, schema: Self.schema)
        #expect(outcome.violations == [SchemaViolation(path: "/name", message: "must be at most 1 character long, got 100")])
        _ = cache.validated(nodeType: "n", parameters: big, schema: Self.schema)
        #expect(stats(cache) == [0, 2, 0, 0])
    }

    @Test("a schema cheaper to check than to look up bypasses the cache, with the same outcome")
    func cheapSchemaBypasses() throws {
        let cache = ValidationCache()
        let cheap = try ParameterSchema(["type": "object", "properties": ["a": ["type": "integer", "minimum": 1]]])
        #expect(!cheap.isWorthCaching)
        for _ in 0..<2 {
            let outcome = cache.validated(nodeType: "n", parameters: ["a": 0], schema: cheap)
            #expect(outcome.violations == [SchemaViolation(path: "/a", message: "must be at least 1, got 0")])
        }
        #expect(cache.validated(nodeType: "n", parameters: ["x": 1], schema: try ParameterSchema(true)).parameters == ["x": 1])
        #expect(stats(cache) == [0, 0, 0, 0])
    }

    @Test("a pattern or a default anywhere in the schema makes it worth caching")
    func worthCaching() throws {
        #expect(try ParameterSchema(["properties": ["a": ["items": ["pattern": "x"]]]]).isWorthCaching)
        #expect(try ParameterSchema(["additionalProperties": ["properties": ["b": ["default": 1]]]]).isWorthCaching)
        #expect(try !ParameterSchema(["properties": ["a": ["enum": [1, 2]]], "required": ["a"]]).isWorthCaching)
    }

    @Test("removeAll forgets entries and keeps the counters")
    func removeAll() {
        let cache = ValidationCache()
        _ = cache.validated(nodeType: "n", parameters: ["a": 1], schema: Self.schema)
        cache.removeAll()
        #expect(stats(cache) == [0, 1, 0, 0])
        _ = cache.validated(nodeType: "n", parameters: ["a": 1], schema: Self.schema)
        #expect(stats(cache) == [0, 2, 0, 1])
    }

    @Test("8 threads sharing a small cache get correct outcomes and consistent counters")
    func concurrentUse() {
        let cache = ValidationCache(capacity: 16)
        let wrong = Locked(0)
        let threads = 8, calls = 2_000
        runOnThreads(threads) { thread in
            for call in 0..<calls {
                let value = Int64((call * 7 + thread) % 40) - 5  // 40 keys, 5 of them invalid
                let outcome = cache.validated(nodeType: "n", parameters: ["a": .int(value)], schema: Self.schema)
                let expected = value < 0 ? 1 : 0
                if outcome.violations.count != expected || outcome.parameters["a"] != .int(value) {
                    wrong.withLock { $0 += 1 }
                }
            }
        }
        let s = cache.statistics
        #expect(wrong.withLock { $0 } == 0)
        #expect(s.hits + s.misses == UInt64(threads * calls))
        #expect(s.entries == 16)
        #expect(s.misses >= UInt64(s.entries) + s.evictions)
        #expect(cache.recencyOrder.count == 16)
    }
}
