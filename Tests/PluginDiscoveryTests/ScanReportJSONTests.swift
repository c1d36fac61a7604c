import Foundation
@testable import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import Testing

/// `scan --json` in the shape README.md documents (*JSON shapes*).
@Suite("Scan report JSON")
struct ScanReportJSONTests {
    @Test("the report has the documented shape, with null id/version/nodes for unreadable metadata")
    func shape() throws {
        let dir = try TemporaryDirectory()
        let good = try Fixtures.install("a.so", id: "org.test.json", nodeTypes: ["test.x", "test.y"], in: dir)
        let bad = try dir.write("b.so", "text")
        let json = scan(dir.path).json()
        #expect(json["hostAbi"] == "1.0")
        #expect(json["mode"] == "strict")
        #expect(json.objectValue?.keys == ["hostAbi", "mode", "plugins", "problems", "summary"])
        let plugins = try #require(json["plugins"]?.arrayValue)
        #expect(plugins.count == 2)
        #expect(plugins[0].objectValue?.keys == ["path", "status", "id", "version", "nodes", "problems"])
        #expect(plugins[0]["path"] == .string(good))
        #expect(plugins[0]["status"] == "ok")
        #expect(plugins[0]["id"] == "org.test.json")
        #expect(plugins[0]["version"] == "1.0.0")
        #expect(plugins[0]["nodes"] == ["test.x", "test.y"])
        #expect(plugins[1]["path"] == .string(bad))
        #expect(plugins[1]["status"] == "rejected")
        #expect(plugins[1]["id"] == .null)
        #expect(plugins[1]["nodes"] == .null)
        let problem = try #require(plugins[1]["problems"]?.arrayValue?.first)
        #expect(problem["code"] == "NOT_ELF")
        #expect(problem["severity"] == "error")
        #expect(problem["message"]?.stringValue?.isEmpty == false)
        let summary = try #require(json["summary"])
        #expect(summary.objectValue?.keys == ["files", "ok", "rejected", "warnings", "durationMs", "cacheHits", "cacheMisses"])
        #expect(summary["files"] == 2)
        #expect(summary["ok"] == 1)
        #expect(summary["rejected"] == 1)
        #expect(summary["warnings"] == 0)
        #expect(summary["durationMs"]?.isNumber == true)
    }

    @Test("directory problems are listed at the top level with their path, and plugin problems carry node")
    func problems() throws {
        let dir = try TemporaryDirectory()
        try Fixtures.install("a.so", id: "org.test.n1", nodeTypes: ["test.same"], in: dir)
        try Fixtures.install("b.so", id: "org.test.n2", nodeTypes: ["test.same"], in: dir)
        let missing = dir.url("missing")
        let json = Scanner().scan([SearchDirectory(path: dir.path), SearchDirectory(path: missing)]).json()
        let top = try #require(json["problems"]?.arrayValue)
        #expect(top == [.object(["code": "DIRECTORY_NOT_FOUND", "severity": "error",
                                 "message": .string("\(missing) does not exist; create it or fix the plugin path"),
                                 "path": .string(missing)])])
        let duplicate = try #require(json["plugins"]?.arrayValue?[1]["problems"]?.arrayValue?.first)
        #expect(duplicate["code"] == "DUPLICATE_NODE_TYPE")
        #expect(duplicate["node"] == "test.same")
    }
}
