import ArgumentParser
import Foundation
import PluginDiscovery
import PluginHostCore
import PluginMetadata
import PluginRuntime
import PluginTenancy

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

    @Flag(help: "Search only the directories given and PLUGIN_HOST_PATH, not the default ones (the bundled, per-user and system plugin directories).")
    var noDefaultPlugins = false

    func validate() throws {
        guard maxDepth >= 0 else { throw ValidationError("--max-depth must be 0 or more (0 scans only the directory itself).") }
        for pattern in patterns where pattern.isEmpty || pattern.contains("/") {
            throw ValidationError("--pattern '\(pattern)' must be a file name glob such as '*.so', without '/'.")
        }
    }

    /// The host configuration for `directories`, then PLUGIN_HOST_PATH, then the default
    /// directories (unless --no-default-plugins). `onlyGiven` is `scan DIR…`, which scans
    /// exactly the directories it is given when there are any.
    func configuration(directories: [String], mode: ValidationMode, onlyGiven: Bool = false) -> HostConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let adding: PluginSearchPath.Additions =
            onlyGiven && !directories.isEmpty ? [] : noDefaultPlugins ? .environment : .all
        let resolved = PluginSearchPath.resolve(
            arguments: directories.map(Terminal.absolutePath),
            patterns: patterns.isEmpty ? nil : patterns,
            environment: environment,
            executablePath: Terminal.executablePath,
            adding: adding)
        var scanOptions = ScanOptions()
        scanOptions.mode = mode
        scanOptions.maximumDepth = maxDepth
        scanOptions.allowUnsafePermissions = allowUnsafePermissions
        let cacheFile = noCache ? nil : (cache.map(Terminal.absolutePath) ?? ScanCache.defaultLocation(environment: environment))
        let quarantineFile = noCache ? nil : Quarantine.defaultLocation(environment: environment)
        return HostConfiguration(directories: resolved, scanOptions: scanOptions, cacheFile: cacheFile,
                                 quarantineFile: quarantineFile)
    }
}

/// `--json`: one JSON document on stdout instead of the human table.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document on stdout (shapes in the README).")
    var json = false
}

/// How plugins are initialized: `--init-concurrency`, `--init-timeout`, `--plugin-config`.
struct InitOptionGroup: ParsableArguments {
    @Option(help: "How many plugin inits may run at once.")
    var initConcurrency: Int = 5

    @Option(help: "Milliseconds each plugin's init may take before it is abandoned and quarantined.")
    var initTimeout: Int = 5000

    @Option(help: "A JSON file mapping plugin ids to the configuration object passed to their init.")
    var pluginConfig: String?

    func validate() throws {
        guard initConcurrency >= 1 else { throw ValidationError("--init-concurrency must be at least 1.") }
        guard initTimeout >= 1 else { throw ValidationError("--init-timeout must be at least 1 ms.") }
    }

    func options() throws -> InitOptions {
        var configurations: [String: JSONValue] = [:]
        if let pluginConfig {
            let path = Terminal.absolutePath(pluginConfig)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("--plugin-config \(path) cannot be read.")
            }
            let document: JSONValue
            do {
                document = try JSONParser.parse(Array(data))
            } catch {
                throw ValidationError("--plugin-config \(path) is not valid JSON (\(error)); fix the syntax there.")
            }
            guard case .object(let object) = document else {
                throw ValidationError("--plugin-config \(path) must be a JSON object of plugin id → configuration object.")
            }
            for member in object { configurations[member.key] = member.value }
        }
        return InitOptions(concurrency: initConcurrency, timeout: .milliseconds(initTimeout), configurations: configurations)
    }
}

/// Multi-tenant options: `--tenant`, `--policy`, `--audit-log`.
struct TenancyOptions: ParsableArguments {
    @Option(help: "The tenant the execution runs for (required with --policy).")
    var tenant: String?

    @Option(help: "A tenant policy file; without one the host runs in single-tenant mode.")
    var policy: String?

    @Option(help: "Where audit records are appended (overrides the policy file's auditLog).")
    var auditLog: String?

    /// Loads the policy file under `configuration.limits` (apply the limit flags first),
    /// printing its problems and exiting 2 when it is invalid.
    func apply(to configuration: inout HostConfiguration) throws {
        configuration.auditLogPath = auditLog.map(Terminal.absolutePath)
        guard let policy else { return }
        let (set, problems) = TenantPolicySet.load(path: Terminal.absolutePath(policy), limits: configuration.limits)
        guard let set else {
            for problem in problems where problem.severity == .error { Terminal.error(problem.description) }
            throw ExitCode(2)
        }
        configuration.policy = set
    }
}

extension IsolationMode: ExpressibleByArgument {}

/// Process isolation: `--isolation`, `--memory-mb`, `--cpu-seconds-per-call`.
struct IsolationOptionGroup: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Where node calls run: none (in this process; the default of exec and run) or process (in worker processes: a crash or hang costs only its call; the default of serve).",
        discussion: "A tenant policy's own `isolation` wins over this flag.", valueName: "mode"))
    var isolation: IsolationMode?

    @Option(help: ArgumentHelp("Address-space limit of each worker process, in MiB (with --isolation process; default \(IsolationOptions.defaultLimits.memoryMb ?? 0)).", valueName: "MiB"))
    var memoryMb: Int?

    @Option(help: ArgumentHelp("CPU seconds one call may use in its worker (with --isolation process; default: no limit).", valueName: "seconds"))
    var cpuSecondsPerCall: Int?

    func validate() throws {
        if let memoryMb, memoryMb < 64 { throw ValidationError("--memory-mb must be at least 64 (the worker itself needs some).") }
        if let cpuSecondsPerCall, cpuSecondsPerCall < 1 { throw ValidationError("--cpu-seconds-per-call must be at least 1.") }
    }

    /// `defaultMode`: the command's own when `--isolation` is not given (`serve` isolates by
    /// default: a service runs other people's workflows).
    func apply(to configuration: inout HostConfiguration, defaultMode: IsolationMode = .none) {
        configuration.isolation.mode = isolation ?? defaultMode
        configuration.isolation.limits = ResourceLimits(memoryMb: memoryMb, cpuSecondsPerCall: cpuSecondsPerCall)
            .merged(over: IsolationOptions.defaultLimits)
    }
}
