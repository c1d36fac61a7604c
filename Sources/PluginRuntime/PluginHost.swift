import Logging
import PluginDiscovery
import PluginHostCore
import PluginLoader
import PluginMetadata
import Synchronization

/// Where to look for plugins and how to check them.
public struct HostConfiguration: Sendable {
    public var directories: [SearchDirectory]
    public var scanOptions: ScanOptions
    /// The persisted scan cache file; nil keeps the cache in memory only.
    public var cacheFile: String?
    public var logger: Logger

    public init(
        directories: [SearchDirectory], scanOptions: ScanOptions = ScanOptions(), cacheFile: String? = nil,
        logger: Logger = Logger(label: "plugin-host")
    ) {
        self.directories = directories
        self.scanOptions = scanOptions
        self.cacheFile = cacheFile
        self.logger = logger
    }
}

/// The answer to "who provides this node type?".
public enum NodeLookup: Sendable {
    /// An ok plugin declares it.
    case found(ScannedPlugin, NodeDescriptor)
    /// Only a rejected plugin declares it; the plugin's errors say why it cannot be used.
    case rejected(ScannedPlugin)
    /// Nobody declares it; `suggestions` are the closest known node types.
    case notFound(suggestions: [String])
}

/// The running host: scans once, loads plugins on demand, executes nodes.
///
/// This is the layer the CLI, the embedding API and workflows share, so every entry point
/// applies the same pipeline in the same order: lookup → load → init → validate → call →
/// result. Loading is lazy and per plugin, so `exec math.add` never runs another plugin's code.
/// Thread-safe: state sits behind one mutex that is never held while plugin code runs.
public final class PluginHost: Sendable {
    public let configuration: HostConfiguration
    private let cache: ScanCache
    private let state = Locked(State())

    private struct State {
        var report: ScanReport?
        /// Plugins loaded and initialized (or that failed to), by path. Never removed: a
        /// plugin is never unloaded, and a failed one is not retried until its file changes.
        var prepared: [String: Result<LoadedPlugin, Problem>] = [:]
    }

    public init(configuration: HostConfiguration) {
        self.configuration = configuration
        if let file = configuration.cacheFile {
            cache = ScanCache.load(from: file)
        } else {
            cache = ScanCache()
        }
    }

    /// Scans the configured directories (using the cache), remembers and returns the report.
    @discardableResult
    public func scan() -> ScanReport {
        let report = Scanner(options: configuration.scanOptions, cache: cache).scan(configuration.directories)
        if let file = configuration.cacheFile {
            do {
                try cache.save(to: file)
            } catch {
                configuration.logger.warning("could not save the scan cache to \(file): \(error)")
            }
        }
        state.withLock { $0.report = report }
        return report
    }

    /// The last scan's report, scanning first if there was none.
    public var report: ScanReport {
        if let report = state.withLock({ $0.report }) { return report }
        return scan()
    }

    /// Finds the plugin that provides `nodeType`.
    public func lookup(nodeType: String) -> NodeLookup {
        let plugins = report.plugins
        for plugin in plugins where plugin.status == .ok {
            if let node = plugin.inspection.manifest?.nodes.first(where: { $0.nodeType == nodeType }) {
                return .found(plugin, node)
            }
        }
        for plugin in plugins where plugin.inspection.manifest?.nodes.contains(where: { $0.nodeType == nodeType }) == true {
            return .rejected(plugin)
        }
        let known = plugins.filter { $0.status == .ok }.flatMap { $0.inspection.manifest?.nodes.map(\.nodeType) ?? [] }
        return .notFound(suggestions: NameSuggestions.closest(to: nodeType, among: known))
    }

    /// Loads and initializes `plugin` once; later calls return the same outcome.
    public func prepare(_ plugin: ScannedPlugin) -> Result<LoadedPlugin, Problem> {
        if let done = state.withLock({ $0.prepared[plugin.path] }) { return done }
        // Load and init outside the lock: plugin code may be slow. Two threads racing here both
        // reach PluginLoader, which hands back the same LoadedPlugin, whose init runs once.
        let outcome = PluginLoader.load(plugin.inspection, logger: configuration.logger).flatMap { loaded in
            loaded.initialize(config: .object([:])).map { loaded }
        }
        return state.withLock { state in
            if let done = state.prepared[plugin.path] { return done }
            state.prepared[plugin.path] = outcome
            return outcome
        }
    }

    /// Executes one node: the whole pipeline, returning a result whatever happens.
    public func execute(
        nodeType: String, parameters: JSONValue, input: JSONValue = .array([]), tenant: String? = nil
    ) -> NodeResult {
        let startedAt = WallClock.now()
        let plugin: ScannedPlugin
        let node: NodeDescriptor
        switch lookup(nodeType: nodeType) {
        case .found(let p, let n):
            plugin = p
            node = n
        case .rejected(let p):
            let reason = p.inspection.problems.first { $0.severity == .error }.map { "\($0.code): \($0.message)" } ?? "it was rejected"
            return .failure(
                nodeType: nodeType, code: .nodeTypeNotFound,
                message: "node type \(nodeType) is provided by \(p.path), which was rejected: \(reason)",
                startedAt: startedAt)
        case .notFound(let suggestions):
            var message = "no loaded plugin provides node type \(nodeType)"
            if !suggestions.isEmpty { message += "; did you mean \(suggestions.joined(separator: " or "))?" }
            message += " (`plugin-host scan` lists what is available)"
            return .failure(nodeType: nodeType, code: .nodeTypeNotFound, message: message, startedAt: startedAt)
        }
        let loaded: LoadedPlugin
        switch prepare(plugin) {
        case .success(let l): loaded = l
        case .failure(let problem):
            return .failure(nodeType: nodeType, code: problem.code, message: problem.message, startedAt: startedAt)
        }
        return NodeInvocation(plugin: loaded, node: node, tenant: tenant ?? "")
            .run(parameters: parameters, input: input, startedAt: startedAt)
    }
}
