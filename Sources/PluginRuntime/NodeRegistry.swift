import PluginHostCore
import PluginLoader
import PluginMetadata
import Synchronization

/// A node type the host can execute: its declaration and the initialized plugin behind it.
public struct RegisteredNode: Sendable {
    public let descriptor: NodeDescriptor
    public let plugin: LoadedPlugin

    public init(descriptor: NodeDescriptor, plugin: LoadedPlugin) {
        self.descriptor = descriptor
        self.plugin = plugin
    }

    public var nodeType: String { descriptor.nodeType }
    public var pluginID: String { plugin.manifest.id }
    public var pluginVersion: String { plugin.manifest.version }
}

/// Node type → executor, for initialized plugins only.
///
/// Built once from the plugins that initialized, then read-mostly: lookup is one dictionary
/// probe under a read of an immutable snapshot, so it costs the same with 10 or 10 000 node
/// types. Duplicate node types cannot reach it in normal use (the scan rejects the later plugin,
/// DESIGN §4: walk order wins); if two initialized plugins still declare one, the first
/// registered keeps it and the clash is reported as DUPLICATE_NODE_TYPE.
public final class NodeRegistry: Sendable {
    private let nodes: Locked<[String: RegisteredNode]>
    private let statistics = Locked<[String: NodeStatistics]>([:])
    private let clashes: Locked<[Problem]>

    public init(plugins: [LoadedPlugin] = []) {
        var table: [String: RegisteredNode] = [:]
        var problems: [Problem] = []
        for plugin in plugins { Self.add(plugin, to: &table, problems: &problems) }
        nodes = Locked(table)
        clashes = Locked(problems)
    }

    /// Adds an initialized plugin's node types (first registration of a type wins).
    public func register(_ plugin: LoadedPlugin) {
        var problems: [Problem] = []
        nodes.withLock { Self.add(plugin, to: &$0, problems: &problems) }
        if !problems.isEmpty { clashes.withLock { $0 += problems } }
    }

    private static func add(_ plugin: LoadedPlugin, to table: inout [String: RegisteredNode], problems: inout [Problem]) {
        for descriptor in plugin.manifest.nodes {
            if let existing = table[descriptor.nodeType] {
                if existing.plugin !== plugin {
                    problems.append(Problem(
                        .duplicateNodeType, .error,
                        "\(descriptor.nodeType) is declared by both \(existing.pluginID) (\(existing.plugin.path)) and "
                            + "\(plugin.manifest.id); the first registered keeps it. Rename one of the node types",
                        file: plugin.path, node: descriptor.nodeType))
                }
                continue
            }
            table[descriptor.nodeType] = RegisteredNode(descriptor: descriptor, plugin: plugin)
        }
    }

    /// The node registered under exactly `nodeType` (no case folding: names are canonical).
    public func node(_ nodeType: String) -> RegisteredNode? {
        nodes.withLock { $0[nodeType] }
    }

    /// Every node, sorted by node type, optionally filtered (all filters must match).
    public func list(category: String? = nil, tag: String? = nil, pluginID: String? = nil, text: String? = nil) -> [RegisteredNode] {
        let needle = text?.lowercased()
        return nodes.withLock { Array($0.values) }
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
    public var problems: [Problem] { clashes.withLock { $0 } }

    public var count: Int { nodes.withLock { $0.count } }

    /// Records one execution of `nodeType` for the statistics.
    public func record(nodeType: String, nanoseconds: UInt64, succeeded: Bool) {
        statistics.withLock { table in
            table[nodeType, default: NodeStatistics()].record(nanoseconds: nanoseconds, succeeded: succeeded)
        }
    }

    /// Per node type statistics, sorted by node type.
    public func statisticsSnapshot() -> [(nodeType: String, statistics: NodeStatistics)] {
        statistics.withLock { $0.map { ($0.key, $0.value) } }.sorted { $0.nodeType < $1.nodeType }
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
