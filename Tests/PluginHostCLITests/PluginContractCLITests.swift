import Foundation
import PluginHostCore
import PluginHostTestSupport
import Testing

/// The plugin contract as the CLI keeps it: `shutdown` runs once at a clean exit, dependents
/// first, and `set_error`'s code is the error the node reports.
@Suite("plugin-host keeps the plugin contract")
struct PluginContractCLITests {
    private func journal(_ directory: TemporaryDirectory) -> [String] {
        let text = (try? String(contentsOfFile: directory.url("journal"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// A base plugin and one that depends on it, recording their inits and shutdowns.
    private func recorders(in directory: TemporaryDirectory) throws {
        try CPluginBuilder.build(
            source: CPluginBuilder.lifecycleRecorderSource(id: "org.test.base", nodeType: "test.base", journal: directory.url("journal")),
            name: "base.so", in: directory)
        try CPluginBuilder.build(
            source: CPluginBuilder.lifecycleRecorderSource(id: "org.test.top", nodeType: "test.top", journal: directory.url("journal"),
                                                           dependsOn: "org.test.base"),
            name: "top.so", in: directory)
    }

    @Test("load: every initialized plugin is shut down once at exit, dependents before what they depend on")
    func shutdownAtExitOfLoad() throws {
        let dir = try TemporaryDirectory()
        try recorders(in: dir)
        let result = try CLI.run(["load", dir.path, "--no-default-plugins"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(journal(dir) == ["init org.test.base", "init org.test.top", "shutdown org.test.top", "shutdown org.test.base"])
    }

    @Test("exec: the plugin that ran (and its dependency) is shut down once, also when the node failed")
    func shutdownAtExitOfExec() throws {
        let dir = try TemporaryDirectory()
        try recorders(in: dir)
        let ok = try CLI.run(["exec", "test.top", "--params", #"{"value":1}"#, "--plugin-dir", dir.path])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(journal(dir) == ["init org.test.base", "init org.test.top", "shutdown org.test.top", "shutdown org.test.base"])
        try FileManager.default.removeItem(atPath: dir.url("journal"))
        let failed = try CLI.run(["exec", "test.top", "--params", #"{"value":"not a number"}"#, "--plugin-dir", dir.path])
        #expect(failed.status == 1)
        #expect(journal(dir).filter { $0.hasPrefix("shutdown") } == journal(dir).filter { $0.hasPrefix("init") }.reversed()
            .map { $0.replacingOccurrences(of: "init", with: "shutdown") })
    }

    @Test("set_error's code decides the error when the plugin returns a generic failure", arguments: [
        (3, "TRANSIENT_ERROR"), (1, "INVALID_PARAMETERS"), (6, "UNSUPPORTED"),
        // PH_OK and host-side codes are not a plugin's to give: the returned status stands.
        (0, "EXECUTION_ERROR"), (9, "EXECUTION_ERROR"), (-4, "EXECUTION_ERROR"),
    ])
    func setErrorCode(code: Int, expected: String) throws {
        let dir = try TemporaryDirectory()
        try CPluginBuilder.build(source: CPluginBuilder.setErrorCodeSource(), name: "seterror.so", in: dir)
        let (status, result, stderr) = try CLI.json(
            ["exec", "test.seterror", "--params", "{\"value\":\(code)}", "--plugin-dir", dir.path, "--json"])
        #expect(status == 1, "\(stderr)")
        #expect(result["errorCode"] == .string(expected))
        #expect(result["error"] == "failed on purpose")
    }
}
