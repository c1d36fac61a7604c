import Glibc
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import PluginRuntime
import Testing

@Suite("InitScheduler: hung inits time out, are abandoned and quarantined")
struct InitSchedulerTimeoutTests {
    @Test("a hung init costs only its timeout: the others all initialize, the hung one is INIT_TIMEOUT and quarantined")
    func hungPluginDoesNotDelayOthers() async throws {
        let lab = try TestPluginLab.prepared()
        let specs = Specs.pool(9)
        for spec in specs { try lab.install(spec) }
        let hung = specs[0].id  // first in plan order: it takes a slot at once
        var settings = Dictionary(uniqueKeysWithValues: specs.dropFirst().map { ($0.id, ["delayMs": 50] as JSONObject) })
        settings[hung] = ["hang": true]
        let quarantine = Quarantine()

        let report = await lab.run(concurrency: 5, timeoutMs: 500, settings: settings, quarantine: quarantine)

        #expect(report.wallTimeMs < 1_500, report.timeline)
        #expect(report.count(.initialized) == 8)
        let outcome = try #require(report.outcome(id: hung))
        #expect(outcome.status == .timedOut)
        #expect(outcome.problem?.code == .initTimeout)
        #expect(outcome.problem?.message == "\(hung)'s init did not return within 500 ms (its thread cannot be stopped and is abandoned) — it is quarantined until the file changes: rebuild or replace it, or restart the program (its quarantine is kept in memory, and a plugin's init runs again only once every host handle of the process is destroyed) to try it again")
        #expect(outcome.durationMs >= 500)
        #expect(lab.current == 1)  // the abandoned thread is still inside init
        let plugin = try #require(lab.scan().first { $0.manifest?.id == hung })
        #expect(quarantine.reason(for: plugin, configuration: [:])?.code == .quarantined)
        #expect(quarantine.entries.map(\.pluginID) == [hung])
    }

    @Test("a quarantined plugin is reported QUARANTINED and its init is not called again")
    func quarantinedIsNotCalled() async throws {
        let lab = try TestPluginLab.prepared()
        try lab.install(Specs.pool(1)[0])
        let id = Specs.pool(1)[0].id
        let quarantine = Quarantine()
        let first = await lab.run(timeoutMs: 100, settings: [id: ["hang": true]], quarantine: quarantine)
        #expect(first.outcome(id: id)?.status == .timedOut)
        #expect(lab.initOrder() == [id])

        let second = await lab.run(timeoutMs: 100, settings: [id: ["hang": true]], quarantine: quarantine)

        let outcome = try #require(second.outcome(id: id))
        #expect(outcome.status == .quarantined)
        #expect(outcome.problem?.code == .quarantined)
        #expect(outcome.problem?.message == "\(id) 1.0.0 is quarantined since an earlier run: INIT_TIMEOUT: \(id)'s init did not return within 100 ms (its thread cannot be stopped and is abandoned) — it is quarantined until the file changes: rebuild or replace it, or restart the program (its quarantine is kept in memory, and a plugin's init runs again only once every host handle of the process is destroyed) to try it again")
        #expect(outcome.startedAtMs == nil)
        #expect(lab.initOrder() == [id])  // the marker shows no second call
        #expect(lab.calls == 1)
        #expect(second.peakConcurrency == 0)
    }

    @Test("INIT_TIMEOUT stays keyed by the file: another configuration does not lift it")
    func timeoutIgnoresConfiguration() async throws {
        let lab = try TestPluginLab.prepared()
        try lab.install(Specs.pool(1)[0])
        let id = Specs.pool(1)[0].id
        let quarantine = Quarantine()
        _ = await lab.run(timeoutMs: 100, settings: [id: ["hang": true]], quarantine: quarantine)

        let second = await lab.run(timeoutMs: 100, settings: [id: ["hang": true, "other": 1]], quarantine: quarantine)

        #expect(second.outcome(id: id)?.status == .quarantined)
        #expect(lab.calls == 1)
        #expect(quarantine.entries.first?.configurationDigest == nil)
    }

    @Test("touching the plugin file (a new mtime) lifts its quarantine")
    func touchingClearsQuarantine() async throws {
        let lab = try TestPluginLab.prepared()
        let path = try lab.install(Specs.pool(1)[0])
        let id = Specs.pool(1)[0].id
        let quarantine = Quarantine()
        _ = await lab.run(timeoutMs: 100, settings: [id: ["hang": true]], quarantine: quarantine)
        let before = try #require(lab.scan().first)
        #expect(quarantine.reason(for: before, configuration: [:])?.code == .quarantined)

        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let after = try #require(lab.scan().first)

        #expect(quarantine.reason(for: after, configuration: [:]) == nil)
        #expect(quarantine.entries.isEmpty)
        // Tried again (and, still hanging, timed out again) rather than reported QUARANTINED.
        let rerun = await lab.run(timeoutMs: 100, settings: [id: ["hang": true]], quarantine: quarantine)
        #expect(rerun.outcome(id: id)?.status == .timedOut)
    }

    @Test("dependents of a timed-out plugin are skipped with DEPENDENCY_NOT_LOADED naming it")
    func dependentsOfTimeout() async throws {
        let lab = try TestPluginLab.prepared()
        try lab.install(Specs.chainB)
        try lab.install(Specs.chainC)

        let report = await lab.run(timeoutMs: 100, settings: [Specs.chainC.id: ["hang": true]], quarantine: Quarantine())

        #expect(report.outcome(id: Specs.chainC.id)?.status == .timedOut)
        let dependent = try #require(report.outcome(id: Specs.chainB.id))
        #expect(dependent.status == .skipped)
        #expect(dependent.problem?.code == .dependencyNotLoaded)
        #expect(dependent.problem?.message == "org.test.chainb was not initialized: its dependency org.test.chainc could not initialize (INIT_TIMEOUT); fix org.test.chainc first")
        #expect(lab.initOrder() == [Specs.chainC.id])
    }
}
