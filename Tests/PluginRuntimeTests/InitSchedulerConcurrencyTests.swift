import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import PluginRuntime
import Testing

@Suite("InitScheduler: at most N inits at once, measured in the plugins")
struct InitSchedulerConcurrencyTests {
    @Test("12 inits of 100 ms at concurrency 5 never overlap more than 5, and the scheduler's peak agrees")
    func limitOfFive() async throws {
        let lab = try TestPluginLab.prepared()
        let specs = Specs.pool(12)
        for spec in specs { try lab.install(spec) }
        let settings = Dictionary(uniqueKeysWithValues: specs.map { ($0.id, ["delayMs": 100] as JSONObject) })

        let report = await lab.run(concurrency: 5, settings: settings)

        #expect(report.count(.initialized) == 12)
        #expect(lab.calls == 12)
        #expect(lab.peak <= 5)
        #expect(lab.peak >= 2)
        #expect(report.peakConcurrency == 5)
        #expect(lab.peak <= report.peakConcurrency)
        #expect(report.concurrencyLimit == 5)
        // 12 × 100 ms in slots of 5 is three rounds, not twelve.
        #expect(report.wallTimeMs >= 300)
        #expect(report.wallTimeMs < 1_000, report.timeline)
    }

    @Test("concurrency 1 runs inits one at a time, in plan order")
    func limitOfOne() async throws {
        let lab = try TestPluginLab.prepared()
        let specs = Specs.pool(4)
        for spec in specs { try lab.install(spec) }
        let settings = Dictionary(uniqueKeysWithValues: specs.map { ($0.id, ["delayMs": 30] as JSONObject) })

        let report = await lab.run(concurrency: 1, settings: settings)

        #expect(report.count(.initialized) == 4)
        #expect(lab.peak == 1)
        #expect(report.peakConcurrency == 1)
        #expect(lab.initOrder() == specs.map(\.id))
        #expect(report.outcomes.map(\.id) == specs.map(\.id))
    }

    @Test("each outcome has its own duration and start time; the report's JSON carries them and the totals")
    func statistics() async throws {
        let lab = try TestPluginLab.prepared()
        let specs = Specs.pool(2)
        for spec in specs { try lab.install(spec) }

        let report = await lab.run(concurrency: 1, settings: [specs[0].id: ["delayMs": 60], specs[1].id: ["fail": "no"]])

        let slow = try #require(report.outcome(id: specs[0].id))
        #expect(slow.status == .initialized)
        #expect(slow.problem == nil)
        #expect(slow.durationMs >= 60)
        #expect(slow.startedAtMs != nil)
        let failing = try #require(report.outcome(id: specs[1].id))
        #expect(failing.status == .failed)
        // Concurrency 1: the second starts after the first ended.
        let failingStart = try #require(failing.startedAtMs), slowStart = try #require(slow.startedAtMs)
        #expect(failingStart >= slowStart + slow.durationMs)
        #expect(report.totals == [.initialized: 1, .failed: 1, .timedOut: 0, .skipped: 0, .quarantined: 0, .crashed: 0])
        #expect(report.initialized.map(\.id) == [specs[0].id])

        let json = report.json()
        #expect(json["totals"]?["initialized"] == .int(1))
        #expect(json["totals"]?["failed"] == .int(1))
        #expect(json["totals"]?["timedOut"] == .int(0))
        #expect(json["peakConcurrency"] == .int(1))
        #expect(json["concurrencyLimit"] == .int(1))
        #expect(json["timeoutMs"] == .double(2_000))
        let plugins = try #require(json["plugins"]?.arrayValue)
        #expect(plugins.count == 2)
        #expect(plugins[0]["id"] == .string(specs[0].id))
        #expect(plugins[0]["status"] == .string("initialized"))
        #expect(plugins[0]["code"] == .null)
        #expect(plugins[1]["status"] == .string("failed"))
        #expect(plugins[1]["code"] == .string("INIT_FAILED"))
        #expect(plugins[1]["durationMs"]?.doubleValue != nil)
    }
}
