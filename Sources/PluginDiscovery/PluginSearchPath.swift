import Glibc

/// Decides which directories a scan looks in.
///
/// The directories **add up**, in this order: the ones given (`--plugin-dir`, the embed option
/// `pluginPath`), then `PLUGIN_HOST_PATH`, then the default directories — so pointing the host
/// at one more directory never loses the bundled or installed plugins, and a directory listed
/// earlier overrides a plugin of the same id later in the order (the scan's walk-order rule, as
/// with `PATH`). `--no-default-plugins` (embed: `"defaultPlugins": false`) leaves the defaults
/// out; `plugin-host scan DIR…` scans exactly what it is given.
///
/// The defaults make `swift run plugin-host scan` work on a fresh clone: `swift build` puts the
/// bundled example plugins (`libph-NAME.so`) beside the executable, so that directory is scanned
/// with the pattern `libph-*.so` only (the host's own libraries live there too and are not
/// plugins). Then the per-user plugin directory and the installed layout's plugin directory
/// (``installedPluginDirectory(forImage:)``), if they exist.
public enum PluginSearchPath {
    /// The variable holding a colon-separated list of plugin directories.
    public static let environmentVariable = "PLUGIN_HOST_PATH"
    /// Pattern used when none is given.
    public static let defaultPatterns = ["*.so"]
    /// Pattern for the executable's own directory: only the bundled plugins.
    public static let bundledPluginPattern = "libph-*.so"
    /// The library file name of the embedding library, whose "executable path" is its own.
    static let embedLibraryPrefix = "libplugin_host.so"
    /// The per-user plugin directory under `$HOME`, scanned by default when it exists.
    public static let userDirectorySuffix = "/.local/lib/plugin-host/plugins"

    /// Which sources beyond the given directories a search adds.
    public struct Additions: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// The entries of `PLUGIN_HOST_PATH`.
        public static let environment = Additions(rawValue: 1)
        /// The default directories: the executable's own (bundled plugins), the per-user and
        /// the system plugin directory.
        public static let defaults = Additions(rawValue: 2)
        /// What `exec`, `run`, `load`, `validate` and an embedded host search.
        public static let all: Additions = [.environment, .defaults]
    }

    /// Directories to scan: `arguments`, then (when `adding` says so) the entries of
    /// `PLUGIN_HOST_PATH` (empty entries ignored), then the defaults. `patterns` (from
    /// `--pattern`) apply to every directory except the executable's own, which always uses
    /// `libph-*.so`. Relative paths are made absolute against the current directory; a path
    /// listed twice is scanned once, where it first appears.
    public static func resolve(
        arguments: [String], patterns: [String]?, environment: [String: String], executablePath: String,
        adding: Additions = .all
    ) -> [SearchDirectory] {
        let chosen = (patterns?.isEmpty == false ? patterns : nil) ?? defaultPatterns
        var result: [SearchDirectory] = []
        func add(_ path: String, _ patterns: [String], maximumDepth: Int? = nil, standaloneManifests: Bool = true) {
            let absolute = absolutePath(path)
            if !result.contains(where: { $0.path == absolute }) {
                result.append(SearchDirectory(path: absolute, patterns: patterns, maximumDepth: maximumDepth,
                                              standaloneManifests: standaloneManifests))
            }
        }
        for argument in arguments { add(argument, chosen) }
        if adding.contains(.environment), let variable = environment[environmentVariable] {
            for entry in variable.split(separator: ":", omittingEmptySubsequences: true) { add(String(entry), chosen) }
        }
        guard adding.contains(.defaults) else { return result }
        // The build folder holds the bundled plugins at its top level; never recurse into it.
        add(parentDirectory(of: absolutePath(executablePath)), [bundledPluginPattern], maximumDepth: 0, standaloneManifests: false)
        if let home = environment["HOME"], !home.isEmpty, isDirectory(home + userDirectorySuffix) {
            add(home + userDirectorySuffix, chosen)
        }
        let installed = installedPluginDirectory(forImage: absolutePath(executablePath))
        if isDirectory(installed) { add(installed, chosen) }
        return result
    }

    /// Where `scripts/install.sh` puts the bundled plugins, seen from the installed binary:
    /// `PREFIX/bin/plugin-host` → `PREFIX/lib/plugin-host/plugins`, and for the embedding
    /// library `PREFIX/lib/libplugin_host.so*` → `PREFIX/lib/plugin-host/plugins`. Relative to
    /// the binary, so an installation under any prefix (or moved) finds its own plugins and a
    /// `/usr/local` install needs no hard-coded directory. The image path is canonical
    /// (`/proc/self/exe`, `/proc/self/maps`), so taking the parent lexically is safe here.
    public static func installedPluginDirectory(forImage imagePath: String) -> String {
        let directory = parentDirectory(of: imagePath)
        let name = imagePath.split(separator: "/").last.map(String.init) ?? ""
        func child(_ parent: String, _ name: String) -> String { (parent == "/" ? "" : parent) + "/" + name }
        let libraryDirectory = name.hasPrefix(embedLibraryPrefix) ? directory : child(parentDirectory(of: directory), "lib")
        return child(libraryDirectory, "plugin-host/plugins")
    }

    /// The running executable's path (`/proc/self/exe`), falling back to `argv[0]`.
    public static func currentExecutablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 {
            return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return CommandLine.arguments.first ?? "."
    }

    /// `path` made absolute against the working directory, with `.` and empty components and
    /// trailing slashes removed. `..` is kept: resolving it lexically would be wrong when a
    /// component is a symlink.
    static func absolutePath(_ path: String) -> String {
        var full = path
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            if getcwd(&buffer, buffer.count) != nil {
                let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                full = cwd + "/" + path
            }
        }
        let components = full.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return "/" + components.joined(separator: "/")
    }

    /// The directory part of an absolute path (`/` for a file in the root).
    static func parentDirectory(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.utf8.startIndex else { return "/" }
        return String(path[..<slash])
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
