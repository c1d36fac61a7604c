import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginLoader
import PluginMetadata
import PluginRuntime
import Testing

@Suite("InitScheduler: dependency order, failures and their dependents")
struct InitSchedulerDependencyTests {
    @Test("a chain a → b → c initializes c, then b, then a, each after the previous one ended")
    func chainOrder() async throws {
        let lab = try TestPluginLab.prepared()
        for spec in [Specs.chainA, Specs.chainB, Specs.chainC] { try lab.install(spec) }
        let delay: JSONObject = ["delayMs": 30]

        let report = await lab.run(settings: [Specs.chainA.id: delay, Specs.chainB.id: delay, Specs.chainC.id: delay])

        #expect(lab.initOrder() == [Specs.chainC.id, Specs.chainB.id, Specs.chainA.id])
        #expect(report.initialized.map(\.id) == [Specs.chainC.id, Specs.chainB.id, Specs.chainA.id])
        let c = try #require(report.outcome(id: Specs.chainC.id)), b = try #require(report.outcome(id: Specs.chainB.id))
        let bStart = try #require(b.startedAtMs), cStart = try #require(c.startedAtMs)
        #expect(bStart >= cStart + c.durationMs)
        #expect(lab.peak == 1)
    }

    @Test("scheduling is a DAG: a dependent starts when its own dependency is done, not after a slow unrelated plugin")
    func notLayers() async throws {
        let lab = try TestPluginLab.prepared()
        let slow = Specs.pool(1)[0]
        for spec in [slow, Specs.chainB, Specs.chainC] { try lab.install(spec) }

        let report = await lab.run(settings: [slow.id: ["delayMs": 400], Specs.chainC.id: ["delayMs": 20]])

        #expect(report.count(.initialized) == 3)
        let slowOutcome = try #require(report.outcome(id: slow.id))
        let dependent = try #require(report.outcome(id: Specs.chainB.id))
        let dependentStart = try #require(dependent.startedAtMs), slowStart = try #require(slowOutcome.startedAtMs)
        #expect(dependentStart < slowStart + slowOutcome.durationMs)
    }

    @Test("INIT_FAILED carries the plugin's own message, and the plugin is quarantined with it and its configuration")
    func initFailedMessage() async throws {
        let lab = try TestPluginLab.prepared()
        let spec = Specs.pool(1)[0]
        try lab.install(spec)
        let quarantine = Quarantine()
        let settings: [String: JSONObject] = [spec.id: ["fail": "database password missing: set DB_PASSWORD"]]

        let report = await lab.run(settings: settings, quarantine: quarantine)

        let outcome = try #require(report.outcome(id: spec.id))
        #expect(outcome.status == .failed)
        #expect(outcome.problem?.code == .initFailed)
        #expect(outcome.problem?.message == "init failed: database password missing: set DB_PASSWORD (status 2); fix what it names — it is quarantined with this configuration: change the plugin's configuration (its --plugin-config entry) to have init tried again, or fix what init needs and restart the program (its quarantine is kept in memory, and a plugin's init runs again only once every host handle of the process is destroyed)")
        let plugin = try #require(lab.scan().first)
        let configuration = try #require(lab.configurations([spec.id], settings: settings)[spec.id])
        #expect(quarantine.reason(for: plugin, configuration: configuration)?.message.contains("INIT_FAILED: init failed: database password missing: set DB_PASSWORD") == true)
        #expect(quarantine.entries.first?.configurationDigest == Quarantine.configurationDigest(configuration))
    }

    @Test("INIT_FAILED is quarantined with its configuration: the same one is refused without calling init, another one is not refused")
    func initFailedKeyedByConfiguration() async throws {
        let lab = try TestPluginLab.prepared()
        let spec = Specs.pool(1)[0]
        try lab.install(spec)
        let quarantine = Quarantine()
        let bad: [String: JSONObject] = [spec.id: ["fail": "no such server: db.invalid"]]
        #expect(await lab.run(settings: bad, quarantine: quarantine).outcome(id: spec.id)?.status == .failed)
        #expect(lab.calls == 1)

        let again = await lab.run(settings: bad, quarantine: quarantine)

        #expect(again.outcome(id: spec.id)?.status == .quarantined)
        #expect(again.outcome(id: spec.id)?.problem?.code == .quarantined)
        #expect(lab.calls == 1)  // refused without calling init

        // Another configuration is let through to init. In this process the loader returns the
        // plugin's first init outcome (until PluginLoader.shutdownAll forgets it), so the
        // retry that succeeds is a new host process: PluginHostCLITests' QuarantineCLITests.
        let changed = await lab.run(settings: [spec.id: ["fail": "still broken"]], quarantine: quarantine)

        #expect(changed.outcome(id: spec.id)?.status == .failed)
        #expect(changed.outcome(id: spec.id)?.problem?.code == .initFailed)
    }

    @Test("the configuration digest ignores member order and 2.0 versus 2, and sees any other change")
    func configurationDigestIsCanonical() throws {
        let a = try JSONParser.parse(Array(#"{"host":"db","port":5432,"tls":{"verify":true,"ca":"x"}}"#.utf8))
        let reordered = try JSONParser.parse(Array(#"{"tls":{"ca":"x","verify":true},"port":5432.0,"host":"db"}"#.utf8))
        let changed = try JSONParser.parse(Array(#"{"host":"db","port":5433,"tls":{"verify":true,"ca":"x"}}"#.utf8))
        #expect(Quarantine.configurationDigest(a) == Quarantine.configurationDigest(reordered))
        #expect(Quarantine.configurationDigest(a) != Quarantine.configurationDigest(changed))
        #expect(Quarantine.configurationDigest(a).utf8.count == 16)
    }

    @Test("dependents of a failed plugin are DEPENDENCY_NOT_LOADED, transitively; unrelated plugins initialize")
    func dependentsOfFailure() async throws {
        let lab = try TestPluginLab.prepared()
        let unrelated = Specs.pool(1)[0]
        for spec in [Specs.chainA, Specs.chainB, Specs.chainC, unrelated] { try lab.install(spec) }

        let report = await lab.run(settings: [Specs.chainC.id: ["fail": "broken"]])

        #expect(report.outcome(id: Specs.chainC.id)?.status == .failed)
        let b = try #require(report.outcome(id: Specs.chainB.id))
        #expect(b.status == .skipped)
        #expect(b.problem?.code == .dependencyNotLoaded)
        #expect(b.problem?.message == "org.test.chainb was not initialized: its dependency org.test.chainc could not initialize (INIT_FAILED); fix org.test.chainc first")
        let a = try #require(report.outcome(id: Specs.chainA.id))
        #expect(a.status == .skipped)
        #expect(a.problem?.code == .dependencyNotLoaded)
        #expect(a.problem?.message == "org.test.chaina was not initialized: its dependency org.test.chainb was not initialized because org.test.chainc could not (INIT_FAILED); fix org.test.chainc first")
        #expect(report.outcome(id: unrelated.id)?.status == .initialized)
        #expect(Set(lab.initOrder()) == [Specs.chainC.id, unrelated.id])
    }

    @Test("plugins the plan excluded are reported as skipped with the plan's problem, after the planned ones")
    func excludedAreSkipped() async throws {
        let lab = try TestPluginLab.prepared()
        try lab.install(Specs.chainB)  // its dependency chainc is not installed
        try lab.install(Specs.pool(1)[0])

        let report = await lab.run()

        #expect(report.outcomes.map(\.id) == [Specs.pool(1)[0].id, Specs.chainB.id])
        let skipped = try #require(report.outcome(id: Specs.chainB.id))
        #expect(skipped.status == .skipped)
        #expect(skipped.problem?.code == .dependencyMissing)
        #expect(skipped.startedAtMs == nil)
        #expect(lab.initOrder() == [Specs.pool(1)[0].id])
    }

    @Test("a load failure (METADATA_MISMATCH) is a failed outcome and is not quarantined")
    func loadFailure() async throws {
        let lab = try TestPluginLab.prepared()
        try TestPlugins.install(source: Specs.mismatchSource, as: "libmismatch.so", in: lab.directory)
        let quarantine = Quarantine()

        let report = await lab.run(quarantine: quarantine)

        let outcome = try #require(report.outcome(id: "org.test.mismatch"))
        #expect(outcome.status == .failed)
        #expect(outcome.problem?.code == .metadataMismatch)
        #expect(quarantine.entries.isEmpty)
    }

    @Test("a configuration that is not a JSON object fails INIT_FAILED without calling init")
    func configurationNotObject() async throws {
        let lab = try TestPluginLab.prepared()
        let spec = Specs.pool(1)[0]
        try lab.install(spec)
        let plugins = lab.scan()

        let report = await InitScheduler.run(
            plan: DependencyResolver.plan(plugins),
            options: InitOptions(configurations: [spec.id: .array([])]), quarantine: nil, logger: testLogger)

        let outcome = try #require(report.outcome(id: spec.id))
        #expect(outcome.status == .failed)
        #expect(outcome.problem?.code == .initFailed)
        #expect(outcome.problem?.message == "the configuration for \(spec.id) is array, not a JSON object; pass an object (or nothing for {})")
        #expect(report.peakConcurrency == 0)
    }
}
