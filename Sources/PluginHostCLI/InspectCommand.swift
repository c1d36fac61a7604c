import ArgumentParser
import Foundation
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
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            Terminal.error("FILE_UNREADABLE: \(path) does not exist; pass a plugin file (.so), or find one with `plugin-host scan`.")
            throw ExitCode(1)
        }
        if isDirectory.boolValue {
            Terminal.error("FILE_UNREADABLE: \(path) is a directory; `plugin-host inspect` reads one file: use `plugin-host scan \(file)` for a directory.")
            throw ExitCode(1)
        }
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
            if let author = manifest.author { lines.append("author: \(author)" + (manifest.license.map { ", license \($0)" } ?? "")) }
            lines.append("nodes:")
            for node in manifest.nodes { lines += Self.nodeLines(node) }
        }
        if !plugin.inspection.problems.isEmpty { lines.append("problems:") }
        for problem in plugin.inspection.problems {
            lines.append("  \(problem.severity.rawValue) \(problem.code): \(problem.message)")
        }
        return lines.joined(separator: "\n")
    }
}

extension InspectCommand {
    /// One node: its heading, the typeVersions it accepts, a function node's C symbol, and a
    /// line per parameter with its type, whether it is required, its default and constraints,
    /// and its description — what a workflow author needs to write the node's `parameters`.
    static func nodeLines(_ node: NodeDescriptor) -> [String] {
        var lines = ["  \(node.nodeType) \(node.version) [\(node.category)]" + (node.description.isEmpty ? "" : " \(node.description)")]
        var facts = ["typeVersion " + node.supportedVersions.map(String.init).joined(separator: ", ")]
        if !node.tags.isEmpty { facts.append("tags " + node.tags.joined(separator: ", ")) }
        if node.experimental { facts.append("experimental") }
        lines.append("    " + facts.joined(separator: "; "))
        if let function = node.function { lines.append("    function: \(function.symbol) \(function.signature)") }
        guard let schema = node.schema else {
            lines.append("    parameters: not declared (not validated)")
            return lines
        }
        let properties = schema["properties"]?.objectValue ?? JSONObject()
        if properties.isEmpty {
            lines.append("    parameters: none")
        } else {
            lines.append("    parameters:")
            let required = Set(node.requiredFields + (schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []))
            let rows = properties.map { name, property in
                [name, parameterSummary(property, required: required.contains(name)), property["description"]?.stringValue ?? ""]
            }
            let widths = (0..<2).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let line = "      " + row[0].padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                    + row[1].padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  " + row[2]
                lines.append(String(line.reversed().drop { $0 == " " }.reversed()))
            }
        }
        if schema["additionalProperties"] == .bool(false) { lines.append("    (no other parameters are accepted)") }
        return lines
    }

    /// `number, required, default 1, 0…100` for one schema property.
    static func parameterSummary(_ property: JSONValue, required: Bool) -> String {
        var parts: [String] = []
        switch property["type"] {
        case .string(let type)?: parts.append(type)
        case .array(let types)?: parts.append(types.compactMap(\.stringValue).joined(separator: "|"))
        default: parts.append(property["const"] != nil ? "const" : "any")
        }
        if required { parts.append("required") }
        if let value = property["default"] { parts.append("default \(JSONWriter.string(value))") }
        if let value = property["const"] { parts.append("= \(JSONWriter.string(value))") }
        if let values = property["enum"]?.arrayValue { parts.append("one of " + values.map { JSONWriter.string($0) }.joined(separator: ", ")) }
        let bound = { (key: String) in property[key].map { JSONWriter.string($0) } }
        if bound("minimum") != nil || bound("maximum") != nil { parts.append("\(bound("minimum") ?? "")…\(bound("maximum") ?? "")") }
        if bound("minLength") != nil || bound("maxLength") != nil { parts.append("length \(bound("minLength") ?? "0")…\(bound("maxLength") ?? "")") }
        if bound("minItems") != nil || bound("maxItems") != nil { parts.append("items \(bound("minItems") ?? "0")…\(bound("maxItems") ?? "")") }
        if let pattern = property["pattern"]?.stringValue { parts.append("pattern /\(pattern)/") }
        if let itemType = property["items"]?["type"]?.stringValue { parts.append("of \(itemType)") }
        return parts.joined(separator: ", ")
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
