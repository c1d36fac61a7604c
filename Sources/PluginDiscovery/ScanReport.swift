import PluginHostCore
import PluginMetadata

/// Everything one scan found: each matched file with its status, the problems with the
/// directories themselves, and how the cache did.
///
/// `plugins` lists every file that matched a pattern exactly once, in walk order (directories
/// in the order given, names sorted by bytes, depth first), so two scans of the same tree give
/// the same report.
public struct ScanReport: Sendable {
    /// The ABI this host implements; plugins are judged against it.
    public var hostABI: ABIVersion
    public var mode: ValidationMode
    public var plugins: [ScannedPlugin]
    /// Problems with directories rather than files: DIRECTORY_NOT_FOUND, DIRECTORY_UNREADABLE,
    /// DEPTH_LIMIT, SYMLINK_LOOP (a directory loop).
    public var problems: [Problem]
    /// Wall time of the scan, in milliseconds.
    public var durationMs: Double
    /// Files whose inspection came from the cache (only `stat`ed, never opened).
    public var cacheHits: Int
    /// Files that had to be opened and inspected (or could not be).
    public var cacheMisses: Int
    /// Plugin files actually opened by this scan (for tests and benchmarks).
    var filesOpened: Int = 0

    public init(hostABI: ABIVersion = .host, mode: ValidationMode, plugins: [ScannedPlugin], problems: [Problem],
                durationMs: Double, cacheHits: Int, cacheMisses: Int) {
        self.hostABI = hostABI
        self.mode = mode
        self.plugins = plugins
        self.problems = problems
        self.durationMs = durationMs
        self.cacheHits = cacheHits
        self.cacheMisses = cacheMisses
    }

    /// Counts for the summary line.
    public struct Summary: Sendable, Hashable {
        /// Matched files (`plugins.count`).
        public var files: Int
        public var ok: Int
        public var rejected: Int
        /// Warning-severity problems, on files and on directories.
        public var warnings: Int
    }

    public var summary: Summary {
        var ok = 0, warnings = 0
        for plugin in plugins {
            if plugin.status == .ok { ok += 1 }
            warnings += plugin.problems.count { $0.severity == .warning }
        }
        warnings += problems.count { $0.severity == .warning }
        return Summary(files: plugins.count, ok: ok, rejected: plugins.count - ok, warnings: warnings)
    }

    /// Whether everything is fine: no rejected file and no directory-level error (the CLI's
    /// exit status 0).
    public var isClean: Bool {
        !problems.containsError && plugins.allSatisfy { $0.status == .ok }
    }

    /// The plugins that may be loaded, in walk order.
    public var loadable: [ScannedPlugin] { plugins.filter { $0.status == .ok } }
}
