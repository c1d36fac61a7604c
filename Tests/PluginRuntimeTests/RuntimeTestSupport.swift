import Foundation
import Logging
import PluginDiscovery
import PluginHostCore
import PluginHostTestSupport
import PluginMetadata
import PluginRuntime
import Testing

/// Plugins the scheduler tests share. Each is compiled once per process and copied into each
/// test's own lab; what its init does comes from the configuration the test passes.
enum Specs {
    /// `org.test.p01` … : plugins without dependencies.
    static func pool(_ count: Int) -> [TestPluginSpec] {
        (1...count).map { TestPluginSpec(id: "org.test.p" + (($0 < 10) ? "0\($0)" : "\($0)")) }
    }

    /// `chaina → chainb → chainc`: a depends on b, b on c.
    static let chainA = TestPluginSpec(id: "org.test.chaina", dependencies: [("org.test.chainb", "^1.0.0")])
    static let chainB = TestPluginSpec(id: "org.test.chainb", dependencies: [("org.test.chainc", "^1.0.0")])
    static let chainC = TestPluginSpec(id: "org.test.chainc")

    /// A plugin whose descriptor's metadata differs from its note (METADATA_MISMATCH on load).
    static let mismatchSource = CPluginBuilder.echoPluginSource(
        metadata: CPluginBuilder.validMetadata(id: "org.test.mismatch", nodeTypes: ["mismatch.run"])
    ).replacingOccurrences(of: "PH_PLUGIN_METADATA_JSON, echo_init", with: "\"{}\", echo_init")

    /// Compiles every plugin the scheduler tests use, once, before any of them runs a
    /// scheduler: a test measuring time must not share the two cooperative threads with cc.
    static func prepare() throws {
        try TestPlugins.prebuild(pool(12) + [chainA, chainB, chainC], sources: [mismatchSource])
    }
}

extension TestPluginLab {
    /// A lab whose plugins are all compiled already (see ``Specs/prepare()``).
    static func prepared() throws -> TestPluginLab {
        try Specs.prepare()
        return try TestPluginLab()
    }

    /// Scans the lab's directory (strict) and returns its plugins, in scan order.
    func scan() -> [ScannedPlugin] {
        Scanner().scan([SearchDirectory(path: directory.path)]).plugins
    }

    /// Plans and runs the lab's plugins, each configured with this lab's marker and counter
    /// slot plus `settings[id]`.
    func run(
        concurrency: Int = 5, timeoutMs: Int = 2_000, settings: [String: JSONObject] = [:],
        quarantine: Quarantine? = nil
    ) async -> InitReport {
        let plugins = scan()
        let ids = plugins.compactMap { $0.manifest?.id }
        let options = InitOptions(
            concurrency: concurrency, timeout: .milliseconds(timeoutMs),
            configurations: configurations(ids, settings: settings))
        return await InitScheduler.run(
            plan: DependencyResolver.plan(plugins), options: options, quarantine: quarantine, logger: testLogger)
    }
}

let testLogger: Logger = {
    var logger = Logger(label: "plugin-runtime-tests")
    logger.logLevel = .critical
    return logger
}()

/// A scanned plugin made from a manifest alone, for resolver and quarantine tests (neither
/// reads the file). Its path is `/plugins/<id>.so`.
func manifestOnly(
    _ id: String, version: String = "1.0.0", dependencies: [(String, String)] = [], rejected: Bool = false,
    identity: FileIdentity? = nil
) -> ScannedPlugin {
    let manifest = PluginManifest(
        id: id, name: id, version: version, abi: ABIVersion(major: 1, minor: 0),
        dependencies: dependencies.map { PluginDependency(pluginID: $0.0, range: $0.1) })
    let path = "/plugins/\(id).so"
    let problems = rejected ? [Problem(.unsafePermissions, .error, "the file is writable by others", file: path)] : []
    let inspection = PluginInspection(path: path, origin: .elfNote, rawMetadata: nil, manifest: manifest, problems: problems)
    return ScannedPlugin(path: path, identity: identity, inspection: inspection)
}

extension DependencyPlan {
    var orderIDs: [String] { order.map { $0.manifest!.id } }

    func problem(_ id: String) -> Problem? {
        excluded.first { $0.plugin.manifest?.id == id }?.problem
    }
}

extension InitReport {
    /// Each outcome's start and duration, for the message of a failed timing expectation.
    var timeline: Comment {
        Comment(rawValue: outcomes.map { outcome in
            "\(outcome.id) \(outcome.status) start \(outcome.startedAtMs.map { "\(Int($0))" } ?? "-") ms, took \(Int(outcome.durationMs)) ms"
        }.joined(separator: "\n"))
    }
}
