import PluginHostCore
import PluginMetadata

extension ScanReport {
    /// The `scan --json` document (README.md, *JSON shapes*):
    /// `{"hostAbi","mode","plugins":[{"path","status","id","version","nodes","problems"}],
    ///   "problems":[…],"summary":{"files","ok","rejected","warnings","durationMs","cacheHits","cacheMisses"}}`.
    ///
    /// Every key is always present so scripts can rely on the shape: `id`, `version` and `nodes`
    /// are `null` when the metadata could not be read. Problems carry `code`, `severity`,
    /// `message`, and `node` when they concern one node type. The top-level `problems` (directory
    /// problems) carry `path`, the directory they concern.
    public func json() -> JSONValue {
        let summary = self.summary
        return .object([
            "hostAbi": .string(hostABI.description),
            "mode": .string(mode.rawValue),
            "plugins": .array(plugins.map(Self.json)),
            "problems": .array(problems.map { problem in
                var object = problem.json()
                if case .object(var members) = object, let file = problem.file {
                    members["path"] = .string(file)
                    object = .object(members)
                }
                return object
            }),
            "summary": .object([
                "files": .int(Int64(summary.files)),
                "ok": .int(Int64(summary.ok)),
                "rejected": .int(Int64(summary.rejected)),
                "warnings": .int(Int64(summary.warnings)),
                "durationMs": .double((durationMs * 1000).rounded() / 1000),
                "cacheHits": .int(Int64(cacheHits)),
                "cacheMisses": .int(Int64(cacheMisses)),
            ]),
        ])
    }

    static func json(_ plugin: ScannedPlugin) -> JSONValue {
        let manifest = plugin.manifest
        return .object([
            "path": .string(plugin.path),
            "status": .string(plugin.status.rawValue),
            "id": manifest.map { .string($0.id) } ?? .null,
            "version": manifest.map { .string($0.version) } ?? .null,
            "nodes": manifest.map { .array($0.nodes.map { .string($0.nodeType) }) } ?? .null,
            "problems": .array(plugin.problems.map { $0.json() }),
        ])
    }
}
