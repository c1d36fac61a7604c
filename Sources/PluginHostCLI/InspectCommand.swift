import ArgumentParser
import PluginDiscovery
import PluginHostCore
import PluginMetadata
import PluginRuntime

/// `plugin-host inspect FILE`: everything the host reads from one plugin file, without loading it.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show one plugin's metadata and problems without loading it.",
        discussion: "Exits 1 if the file would be rejected."
    )

    @Argument(help: "The plugin file (.so).")
    var file: String

    @OptionGroup var mode: ModeOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Report unsafe permissions as warnings instead of rejecting the plugin.")
    var allowUnsafePermissions = false

    func run() async throws {
        let path = Terminal.absolutePath(file)
        var options = ScanOptions()
        options.mode = mode.mode
        options.maximumDepth = 0
        options.allowUnsafePermissions = allowUnsafePermissions
        // The scanner, not the bare metadata reader, so a single file gets the same type,
        // permission and safety checks a directory scan gives it.
        let report = Scanner(options: options, cache: nil).scan([SearchDirectory.singleFile(path)])
        guard let plugin = report.plugins.first else {
            let reason = report.problems.first.map { "\($0.code): \($0.message)" } ?? "it does not exist"
            Terminal.error("FILE_UNREADABLE: cannot inspect \(path): \(reason)")
            throw ExitCode(1)
        }
        if output.json {
            Terminal.printJSON(json(plugin))
        } else {
            print(render(plugin))
        }
        if plugin.status == .rejected { throw ExitCode(1) }
    }

    private func json(_ plugin: ScannedPlugin) -> JSONValue {
        var object = JSONObject()
        object["path"] = .string(plugin.path)
        object["status"] = .string(plugin.status.rawValue)
        object["hostAbi"] = .string(ABIVersion.host.description)
        object["mode"] = .string(mode.mode.rawValue)
        object["metadataSource"] = plugin.inspection.origin.map { .string($0.label) } ?? .null
        object["metadata"] = plugin.inspection.rawMetadata.flatMap { try? JSONParser.parse($0) } ?? .null
        object["problems"] = .array(plugin.inspection.problems.map(\.json))
        return .object(object)
    }

    private func render(_ plugin: ScannedPlugin) -> String {
        var lines = ["\(Terminal.displayPath(plugin.path)): \(plugin.status.rawValue)"]
        if let origin = plugin.inspection.origin { lines.append("metadata from: \(origin.label)") }
        if let manifest = plugin.inspection.manifest {
            lines.append("plugin: \(manifest.id) \(manifest.version) (\(manifest.name)), ABI \(manifest.abi)")
            if !manifest.description.isEmpty { lines.append("  \(manifest.description)") }
            lines.append("thread-safe: \(manifest.threadSafe ? "yes" : "no (calls are serialized)")")
            if !manifest.dependencies.isEmpty {
                lines.append("depends on: " + manifest.dependencies.map { "\($0.pluginID) \($0.range)" }.joined(separator: ", "))
            }
            lines.append("nodes:")
            for node in manifest.nodes {
                let params = node.schema?["properties"]?.objectValue?.keys.joined(separator: ", ") ?? ""
                lines.append("  \(node.nodeType) \(node.version) [\(node.category)] \(node.description)")
                if !params.isEmpty {
                    lines.append("    parameters: \(params)" + (node.requiredFields.isEmpty ? "" : " (required: \(node.requiredFields.joined(separator: ", ")))"))
                }
            }
        }
        if !plugin.inspection.problems.isEmpty { lines.append("problems:") }
        for problem in plugin.inspection.problems {
            lines.append("  \(problem.severity.rawValue) \(problem.code): \(problem.message)")
        }
        return lines.joined(separator: "\n")
    }
}

extension MetadataOrigin {
    /// `elf-note` or `sidecar:PATH`, for output.
    var label: String {
        switch self {
        case .elfNote: return "elf-note"
        case .sidecar(let path): return "sidecar:\(path)"
        case .standaloneManifest: return "standalone-manifest"
        }
    }
}

extension Problem {
    /// `{"code", "severity", "message", "file"?, "node"?}`.
    var json: JSONValue {
        var object: JSONObject = ["code": .string(code.rawValue), "severity": .string(severity.rawValue), "message": .string(message)]
        if let file { object["file"] = .string(file) }
        if let node { object["node"] = .string(node) }
        return .object(object)
    }
}
