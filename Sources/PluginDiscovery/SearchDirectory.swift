/// One directory to scan and the file-name globs that select plugin files in it.
///
/// Patterns belong to the directory, not to the scan, because the default search mixes
/// directories with different rules: the executable's own directory holds the host's libraries
/// next to the bundled plugins, so only `libph-*.so` is scanned there, while a plugin directory
/// takes every `*.so`.
public struct SearchDirectory: Sendable, Hashable {
    /// Absolute path, as the user gave it (made absolute, not resolved through symlinks).
    public var path: String
    /// `fnmatch(3)` globs matched against file names (not paths), e.g. `*.so`.
    public var patterns: [String]
    /// How many levels below this directory to search; nil takes ``ScanOptions/maximumDepth``.
    /// The executable's own directory uses 0: it is a build folder, not a plugin tree.
    public var maximumDepth: Int?

    public init(path: String, patterns: [String] = ["*.so"], maximumDepth: Int? = nil) {
        self.path = path
        self.patterns = patterns
        self.maximumDepth = maximumDepth
    }
}
