import ArgumentParser
import Foundation
import PluginDiscovery
import PluginHostCore
import PluginRuntime

/// `plugin-host load [DIR…]`: scan, resolve dependencies, and initialize every loadable plugin.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Initialize every loadable plugin (dependencies first, a few at a time, under timeouts).",
        discussion: """
            Prints each plugin's outcome and init time, then totals. A plugin whose init hangs is quarantined \
            until its file changes, one whose init fails until its file or its --plugin-config entry changes \
            (`plugin-host quarantine list` shows them, `plugin-host quarantine clear` lifts them). With --isolate each plugin is first loaded in a probe process, so \
            one that crashes while loading never runs here; with --isolation process plugins are only probed (they \
            will run in worker processes). Exits 1 if any plugin did not initialize.
            """
    )

    @Argument(help: "Plugin directories, searched before PLUGIN_HOST_PATH and the default directories.")
    var directories: [String] = []

    @OptionGroup var mode: ModeOptions
    @OptionGroup var discovery: DiscoveryOptions
    @OptionGroup var initialization: InitOptionGroup
    @OptionGroup var isolation: IsolationOptionGroup
    @OptionGroup var output: OutputOptions

    @Flag(help: "Load and initialize each plugin in a probe process first; only those that pass are loaded here. A constructor or init that crashes is PROBE_CRASHED, one that hangs INIT_TIMEOUT, and both are quarantined.")
    var isolate = false

    func run() async throws {
        var configuration = discovery.configuration(directories: directories, mode: mode.mode)
        configuration.initOptions = try initialization.options()
        isolation.apply(to: &configuration)
        let host = PluginHost(configuration: configuration)
        defer { host.shutdownWorkers() }
        let scan = host.scan()
        let report: InitReport
        if isolation.isolation == .process {
            // Plugins run in workers only: the probe is the whole load.
            report = host.probe()
        } else if isolate {
            report = Self.merge(probe: host.probe(), load: await host.load())
        } else {
            report = await host.load()
        }
        if output.json {
            var json = report.json().objectValue ?? JSONObject()
            json["scan"] = scan.json()["summary"] ?? .null
            Terminal.printJSON(.object(json))
        } else {
            print(render(report, scan: scan))
        }
        let clean = report.outcomes.allSatisfy { $0.status == .initialized } && scan.isClean
        if !clean { throw ExitCode(1) }
    }

    /// The in-process load's report, with the probe's own outcome for each plugin the probe
    /// stopped (so the line says PROBE_CRASHED, not just QUARANTINED).
    static func merge(probe: InitReport, load: InitReport) -> InitReport {
        var merged = load
        for (index, outcome) in merged.outcomes.enumerated() where outcome.status == .quarantined {
            if let probed = probe.outcome(path: outcome.path), probed.status != .initialized, probed.status != .quarantined {
                merged.outcomes[index] = probed
            }
        }
        return merged
    }

    private func render(_ report: InitReport, scan: ScanReport) -> String {
        var table = TextTable(header: ["STATUS", "ID", "VERSION", "INIT", "FILE"])
        for outcome in report.outcomes {
            table.add([outcome.status.rawValue, outcome.id, outcome.version,
                       String(format: "%.1f ms", outcome.durationMs), Terminal.displayPath(outcome.path)])
        }
        var lines = [table.render()]
        let problems = report.outcomes.compactMap { outcome in outcome.problem.map { (outcome, $0) } }
        if !problems.isEmpty { lines.append("") }
        for (outcome, problem) in problems {
            lines.append("\(Terminal.displayPath(outcome.path)): \(problem.code): \(problem.message)")
        }
        if scan.summary.rejected > 0 {
            lines.append("\(scan.summary.rejected) rejected file(s) were not loaded; `plugin-host scan` says why.")
        }
        let totals = InitStatus.allCases.compactMap { status -> String? in
            let count = report.count(status)
            return count == 0 ? nil : "\(count) \(status.rawValue)"
        }
        lines.append("")
        lines.append("\(report.outcomes.count) plugins: \(totals.joined(separator: ", ")) "
            + "(wall \(String(format: "%.1f", report.wallTimeMs)) ms, peak concurrency \(report.peakConcurrency) "
            + "of \(report.concurrencyLimit))")
        return lines.joined(separator: "\n")
    }
}
