import ArgumentParser
import Foundation
import Logging
import PluginLoader

#if canImport(Glibc)
import Glibc
#endif

/// `plugin-host`: scan, inspect, load and run workflow node-executor plugins.
struct PluginHostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin-host",
        abstract: "Scan, check, load and run workflow node-executor plugins.",
        discussion: """
            Exit codes: 0 all good, 1 problems found or the node/run failed, 2 usage error,
            70 a plugin running in this process called exit().
            Plugin directories add up: the ones given (--plugin-dir, or load's arguments), then
            PLUGIN_HOST_PATH (colon-separated), then the defaults (the bundled plugins beside this
            executable, the per-user and system plugin directories); --no-default-plugins leaves the
            defaults out, and scan DIR... scans exactly what it is given.
            """,
        version: HostVersion.string,
        subcommands: [
            ScanCommand.self, InspectCommand.self, LoadCommand.self, ExecCommand.self, ValidateCommand.self, RunCommand.self,
            RollbackCommand.self, ServeCommand.self, TenantCommand.self,
            PolicyCommand.self, QuarantineCommand.self,
        ]
    )
}

/// The host's own version (not the ABI version).
enum HostVersion {
    static let string = PluginHostVersion.current
}

/// Runs the command line with the exit codes the product promises.
///
/// swift-argument-parser exits 64 (EX_USAGE) on a usage error; the documented exit code is 2
/// (README.md, *The command line*), so the entry point maps codes itself: usage errors → 2,
/// `ExitCode` thrown by a command → as is. A plugin running in this process that calls `exit()`
/// ends it with 70 and a line naming the plugin and node (``PluginExitGuard``); the host's own
/// exits are announced to the guard first, so a call still running then (abandoned after its
/// timeout) never changes the status.
@main
enum PluginHostMain {
    static func main() async {
        PluginExitGuard.install(.commandLine)
        // Plugin and host log lines go to stderr; routine progress only with PLUGIN_HOST_LOG=info.
        let level = Logger.Level(rawValue: ProcessInfo.processInfo.environment["PLUGIN_HOST_LOG"] ?? "") ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            var command = try PluginHostCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            shutDownPlugins()
            PluginExitGuard.hostExits()
            let code = PluginHostCommand.exitCode(for: error)
            let message = PluginHostCommand.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }  // --help, --version
                exit(0)
            }
            if !message.isEmpty { Terminal.error(message) }
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
        shutDownPlugins()
        PluginExitGuard.hostExits()
    }

    /// A clean exit (the command returned, or failed with its exit status) runs every
    /// initialized plugin's `shutdown` once, dependents first. A plugin with a call still
    /// running (abandoned after its time limit) is skipped at once: waiting for it would hold
    /// the exit, and shutting it down under that call could crash. A plugin's exit() or a
    /// crash ends the process without it.
    private static func shutDownPlugins() {
        PluginLoader.shutdownAll(waitingUpTo: .zero)
    }
}
