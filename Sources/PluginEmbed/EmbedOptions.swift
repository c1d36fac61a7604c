#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import PluginDiscovery
import PluginHostCore
import PluginMetadata
import PluginRuntime
import PluginTenancy

/// The `options_json` of `ph_host_create`, checked.
///
/// Checking fails closed like the policy file: an unknown key, a value of the wrong type or out
/// of range is INVALID_ARGUMENT naming the key, because a misspelt option that is silently
/// ignored (`"initTimoutMs"`) would leave the caller believing a setting is in force.
struct EmbedOptions: Sendable {
    /// Directories from `pluginPath`, searched before `PLUGIN_HOST_PATH` and the defaults (see
    /// ``searchDirectories(_:)``).
    var pluginPath: [String] = []
    /// `"defaultPlugins": false` leaves the default directories out of every search.
    var defaultPlugins = true
    var mode: ValidationMode = .strict
    var initOptions = InitOptions()
    var policy: TenantPolicySet?
    var isolation = IsolationOptions()
    /// `"inputLimits"`: the host's ``InputLimits`` (`"limits"` is the workers' resource limits).
    var inputLimits = InputLimits()

    static let keys = ["pluginPath", "defaultPlugins", "mode", "initConcurrency", "initTimeoutMs", "policy", "isolation", "limits", "inputLimits"]

    /// Parses `options_json` (NULL is every default).
    static func parse(_ text: UnsafePointer<CChar>?) throws(Problem) -> EmbedOptions {
        var options = EmbedOptions()
        guard let text else { return options }
        guard case .object(let object) = try CText.json(text, argument: "options_json", expected: "object") else {
            return options
        }
        // First, so that an inline policy is read under them whatever the key order.
        if let value = object["inputLimits"] { options.inputLimits = try inputLimits(value) }
        for (key, value) in object {
            switch key {
            case "inputLimits":
                break
            case "pluginPath":
                options.pluginPath = try directories(value, argument: "options_json /pluginPath")
            case "defaultPlugins":
                guard case .bool(let include) = value else {
                    throw invalid("/defaultPlugins must be true or false, not \(JSONWriter.string(value))")
                }
                options.defaultPlugins = include
            case "mode":
                guard let name = value.stringValue, let mode = ValidationMode(rawValue: name) else {
                    throw invalid("/mode must be \"strict\" or \"loose\", not \(JSONWriter.string(value))")
                }
                options.mode = mode
            case "initConcurrency":
                guard let count = value.intValue, count >= 1, count <= 1024 else {
                    throw invalid("/initConcurrency must be an integer from 1 to 1024, not \(JSONWriter.string(value))")
                }
                options.initOptions.concurrency = Int(count)
            case "initTimeoutMs":
                guard let milliseconds = value.intValue, milliseconds >= 1, milliseconds <= 86_400_000 else {
                    throw invalid("/initTimeoutMs must be an integer number of milliseconds from 1 to 86400000, not \(JSONWriter.string(value))")
                }
                options.initOptions.timeout = .milliseconds(milliseconds)
            case "policy":
                options.policy = try policy(value, limits: options.inputLimits)
            case "isolation":
                guard let name = value.stringValue, let mode = IsolationMode(rawValue: name) else {
                    throw invalid("/isolation must be \"none\" or \"process\", not \(JSONWriter.string(value))")
                }
                options.isolation.mode = mode
            case "limits":
                let (limits, errors) = ResourceLimits.read(value, at: "/limits")
                guard let limits else { throw invalid(errors.joined(separator: " ")) }
                options.isolation.limits = limits.merged(over: IsolationOptions.defaultLimits)
            default:
                throw invalid("has an unknown key \"\(key)\"; the keys are \(keys.joined(separator: ", "))")
            }
        }
        return options
    }

    /// A JSON array of non-empty directory paths (for `pluginPath` and `ph_host_scan`).
    static func directories(_ value: JSONValue, argument: String) throws(Problem) -> [String] {
        guard let items = value.arrayValue else {
            throw Problem(.invalidArgument, .error, "\(argument) must be a JSON array of directory paths, not \(value.typeName)")
        }
        var paths: [String] = []
        for (index, item) in items.enumerated() {
            guard let path = item.stringValue, !path.isEmpty, !path.utf8.contains(0) else {
                throw Problem(.invalidArgument, .error, "\(argument) item \(index) must be a non-empty directory path string, not \(JSONWriter.string(item))")
            }
            paths.append(path)
        }
        return paths
    }

    /// `"inputLimits"`: an object of ``InputLimits`` fields (`{"maximumWorkflowNodes": 1000}`),
    /// each a whole number of at least 1; a field left out keeps its default.
    static func inputLimits(_ value: JSONValue) throws(Problem) -> InputLimits {
        guard let object = value.objectValue else {
            throw invalid("/inputLimits must be an object such as {\"maximumWorkflowNodes\": 1000}, not \(value.typeName)")
        }
        var limits = InputLimits()
        let fields: [(String, WritableKeyPath<InputLimits, Int>)] = [
            ("maximumWorkflowNodes", \.maximumWorkflowNodes), ("maximumWorkflowConnections", \.maximumWorkflowConnections),
            ("maximumWorkflowBytes", \.maximumWorkflowBytes), ("maximumJSONDepth", \.maximumJSONDepth),
            ("maximumPolicyBytes", \.maximumPolicyBytes), ("maximumPolicyEntries", \.maximumPolicyEntries),
        ]
        for (key, limit) in object {
            guard let field = fields.first(where: { $0.0 == key })?.1 else {
                throw invalid("/inputLimits has an unknown key \"\(key)\"; the keys are \(fields.map(\.0).joined(separator: ", "))")
            }
            guard let number = limit.intValue, number >= 1, number <= Int64(Int32.max) else {
                throw invalid("/inputLimits/\(key) must be a whole number from 1 to \(Int32.max), not \(JSONWriter.string(limit))")
            }
            limits[keyPath: field] = Int(number)
        }
        return limits
    }

    /// A policy document (the policy-file format). Errors are POLICY_INVALID, every one listed;
    /// more entries than `limits` allow is POLICY_TOO_LARGE.
    static func policy(_ value: JSONValue, limits: InputLimits) throws(Problem) -> TenantPolicySet {
        guard value.objectValue != nil else {
            throw Problem(.invalidArgument, .error, "the policy must be a JSON object in the policy-file format, not \(value.typeName)")
        }
        let (set, problems) = TenantPolicySet.parse(value, file: nil, limits: limits)
        if let tooLarge = problems.first(where: { $0.code == .policyTooLarge }) { throw tooLarge }
        guard let set else {
            let errors = problems.filter { $0.severity == .error }.map(\.message)
            throw Problem(.policyInvalid, .error, "the policy is invalid: \(errors.joined(separator: "; "))")
        }
        return set
    }

    private static func invalid(_ message: String) -> Problem {
        Problem(.invalidArgument, .error, "options_json \(message)")
    }

    /// The directories a host scans, by the CLI's rule: `explicit`, then `PLUGIN_HOST_PATH`,
    /// then (unless `"defaultPlugins": false`) the directory holding libplugin_host.so (pattern
    /// `libph-*.so`, as the CLI treats its own directory) and the per-user and system plugin
    /// directories.
    func searchDirectories(_ explicit: [String]) -> [SearchDirectory] {
        var environment: [String: String] = [:]
        for name in [PluginSearchPath.environmentVariable, "HOME"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return PluginSearchPath.resolve(
            arguments: explicit, patterns: nil, environment: environment,
            executablePath: LibraryLocation.path ?? "./libplugin_host.so",
            adding: defaultPlugins ? .all : .environment)
    }

    /// The configuration of a fresh ``PluginHost`` scanning `directories`. The scan cache and
    /// quarantine stay in memory: a library must not write files its caller did not ask for.
    func configuration(directories: [SearchDirectory]) -> HostConfiguration {
        var scanOptions = ScanOptions()
        scanOptions.mode = mode
        return HostConfiguration(directories: directories, scanOptions: scanOptions, initOptions: initOptions, policy: policy,
                                 logger: Self.logger, isolation: isolation, limits: inputLimits)
    }

    /// Host and plugin log lines: to stderr at `PLUGIN_HOST_LOG`'s level (default `warning`),
    /// as the CLI does. A library must not bootstrap the process's logging system (the embedding
    /// program may use swift-log itself), so the handler is this logger's own.
    static let logger: Logger = {
        let level = getenv("PLUGIN_HOST_LOG").flatMap { Logger.Level(rawValue: String(cString: $0)) } ?? .warning
        return Logger(label: "plugin-host") { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }()
}
