import Glibc
@testable import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import Testing

/// Cold files are inspected in parallel batches; the report must not depend on it.
@Suite("Parallel inspection")
struct ParallelInspectionTests {
    /// 150 files (more than two 64-file batches): valid plugins, duplicate ids, non-ELF files,
    /// a hard link and a world-writable file, interleaved.
    private func populated() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        let first = try Fixtures.plugin(id: "org.test.first", nodeTypes: ["test.first"])
        let second = try Fixtures.plugin(id: "org.test.second", nodeTypes: ["test.second"])
        for index in 0..<150 {
            let name = "p" + String(1000 + index) + ".so"
            switch index % 5 {
            case 0: try dir.write(name, first)
            case 1: try dir.write(name, second)
            case 2: try dir.write(name, Array("not a library".utf8))
            case 3: try dir.write(name, first, mode: 0o666)
            default: try dir.write(name, second)
            }
        }
        try #require(link(dir.url("p1000.so"), dir.url("p9999.so")) == 0)
        return dir
    }

    @Test("one thread and four threads give the same report, in walk order")
    func sameReport() throws {
        let dir = try populated()
        var one = ScanOptions()
        one.inspectionThreads = 1
        var four = ScanOptions()
        four.inspectionThreads = 4
        let serial = scan(dir.path, options: one)
        let parallel = scan(dir.path, options: four)
        #expect(serial.plugins.count == 151)
        #expect(parallel.plugins.map(\.path) == serial.plugins.map(\.path))
        #expect(parallel.plugins.map(\.path) == serial.plugins.map(\.path).sorted())
        #expect(parallel.plugins.map(\.problems) == serial.plugins.map(\.problems))
        #expect(parallel.plugins.map(\.manifest) == serial.plugins.map(\.manifest))
        #expect(parallel.plugins.map(\.status) == serial.plugins.map(\.status))
        #expect(parallel.plugins.map(\.inspection.rawMetadata) == serial.plugins.map(\.inspection.rawMetadata))
        #expect(parallel.filesOpened == serial.filesOpened)
    }

    @Test("a parallel cold scan fills the cache exactly as a serial one")
    func cacheFilled() throws {
        let dir = try populated()
        var four = ScanOptions()
        four.inspectionThreads = 4
        let cache = ScanCache()
        let cold = scan(dir.path, options: four, cache: cache)
        #expect(cold.cacheMisses == 150 && cold.filesOpened == 150)
        #expect(cache.count == 150)
        let warm = scan(dir.path, options: four, cache: cache)
        #expect(warm.cacheHits == 150 && warm.filesOpened == 0)
        #expect(warm.plugins.map(\.problems) == cold.plugins.map(\.problems))
    }

    @Test("the first file of each id wins whatever the thread count")
    func duplicatesResolvedInOrder() throws {
        let dir = try populated()
        var four = ScanOptions()
        four.inspectionThreads = 4
        let report = scan(dir.path, options: four)
        #expect(report.plugin(dir.url("p1000.so"))?.status == .ok)
        #expect(report.plugin(dir.url("p1001.so"))?.status == .ok)
        #expect(report.plugin(dir.url("p1002.so"))?.codes == ["NOT_ELF"])
        #expect(report.plugin(dir.url("p1004.so"))?.codes == ["DUPLICATE_PLUGIN_ID", "DUPLICATE_NODE_TYPE"])
        #expect(report.plugin(dir.url("p9999.so"))?.codes == ["DUPLICATE_FILE"])
    }
}
