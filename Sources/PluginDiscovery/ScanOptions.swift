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

    public init(mode: ValidationMode = .strict, maximumDepth: Int = 4,
                allowUnsafePermissions: Bool = false, followSymlinks: Bool = true) {
        self.mode = mode
        self.maximumDepth = maximumDepth
        self.allowUnsafePermissions = allowUnsafePermissions
        self.followSymlinks = followSymlinks
    }
}
