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
    /// Whether standalone manifests (`<name>.plugin.json` with no file `<name>` beside them)
    /// are scanned here whatever the patterns say. True for plugin directories; false for the
    /// executable's own directory, a build folder where only the bundled libraries are
    /// plugins. A manifest a pattern matches by name is scanned either way.
    public var standaloneManifests: Bool

    public init(path: String, patterns: [String] = ["*.so"], maximumDepth: Int? = nil, standaloneManifests: Bool = true) {
        self.path = path
        self.patterns = patterns
        self.maximumDepth = maximumDepth
        self.standaloneManifests = standaloneManifests
    }
}
