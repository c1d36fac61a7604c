import Foundation
@testable import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import Testing

/// Walk order wins: directories in the order given, then sorted paths; the first ok plugin
/// keeps an id or node type and later ones are rejected.
@Suite("Duplicate plugin ids and node types across files")
struct CrossFileTests {
    @Test("the same plugin id in two files rejects the later file with DUPLICATE_PLUGIN_ID")
    func duplicateID() throws {
        let dir = try TemporaryDirectory()
        let first = try Fixtures.install("a.so", id: "org.test.same", nodeTypes: ["test.first"], in: dir)
        let second = try Fixtures.install("b.so", id: "org.test.same", nodeTypes: ["test.second"], in: dir)
        let report = scan(dir.path)
        #expect(report.plugin(first)?.status == .ok)
        let later = try #require(report.plugin(second))
        #expect(later.codes == ["DUPLICATE_PLUGIN_ID"])
        #expect(later.problems[0].message.contains("already provided by \(first)"))
    }

    @Test("the search directory given first wins, whatever the names")
    func directoryOrderWins() throws {
        let one = try TemporaryDirectory(), two = try TemporaryDirectory()
        let inOne = try Fixtures.install("a.so", id: "org.test.order", nodeTypes: ["test.order"], in: one)
        let inTwo = try Fixtures.install("z.so", id: "org.test.order", nodeTypes: ["test.order"], in: two)
        let report = Scanner().scan([SearchDirectory(path: two.path), SearchDirectory(path: one.path)])
        #expect(report.plugins.map(\.path) == [inTwo, inOne])
        #expect(report.plugin(inTwo)?.status == .ok)
        #expect(report.plugin(inOne)?.codes == ["DUPLICATE_PLUGIN_ID", "DUPLICATE_NODE_TYPE"])
    }

    @Test("a node type declared by two plugins rejects the later plugin with DUPLICATE_NODE_TYPE on that node")
    func duplicateNodeType() throws {
        let dir = try TemporaryDirectory()
        let first = try Fixtures.install("a.so", id: "org.test.one", nodeTypes: ["test.shared", "test.own"], in: dir)
        let second = try Fixtures.install("b.so", id: "org.test.two", nodeTypes: ["test.other", "test.shared"], in: dir)
        let report = scan(dir.path)
        #expect(report.plugin(first)?.status == .ok)
        let later = try #require(report.plugin(second))
        #expect(later.codes == ["DUPLICATE_NODE_TYPE"])
        #expect(later.problems[0].node == "test.shared")
        #expect(later.problems[0].message.contains("already provided by \(first) (plugin org.test.one)"))
    }

    @Test("a rejected plugin claims nothing: the next file with its id and node type stays ok")
    func rejectedClaimsNothing() throws {
        let dir = try TemporaryDirectory()
        try Fixtures.install("a.so", id: "org.test.claim", nodeTypes: ["test.claim"], in: dir, mode: 0o666)
        let good = try Fixtures.install("b.so", id: "org.test.claim", nodeTypes: ["test.claim"], in: dir)
        let report = scan(dir.path)
        #expect(report.plugins.map(\.status) == [.rejected, .ok])
        #expect(report.plugin(good)?.problems.isEmpty == true)
    }
}
