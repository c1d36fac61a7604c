import Foundation
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginRuntime
import Testing

@Suite("Isolation: the probe loads plugins in throwaway processes first")
struct ProbeTests {
    /// A directory with a good plugin and every way loading can go wrong.
    static func hazardousDirectory() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory(prefix: "probe")
        try CPluginBuilder.build(source: ProbePlugins.constructorCrash(), name: "crasher.so", in: dir)
        try CPluginBuilder.build(source: ProbePlugins.initHang(), name: "hanger.so", in: dir)
        try CPluginBuilder.build(source: ProbePlugins.initFailure(), name: "failing.so", in: dir)
        try CPluginBuilder.build(source: ProbePlugins.initCrash(), name: "initcrash.so", in: dir)
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(), name: "good.so", in: dir)
        return dir
    }

    @Test("every plugin gets its outcome: a crashing constructor or init is PROBE_CRASHED with the signal, a hang INIT_TIMEOUT, and the good one passes")
    func outcomes() throws {
        let dir = try Self.hazardousDirectory()
        let host = try isolatedHost(directories: [dir.path], initTimeout: .milliseconds(500))
        defer { host.shutdownWorkers() }
        let report = host.probe()
        let byID = Dictionary(uniqueKeysWithValues: report.outcomes.map { ($0.id, $0) })
        #expect(byID["org.test.echo"]?.status == .initialized)
        #expect(byID["org.test.crasher"]?.status == .crashed)
        #expect(byID["org.test.crasher"]?.problem?.code == .probeCrashed)
        #expect(byID["org.test.crasher"]?.problem?.message.contains("SIGSEGV") == true, "\(byID["org.test.crasher"]?.problem?.message ?? "")")
        #expect(byID["org.test.initcrash"]?.problem?.code == .probeCrashed)
        #expect(byID["org.test.hanger"]?.status == .timedOut)
        #expect(byID["org.test.hanger"]?.problem?.code == .initTimeout)
        #expect(byID["org.test.failing"]?.problem?.code == .initFailed)
        #expect(byID["org.test.failing"]?.problem?.message.contains("database unreachable") == true)
        // The good plugin can run in workers; the host itself loaded none of them.
        #expect(host.registry.count == 0)
        #expect(host.execute(nodeType: "test.echo", parameters: ["value": 1]).output == ["value": 1])
    }

    @Test("what the probe stops is quarantined by file identity, so the next host never tries it, in any process")
    func quarantined() async throws {
        let dir = try Self.hazardousDirectory()
        let quarantine = dir.url("quarantine.json")
        let first = try isolatedHost(directories: [dir.path], initTimeout: .milliseconds(500), quarantineFile: quarantine)
        _ = first.probe()
        let second = try isolatedHost(directories: [dir.path], initTimeout: .milliseconds(500), quarantineFile: quarantine)
        let report = second.probe()
        let crasher = try #require(report.outcomes.first { $0.id == "org.test.crasher" })
        #expect(crasher.status == .quarantined)
        #expect(crasher.problem?.message.contains("PROBE_CRASHED") == true)
        // In-process loading honours the same quarantine: the crasher never runs here.
        let loaded = PluginHost(configuration: HostConfiguration(
            directories: [SearchDirectory(path: dir.path)], quarantineFile: quarantine, initOptions: InitOptions(timeout: .milliseconds(500)),
            logger: testLogger))
        let initReport = await loaded.load()
        #expect(initReport.outcome(id: "org.test.crasher")?.status == .quarantined)
        #expect(initReport.outcome(id: "org.test.echo")?.status == .initialized)
    }

    @Test("a node of a plugin that crashes its probe fails with PROBE_CRASHED, and other plugins still run")
    func executeAfterProbeCrash() throws {
        let dir = try Self.hazardousDirectory()
        let host = try isolatedHost(directories: [dir.path], initTimeout: .milliseconds(500))
        defer { host.shutdownWorkers() }
        let crashed = host.execute(nodeType: "test.crasher", parameters: ["value": 1])
        #expect(crashed.errorCode == .probeCrashed)
        #expect(host.execute(nodeType: "test.echo", parameters: ["value": 2]).output == ["value": 2])
    }

    @Test("a plugin whose dependency crashed its probe is DEPENDENCY_NOT_LOADED")
    func dependents() throws {
        let dir = try TemporaryDirectory(prefix: "probe-deps")
        try CPluginBuilder.build(source: ProbePlugins.constructorCrash(), name: "crasher.so", in: dir)
        let metadata = CPluginBuilder.validMetadata(id: "org.test.dependent", nodeTypes: ["test.dependent"])
            .replacingOccurrences(of: "\"dependencies\":{}", with: "\"dependencies\":{\"org.test.crasher\":\"^1.0.0\"}")
        try CPluginBuilder.build(source: CPluginBuilder.echoPluginSource(metadata: metadata), name: "dependent.so", in: dir)
        let host = try isolatedHost(directories: [dir.path])
        let report = host.probe()
        let dependent = try #require(report.outcome(id: "org.test.dependent"))
        #expect(dependent.status == .skipped)
        #expect(dependent.problem?.code == .dependencyNotLoaded)
    }
}
