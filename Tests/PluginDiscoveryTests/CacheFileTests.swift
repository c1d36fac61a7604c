import Foundation
@testable import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import Testing

/// The binary cache file: versioned, checksummed, and ignored whole when anything is off.
@Suite("Scan cache file")
struct CacheFileTests {
    /// A saved cache of two valid plugins and one bad file, and the scan that filled it.
    private func saved() throws -> (dir: TemporaryDirectory, store: TemporaryDirectory, file: String, cold: ScanReport) {
        let dir = try TemporaryDirectory()
        try Fixtures.install("a.so", id: "org.test.fa", nodeTypes: ["test.fa"], in: dir)
        try Fixtures.install("b.so", id: "org.test.fb", nodeTypes: ["test.fb"], in: dir)
        try dir.write("bad.so", "not a library")
        let store = try TemporaryDirectory()
        let file = store.url("scan-cache.json")
        let cache = ScanCache()
        let cold = scan(dir.path, cache: cache)
        try cache.save(to: file)
        return (dir, store, file, cold)
    }

    private func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test("a saved cache loads back entry for entry, schemas included")
    func roundTrip() throws {
        let (dir, store, file, cold) = try saved()
        defer { withExtendedLifetime(store) {} }  // the temporary directory lives until the end
        let loaded = ScanCache.load(from: file)
        #expect(loaded.count == 3)
        let warm = scan(dir.path, cache: loaded)
        #expect(warm.cacheHits == 3)
        #expect(warm.plugins.map(\.manifest) == cold.plugins.map(\.manifest))
        #expect(warm.plugins.map { $0.manifest?.nodes.first?.schema } == cold.plugins.map { $0.manifest?.nodes.first?.schema })
        #expect(warm.plugins.map(\.problems) == cold.plugins.map(\.problems))
    }

    @Test("one damaged byte makes the whole file ignored (checksum)")
    func damagedByte() throws {
        let (dir, store, file, _) = try saved()
        defer { withExtendedLifetime((dir, store)) {} }  // the temporary directories live until the end
        var content = try bytes(file)
        content[content.count / 2] ^= 0x20
        try Data(content).write(to: URL(fileURLWithPath: file))
        #expect(ScanCache.load(from: file).count == 0)
    }

    @Test("a truncated file is ignored")
    func truncated() throws {
        let (dir, store, file, _) = try saved()
        defer { withExtendedLifetime((dir, store)) {} }  // the temporary directories live until the end
        let content = try bytes(file)
        try Data(content.prefix(content.count - 7)).write(to: URL(fileURLWithPath: file))
        #expect(ScanCache.load(from: file).count == 0)
    }

    @Test("a file from another format version is ignored")
    func otherVersion() throws {
        let (dir, store, file, _) = try saved()
        defer { withExtendedLifetime((dir, store)) {} }  // the temporary directories live until the end
        var content = try bytes(file)
        content[ScanCache.magic.count] &+= 1  // the version's low byte
        try Data(content).write(to: URL(fileURLWithPath: file))
        #expect(ScanCache.load(from: file).count == 0)
    }

    @Test("JSON values of every kind survive the binary coding")
    func jsonValues() throws {
        let value: JSONValue = ["n": nil, "t": true, "f": false, "i": -42, "d": 2.5, "s": "é\u{0301}",
                                "a": [1, [], [:]], "o": ["k": ["deep": "x"]]]
        var writer = CacheCoding.Writer()
        CacheCoding.encode(value, into: &writer)
        let decoded = writer.bytes.withUnsafeBytes { buffer -> JSONValue? in
            var reader = CacheCoding.Reader(bytes: buffer)
            return CacheCoding.decodeJSON(&reader, depth: 0)
        }
        #expect(decoded == value)
        #expect(decoded.map { JSONWriter.string($0) } == JSONWriter.string(value))
    }
}
