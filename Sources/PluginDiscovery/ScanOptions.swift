import PluginMetadata

/// How a scan walks directories and how hard it judges what it finds.
///
/// The defaults are the safe ones: strict metadata, permission problems are errors, and
/// recursion is bounded so a deep or hostile tree cannot make a scan run away.
public struct ScanOptions: Sendable {
    /// Strict or loose metadata validation, passed to the inspector.
    public var mode: ValidationMode
    /// How many directory levels below each search directory are entered; 0 scans only the
    /// directory itself. Directories past the limit are named in a `DEPTH_LIMIT` warning.
    public var maximumDepth: Int
    /// Turns `UNSAFE_PERMISSIONS` from an error into a warning (`--allow-unsafe-permissions`).
    public var allowUnsafePermissions: Bool
    /// Whether symbolic links to directories are entered and symbolic links to files are read.
    /// When false, a matched symlink is rejected as `NOT_REGULAR_FILE` and linked directories
    /// are not entered.
    public var followSymlinks: Bool
    /// How many threads read and validate the files a scan must inspect (the cache misses);
    /// 0, the default, uses one per online processor, at most 4. The report is the same for
    /// any count: only the inspections run in parallel, everything order-dependent does not.
    public var inspectionThreads: Int = 0

    /// The thread count ``inspectionThreads`` stands for on this machine.
    public var effectiveInspectionThreads: Int { ParallelInspection.threadCount(requested: inspectionThreads) }

    public init(mode: ValidationMode = .strict, maximumDepth: Int = 4,
                allowUnsafePermissions: Bool = false, followSymlinks: Bool = true) {
        self.mode = mode
        self.maximumDepth = maximumDepth
        self.allowUnsafePermissions = allowUnsafePermissions
        self.followSymlinks = followSymlinks
    }
}
