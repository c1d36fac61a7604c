import ArgumentParser
import Foundation
import PluginDiscovery
import PluginHostCore
import PluginMetadata
import PluginRuntime

/// `--strict` (the default) or `--loose` metadata checking.
struct ModeOptions: ParsableArguments {
    @Flag(help: "How hard to check metadata: --strict (default) rejects unknown keys and missing fields; --loose warns and fills defaults.")
    var mode: ValidationMode = .strict
}

extension ValidationMode: EnumerableFlag {}

/// Where plugins are searched and how files are treated.
struct DiscoveryOptions: ParsableArguments {
    @Option(name: .customLong("pattern"), help: "File name glob to match (repeatable; default *.so).")
    var patterns: [String] = []

    @Option(help: "How many directory levels below each plugin directory to search.")
    var maxDepth: Int = 4

    @Flag(help: "Report unsafe file or directory permissions as warnings instead of rejecting the plugin.")
    var allowUnsafePermissions = false

    @Option(help: "Scan cache file (default: $XDG_CACHE_HOME/plugin-host/scan-cache.json).")
    var cache: String?

    @Flag(help: "Do not read or write the scan cache.")
    var noCache = false

    func validate() throws {
        guard maxDepth >= 0 else { throw ValidationError("--max-depth must be 0 or more (0 scans only the directory itself).") }
        for pattern in patterns where pattern.isEmpty || pattern.contains("/") {
            throw ValidationError("--pattern '\(pattern)' must be a file name glob such as '*.so', without '/'.")
        }
    }

    /// The host configuration for `directories` (empty = PLUGIN_HOST_PATH or the defaults).
    func configuration(directories: [String], mode: ValidationMode) -> HostConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let resolved = PluginSearchPath.resolve(
            arguments: directories.map(Terminal.absolutePath),
            patterns: patterns.isEmpty ? nil : patterns,
            environment: environment,
            executablePath: Terminal.executablePath)
        var scanOptions = ScanOptions()
        scanOptions.mode = mode
        scanOptions.maximumDepth = maxDepth
        scanOptions.allowUnsafePermissions = allowUnsafePermissions
        let cacheFile = noCache ? nil : (cache.map(Terminal.absolutePath) ?? ScanCache.defaultLocation(environment: environment))
        return HostConfiguration(directories: resolved, scanOptions: scanOptions, cacheFile: cacheFile)
    }
}

/// `--json`: one JSON document on stdout instead of the human table.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document on stdout (shapes in the README).")
    var json = false
}
