import ArgumentParser
import Foundation
import PluginDiscovery
import PluginHostCore
import PluginRuntime

/// `plugin-host quarantine list|clear`: see and lift what the host quarantined.
///
/// Why a command rather than "delete the file": the file holds every quarantined plugin, so
/// deleting it to retry one forgets the hung and crashing ones too, and its location depends on
/// the environment. Both subcommands use the file `load`, `exec` and `run` use
/// (``Quarantine/defaultLocation(environment:)``).
struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "List or clear quarantined plugins (init failed, hung or crashed its probe).",
        discussion: """
            A plugin whose init hangs (INIT_TIMEOUT) or crashes its probe (PROBE_CRASHED) is quarantined until \
            its file changes; one whose init fails (INIT_FAILED) until its file or its --plugin-config entry \
            changes. `clear` lifts entries by hand, so the next start tries them again.
            """,
        subcommands: [QuarantineListCommand.self, QuarantineClearCommand.self]
    )

    /// The quarantine file the host uses, or QUARANTINE_FILE_UNAVAILABLE (exit 1) when it has none.
    static func location() throws -> String {
        guard let path = Quarantine.defaultLocation(environment: ProcessInfo.processInfo.environment) else {
            Terminal.error(Problem(
                .quarantineFileUnavailable, .error,
                "the quarantine file has no location because neither XDG_CACHE_HOME nor HOME is an absolute path; set one of them as the host runs with").description)
            throw ExitCode(1)
        }
        return path
    }

    /// One entry as `list --json` and `clear --json` show it.
    static func json(_ entry: Quarantine.Entry) -> JSONValue {
        [
            "path": .string(entry.path),
            "id": .string(entry.pluginID),
            "version": .string(entry.version),
            "code": .string(entry.problem.code.rawValue),
            "message": .string(entry.problem.message),
            "quarantinedAt": .double(entry.quarantinedAt),
            "since": .string(since(entry)),
            "keyedBy": .string(entry.configurationDigest == nil ? "file" : "configuration"),
            "configurationDigest": entry.configurationDigest.map(JSONValue.string) ?? .null,
            "fileChanged": .bool(entry.fileHasChanged),
        ]
    }

    /// When it was quarantined, as UTC ISO 8601 (`2026-12-02T21:03:07Z`).
    static func since(_ entry: Quarantine.Entry) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: entry.quarantinedAt))
    }
}

/// `plugin-host quarantine list [--json]`.
struct QuarantineListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List quarantined plugins: file, id and version, why, since when, which configuration.",
        discussion: "CONFIG is `any` for an entry keyed by the file alone, else the digest of the init configuration that failed. Exits 0."
    )

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let file = try QuarantineCommand.location()
        let entries = Quarantine.load(from: file).entries
        if output.json {
            Terminal.printJSON(["file": .string(file), "entries": .array(entries.map(QuarantineCommand.json))])
            return
        }
        guard !entries.isEmpty else {
            print("nothing is quarantined (\(Terminal.displayPath(file)))")
            return
        }
        var table = TextTable(header: ["ID", "VERSION", "CODE", "SINCE", "CONFIG", "FILE"])
        for entry in entries {
            table.add([entry.pluginID, entry.version, entry.problem.code.rawValue, QuarantineCommand.since(entry),
                       entry.configurationDigest ?? "any", Terminal.displayPath(entry.path)])
        }
        var lines = [table.render(), ""]
        for entry in entries {
            var line = "\(entry.pluginID): \(entry.problem.code): \(entry.problem.message)"
            if entry.fileHasChanged { line += " (the file changed since: the next start tries it again)" }
            lines.append(line)
        }
        lines.append("")
        lines.append("\(entries.count) quarantined in \(Terminal.displayPath(file)); `plugin-host quarantine clear ID` lifts one.")
        print(lines.joined(separator: "\n"))
    }
}

/// `plugin-host quarantine clear PLUGIN|--all [--json]`.
struct QuarantineClearCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Lift the quarantine of one plugin (by id or file path), or of all with --all.",
        discussion: "Exits 1 with NOT_QUARANTINED when PLUGIN is not quarantined."
    )

    @Argument(help: "The plugin id or file path, as `plugin-host quarantine list` shows it.")
    var plugin: String?

    @Flag(help: "Clear every entry.")
    var all = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if plugin == nil, !all {
            throw ValidationError("Pass the plugin id or file path to clear (as `plugin-host quarantine list` shows it), or --all to clear every entry.")
        }
        if plugin != nil, all {
            throw ValidationError("Pass either a plugin or --all, not both.")
        }
    }

    func run() async throws {
        let file = try QuarantineCommand.location()
        let quarantine = Quarantine.load(from: file)
        var cleared: [Quarantine.Entry]
        if let plugin {
            cleared = quarantine.clear(plugin)
            if cleared.isEmpty, !plugin.hasPrefix("/") { cleared = quarantine.clear(Terminal.absolutePath(plugin)) }
            if cleared.isEmpty {
                Terminal.error(Problem(
                    .notQuarantined, .error,
                    "\(plugin) is not quarantined: no entry has that plugin id or file path; `plugin-host quarantine list` shows what is",
                    file: file).description)
                throw ExitCode(1)
            }
        } else {
            cleared = quarantine.clearAll()
        }
        do {
            try quarantine.save(to: file)
        } catch {
            Terminal.error(Problem(
                .quarantineFileUnavailable, .error, "\(error.description); nothing was cleared: check that directory's permissions",
                file: file).description)
            throw ExitCode(1)
        }
        if output.json {
            Terminal.printJSON(["file": .string(file), "cleared": .array(cleared.map(QuarantineCommand.json))])
            return
        }
        if cleared.isEmpty { print("nothing was quarantined (\(Terminal.displayPath(file)))") }
        for entry in cleared {
            print("cleared \(entry.pluginID) \(entry.version) (\(entry.problem.code), \(Terminal.displayPath(entry.path))): the next start tries it again")
        }
    }
}
