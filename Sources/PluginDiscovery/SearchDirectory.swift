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

    public init(path: String, patterns: [String] = ["*.so"]) {
        self.path = path
        self.patterns = patterns
    }
}
