import PluginHostCore
import PluginMetadata

/// Finds plugin files and reports on each one without ever loading it.
///
/// A scan walks the directories (``DirectoryWalker``), takes each file's inspection from the
/// cache when the file is unchanged or from ``PluginInspector`` otherwise, adds the permission
/// checks (always from the fresh `stat`), then the cross-file checks (``CrossFileChecks``), and
/// finally merges fresh inspections back into the cache. It never throws: everything that can go
/// wrong is a ``Problem`` in the report.
public struct Scanner: Sendable {
    public var options: ScanOptions
    /// Shared between scans; nil scans without remembering anything.
    public var cache: ScanCache?

    public init(options: ScanOptions = ScanOptions(), cache: ScanCache? = nil) {
        self.options = options
        self.cache = cache
    }

    /// Scans the one file at `path` (a library or a standalone manifest) with every check a
    /// scan of its directory would make, without listing that directory or using the cache.
    public func scanFile(at path: String) -> ScannedPlugin {
        let walker = DirectoryWalker(options: options, cached: nil)
        walker.walkSingleFile(path)
        return walker.plugins.first ?? ScannedPlugin(path: path, identity: nil, inspection: PluginInspection(path: path))
    }

    /// Scans `directories` in order and reports every matched file.
    public func scan(_ directories: [SearchDirectory]) -> ScanReport {
        let start = SystemCalls.monotonicNanoseconds()
        let walker = DirectoryWalker(options: options, cached: cache?.snapshot())
        for directory in directories { walker.walk(directory) }
        var plugins = walker.plugins
        CrossFileChecks.apply(to: &plugins)
        cache?.merge(updates: walker.cacheUpdates, seen: walker.cachedPaths, roots: directories.map(\.path))
        let elapsed = Double(SystemCalls.monotonicNanoseconds() - start) / 1_000_000
        var report = ScanReport(mode: options.mode, plugins: plugins, problems: walker.problems,
                                durationMs: elapsed, cacheHits: walker.cacheHits, cacheMisses: walker.cacheMisses)
        report.filesOpened = walker.filesOpened
        return report
    }
}
