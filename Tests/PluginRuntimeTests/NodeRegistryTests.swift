import Logging
import PluginDiscovery
import Foundation
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import PluginMetadata
import Testing
@testable import PluginRuntime

@Suite("Latency histogram")
struct LatencyHistogramTests {
    @Test("bucket upper bounds cover every value, in order, within 1/16 of it")
    func bucketsAreTight() {
        var previous: UInt64 = 0
        for value in [0, 1, 15, 16, 17, 31, 32, 100, 1_000, 65_535, 1_000_000, 123_456_789, 1 << 39] as [UInt64] {
            let bound = LatencyHistogram.upperBound(of: LatencyHistogram.index(of: value))
            #expect(bound >= value, "\(value) → \(bound)")
            #expect(Double(bound - value) <= Double(value) / 16 + 1, "\(value) → \(bound)")
            #expect(bound >= previous)
            previous = bound
        }
    }

    @Test("percentiles of a known distribution")
    func percentiles() {
        var histogram = LatencyHistogram()
        for value in 1...1000 { histogram.record(nanoseconds: UInt64(value) * 1000) }
        let p50 = Double(histogram.value(atPercentile: 50)), p99 = Double(histogram.value(atPercentile: 99))
        #expect(abs(p50 - 500_000) / 500_000 < 0.07)
        #expect(abs(p99 - 990_000) / 990_000 < 0.07)
        #expect(histogram.value(atPercentile: 100) == 1_000_000)
        #expect(histogram.mean == 500_500)
    }

    @Test("huge values clamp into the last bucket instead of trapping")
    func clamps() {
        var histogram = LatencyHistogram()
        histogram.record(nanoseconds: .max)
        #expect(histogram.total == 1)
        #expect(histogram.value(atPercentile: 50) == .max)
    }
}

@Suite("Node registry")
struct NodeRegistryTests {
    /// Builds, inspects, loads and initializes an echo plugin with the given node types.
    static func plugin(_ id: String, _ nodeTypes: [String], tags: String = "", in dir: TemporaryDirectory) throws -> LoadedPlugin {
        var metadata = CPluginBuilder.validMetadata(id: id, nodeTypes: nodeTypes)
        if !tags.isEmpty { metadata = metadata.replacingOccurrences(of: #""supportedVersions":[1]"#, with: #""supportedVersions":[1],"tags":["\#(tags)"]"#) }
        let path = try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: metadata), name: "\(id).so", in: dir)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: nil, fileSize: nil, mode: .strict)
        #expect(inspection.problems == [], "\(inspection.problems)")
        let loaded = try PluginLoader.load(inspection).get()
        try loaded.initialize(config: [:]).get()
        return loaded
    }

    @Test("looks up node types exactly and lists them sorted, filtered by category, tag, plugin and text")
    func lookupAndListing() throws {
        let dir = try TemporaryDirectory()
        let a = try Self.plugin("org.test.alpha", ["alpha.one", "alpha.two"], tags: "fast", in: dir)
        let b = try Self.plugin("org.test.beta", ["beta.one"], in: dir)
        let registry = NodeRegistry(plugins: [b, a])
        #expect(registry.count == 3)
        #expect(registry.node("alpha.two")?.pluginID == "org.test.alpha")
        #expect(registry.node("Alpha.two") == nil)
        #expect(registry.list().map(\.nodeType) == ["alpha.one", "alpha.two", "beta.one"])
        #expect(registry.list(tag: "fast").map(\.nodeType) == ["alpha.one", "alpha.two"])
        #expect(registry.list(pluginID: "org.test.beta").map(\.nodeType) == ["beta.one"])
        #expect(registry.list(category: "test").count == 3)
        #expect(registry.list(category: "other").isEmpty)
        #expect(registry.list(text: "ONE").map(\.nodeType) == ["alpha.one", "beta.one"])
        #expect(registry.problems.isEmpty)
    }

    @Test("the first plugin registered keeps a duplicated node type; the clash is DUPLICATE_NODE_TYPE")
    func duplicates() throws {
        let dir = try TemporaryDirectory()
        let first = try Self.plugin("org.test.first", ["shared.op"], in: dir)
        let second = try Self.plugin("org.test.second", ["shared.op"], in: dir)
        let registry = NodeRegistry(plugins: [first, second])
        #expect(registry.node("shared.op")?.pluginID == "org.test.first")
        #expect(registry.problems.map(\.code) == [.duplicateNodeType])
        #expect(registry.problems.first?.node == "shared.op")
        registry.register(first)  // registering the same plugin again is not a clash
        #expect(registry.problems.count == 1)
    }

    @Test("statistics count calls and errors and report latency percentiles")
    func statistics() throws {
        let registry = NodeRegistry()
        for i in 1...100 { registry.record(nodeType: "x.op", nanoseconds: UInt64(i) * 1_000_000, succeeded: i % 10 != 0) }
        let snapshot = registry.statisticsSnapshot()
        #expect(snapshot.map(\.nodeType) == ["x.op"])
        let stats = try #require(snapshot.first?.statistics)
        #expect(stats.calls == 100)
        #expect(stats.errors == 10)
        #expect(abs(stats.latencyMs(atPercentile: 50) - 50) < 4)
        #expect(stats.maxLatencyMs == 100)
    }
}

extension PluginLoader {
    /// For inspections the tests build by hand: loads the file that is at the path now, as if a
    /// scan had just recorded it (production code passes the scan's identity).
    static func load(_ inspection: PluginInspection, logger: Logger? = nil) -> Result<LoadedPlugin, Problem> {
        let missing = FileIdentity(device: 0, inode: 0, size: 0, modificationTimeNanoseconds: 0, mode: 0, owner: 0)
        return load(inspection, scannedAs: FileIdentity(atPath: inspection.path) ?? missing, logger: logger)
    }
}
