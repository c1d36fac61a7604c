import PluginHostCore
import PluginIsolation
import PluginLoader
import PluginMetadata
import Synchronization

/// Who runs a registered node type's calls.
public enum NodeProvider: Sendable {
    /// A plugin loaded and initialized in this process.
    case loaded(LoadedPlugin)
    /// A plugin that runs only in worker processes: it passed the probe, and the host never
    /// loaded it itself.
    case worker(IsolatedPlugin)

    /// The plugin file's path.
    public var path: String {
        switch self {
        case .loaded(let plugin): plugin.path
        case .worker(let plugin): plugin.path
        }
    }

    public var manifest: PluginManifest {
        switch self {
        case .loaded(let plugin): plugin.manifest
        case .worker(let plugin): plugin.manifest
        }
    }
}

/// A plugin as worker processes load it: the scanned file, and every plugin file a worker
/// loads for it, dependencies first and the plugin itself last.
public struct IsolatedPlugin: Sendable {
    public let path: String
    public let manifest: PluginManifest
    public let loadOrder: [WorkerPluginSpec]

    public init(path: String, manifest: PluginManifest, loadOrder: [WorkerPluginSpec]) {
        self.path = path
        self.manifest = manifest
        self.loadOrder = loadOrder
    }
}

/// A node type the host can execute: its declaration and the plugin behind it.
public struct RegisteredNode: Sendable {
    public let descriptor: NodeDescriptor
    public let provider: NodeProvider

    public init(descriptor: NodeDescriptor, provider: NodeProvider) {
        self.descriptor = descriptor
        self.provider = provider
    }

    public init(descriptor: NodeDescriptor, plugin: LoadedPlugin) {
        self.init(descriptor: descriptor, provider: .loaded(plugin))
    }

    public var nodeType: String { descriptor.nodeType }
    /// The plugin loaded in this process; nil for a node that runs in worker processes only.
    public var plugin: LoadedPlugin? {
        if case .loaded(let plugin) = provider { return plugin }
        return nil
    }
    public var pluginPath: String { provider.path }
    public var pluginID: String { provider.manifest.id }
    public var pluginVersion: String { provider.manifest.version }
}

/// Node type → executor: plugins initialized in this process, or (in the host's second
/// registry) plugins that passed the probe and run in worker processes.
///
/// Read on every execution, written once per plugin that initializes, so reads take no lock:
/// the table is an immutable ``Snapshot`` published through an atomic pointer (read-copy-update).
/// A writer copies the table under a lock, adds to the copy and publishes it. Snapshots are
/// never freed (the registry keeps every one it published), so a reader holding a pointer it
/// loaded can never see freed memory; a registry grows only when plugins initialize, and
/// ``PluginHost/load()`` registers every plugin of a run as one snapshot.
///
/// Lookup is one dictionary probe, the same with 10 or 10 000 node types. Duplicate node types
/// cannot reach it in normal use (the scan rejects the later plugin: walk order
/// wins); if two initialized plugins still declare one, the first registered keeps it and the
/// clash is reported as DUPLICATE_NODE_TYPE.
public final class NodeRegistry: Sendable {
    /// The published snapshot, as the bits of an unretained pointer into ``published``.
    private let current: Atomic<UInt>
    /// Every snapshot ever published (keeps them alive) and the clashes; writers hold this lock.
    private let published: Locked<(snapshots: [Snapshot], clashes: [Problem])>
    /// Statistics of node types that are not registered (lookups that failed), by type.
    private let unregisteredStatistics = Locked<[String: NodeStatistics]>([:])
    let circuitBreakers: CircuitBreakers

    /// An immutable table; never changed after it is published.
    final class Snapshot: Sendable {
        let entries: [String: NodeEntry]
        init(_ entries: [String: NodeEntry]) { self.entries = entries }
    }

    /// `circuitBreakers` gives each registered node type its breaker once, at registration.
    public init(plugins: [LoadedPlugin] = [], circuitBreakers: CircuitBreakers = CircuitBreakers()) {
        self.circuitBreakers = circuitBreakers
        var table: [String: NodeEntry] = [:]
        var problems: [Problem] = []
        Self.add(plugins.map(NodeProvider.loaded), to: &table, problems: &problems, breakers: circuitBreakers)
        let first = Snapshot(table)
        published = Locked(([first], problems))
        current = Atomic(UInt(bitPattern: Unmanaged.passUnretained(first).toOpaque()))
    }

    /// Adds an initialized plugin's node types (first registration of a type wins).
    public func register(_ plugin: LoadedPlugin) { register(contentsOf: [plugin]) }

    /// Adds several plugins as one new snapshot.
    public func register(contentsOf plugins: [LoadedPlugin]) { register(providers: plugins.map(NodeProvider.loaded)) }

    /// Adds the node types of several providers as one new snapshot.
    public func register(providers plugins: [NodeProvider]) {
        guard !plugins.isEmpty else { return }
        published.withLock { published in
            var table = snapshot.entries
            let before = table.count
            Self.add(plugins, to: &table, problems: &published.clashes, breakers: circuitBreakers)
            guard table.count != before else { return }
            let next = Snapshot(table)
            published.snapshots.append(next)
            current.store(UInt(bitPattern: Unmanaged.passUnretained(next).toOpaque()), ordering: .releasing)
        }
    }

    private static func add(
        _ plugins: [NodeProvider], to table: inout [String: NodeEntry], problems: inout [Problem], breakers: CircuitBreakers
    ) {
        for plugin in plugins {
            for descriptor in plugin.manifest.nodes {
                if let existing = table[descriptor.nodeType]?.registered {
                    if existing.pluginPath != plugin.path {
                        problems.append(Problem(
                            .duplicateNodeType, .error,
                            "\(descriptor.nodeType) is declared by both \(existing.pluginID) (\(existing.pluginPath)) and "
                                + "\(plugin.manifest.id); the first registered keeps it. Rename one of the node types",
                            file: plugin.path, node: descriptor.nodeType))
                    }
                    continue
                }
                table[descriptor.nodeType] = NodeEntry(
                    RegisteredNode(descriptor: descriptor, provider: plugin),
                    breaker: breakers.breaker(for: descriptor.nodeType))
            }
        }
    }

    /// The snapshot published last (acquiring: its contents were written before it was stored).
    @inline(__always)
    private var snapshot: Snapshot {
        let bits = current.load(ordering: .acquiring)
        return Unmanaged<Snapshot>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!).takeUnretainedValue()
    }

    /// The execution entry of `nodeType`: the hot-path lookup.
    @inline(__always)
    func entry(_ nodeType: String) -> NodeEntry? { snapshot.entries[nodeType] }

    /// The node registered under exactly `nodeType` (no case folding: names are canonical).
    public func node(_ nodeType: String) -> RegisteredNode? { entry(nodeType)?.registered }

    /// Every node, sorted by node type, optionally filtered (all filters must match).
    public func list(category: String? = nil, tag: String? = nil, pluginID: String? = nil, text: String? = nil) -> [RegisteredNode] {
        let needle = text?.lowercased()
        return snapshot.entries.values.map(\.registered)
            .filter { node in
                (category == nil || node.descriptor.category == category)
                    && (tag == nil || node.descriptor.tags.contains(tag!))
                    && (pluginID == nil || node.pluginID == pluginID)
                    && (needle == nil || node.nodeType.contains(needle!)
                        || node.descriptor.description.lowercased().contains(needle!))
            }
            .sorted { $0.nodeType < $1.nodeType }
    }

    /// Clashes found while registering (DUPLICATE_NODE_TYPE).
    public var problems: [Problem] { published.withLock { $0.clashes } }

    public var count: Int { snapshot.entries.count }

    /// How many distinct plugins provide the registered node types.
    public var pluginCount: Int { Set(snapshot.entries.values.map(\.registered.pluginPath)).count }

    /// Records one execution of `nodeType` for the statistics.
    public func record(nodeType: String, nanoseconds: UInt64, succeeded: Bool) {
        if let entry = entry(nodeType) {
            entry.record(nanoseconds: nanoseconds, succeeded: succeeded)
            return
        }
        unregisteredStatistics.withLock { table in
            table[nodeType, default: NodeStatistics()].record(nanoseconds: nanoseconds, succeeded: succeeded)
        }
    }

    /// Per node type statistics of every type executed at least once, sorted by node type.
    public func statisticsSnapshot() -> [(nodeType: String, statistics: NodeStatistics)] {
        var all = unregisteredStatistics.withLock { $0 }
        for (type, entry) in snapshot.entries {
            let statistics = entry.statistics
            if statistics.calls > 0 { all[type] = statistics }
        }
        return all.map { ($0.key, $0.value) }.sorted { $0.nodeType < $1.nodeType }
    }
}

/// Calls, errors and latency of one node type.
public struct NodeStatistics: Sendable {
    public private(set) var calls: UInt64 = 0
    public private(set) var errors: UInt64 = 0
    private var latency = LatencyHistogram()

    mutating func record(nanoseconds: UInt64, succeeded: Bool) {
        calls += 1
        if !succeeded { errors += 1 }
        latency.record(nanoseconds: nanoseconds)
    }

    /// Latency at a percentile (0–100), in milliseconds.
    public func latencyMs(atPercentile percentile: Double) -> Double {
        Double(latency.value(atPercentile: percentile)) / 1e6
    }

    public var meanLatencyMs: Double { latency.mean / 1e6 }
    public var maxLatencyMs: Double { Double(latency.max) / 1e6 }

    public func json() -> JSONValue {
        [
            "calls": .int(Int64(calls)), "errors": .int(Int64(errors)),
            "latencyMs": [
                "mean": .double(meanLatencyMs.roundedToMicroseconds),
                "p50": .double(latencyMs(atPercentile: 50).roundedToMicroseconds),
                "p90": .double(latencyMs(atPercentile: 90).roundedToMicroseconds),
                "p99": .double(latencyMs(atPercentile: 99).roundedToMicroseconds),
                "max": .double(maxLatencyMs.roundedToMicroseconds),
            ],
        ]
    }
}
