import ArgumentParser
import PluginDiscovery
import PluginHostCore
import PluginMetadata
import PluginRuntime

/// `plugin-host scan [DIR…]`: find plugin files and check their metadata without loading them.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find plugins and check their metadata without running any plugin code.",
        discussion: "Exits 1 if any matched file is rejected or a directory cannot be scanned."
    )

    @Argument(help: "Plugin directories: exactly these when given (default: PLUGIN_HOST_PATH, then the bundled, per-user and system plugin directories).")
    var directories: [String] = []

    @OptionGroup var mode: ModeOptions
    @OptionGroup var discovery: DiscoveryOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let host = PluginHost(configuration: discovery.configuration(directories: directories, mode: mode.mode, onlyGiven: true))
        let report = host.scan()
        if output.json {
            Terminal.printJSON(report.json())
        } else {
            print(ScanReportView(report: report, directories: host.configuration.directories).render())
        }
        if !report.isClean { throw ExitCode(1) }
    }
}

/// The human form of a scan report: a table of plugins, each rejected file's problems under
/// it, directory problems, then a one-line summary.
struct ScanReportView {
    let report: ScanReport
    let directories: [SearchDirectory]

    func render() -> String {
        var lines: [String] = []
        if report.plugins.isEmpty {
            let places = directories.map { Terminal.displayPath($0.path) + "/" + $0.patterns.joined(separator: ",") }
            lines.append("No plugin files found in: \(places.joined(separator: " "))")
        } else {
            var table = TextTable(header: ["STATUS", "ID", "VERSION", "NODES", "FILE"])
            for plugin in report.plugins {
                let manifest = plugin.inspection.manifest
                let nodes = manifest?.nodes.map(\.nodeType).joined(separator: ",") ?? "-"
                table.add([plugin.status.rawValue, manifest?.id ?? "-", manifest?.version ?? "-", nodes,
                           Terminal.displayPath(plugin.path)])
            }
            lines.append(table.render())
            let withProblems = report.plugins.filter { !$0.inspection.problems.isEmpty }
            if !withProblems.isEmpty { lines.append("") }
            for plugin in withProblems {
                lines.append("\(Terminal.displayPath(plugin.path)):")
                for problem in plugin.inspection.problems {
                    lines.append("  \(problem.severity.rawValue) \(problem.code): \(problem.message)")
                }
            }
        }
        if !report.problems.isEmpty { lines.append("") }
        for problem in report.problems {
            lines.append("\(problem.severity.rawValue) \(problem.code): \(problem.message)")
        }
        let summary = report.summary
        lines.append("")
        lines.append("\(summary.files) files: \(summary.ok) ok, \(summary.rejected) rejected, "
            + "\(summary.warnings) warnings (\(report.mode.rawValue), \(formatMs(report.durationMs)))")
        return lines.joined(separator: "\n")
    }

    private func formatMs(_ ms: Double) -> String {
        ms < 10 ? "\((ms * 100).rounded() / 100) ms" : "\(Int(ms.rounded())) ms"
    }
}
