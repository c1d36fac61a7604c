import Foundation
@testable import PluginDiscovery
import PluginHostTestSupport
import Testing

/// The given directories, then PLUGIN_HOST_PATH, then the executable's directory (libph-*.so
/// only) and the user and system plugin directories that exist; they add up.
@Suite("Plugin search path")
struct SearchPathTests {
    @Test("arguments come first, then PLUGIN_HOST_PATH, then the defaults; the given patterns apply to both")
    func directoriesAddUp() {
        let dirs = PluginSearchPath.resolve(arguments: ["/a", "/b/"], patterns: ["*.plugin"],
                                            environment: ["PLUGIN_HOST_PATH": "/env"], executablePath: "/bin/plugin-host")
        #expect(Array(dirs.prefix(4)) == [
            SearchDirectory(path: "/a", patterns: ["*.plugin"]), SearchDirectory(path: "/b", patterns: ["*.plugin"]),
            SearchDirectory(path: "/env", patterns: ["*.plugin"]),
            SearchDirectory(path: "/bin", patterns: ["libph-*.so"], maximumDepth: 0, standaloneManifests: false),
        ])
    }

    @Test("leaving the defaults out keeps the arguments and PLUGIN_HOST_PATH")
    func withoutDefaults() {
        let dirs = PluginSearchPath.resolve(arguments: ["/a"], patterns: nil, environment: ["PLUGIN_HOST_PATH": "/env"],
                                            executablePath: "/bin/plugin-host", adding: .environment)
        #expect(dirs.map(\.path) == ["/a", "/env"])
    }

    @Test("adding nothing is exactly the arguments (scan DIR...)")
    func exactlyTheArguments() {
        let dirs = PluginSearchPath.resolve(arguments: ["/a"], patterns: nil, environment: ["PLUGIN_HOST_PATH": "/env"],
                                            executablePath: "/bin/plugin-host", adding: [])
        #expect(dirs.map(\.path) == ["/a"])
    }

    @Test("a directory given and also a default is searched once, where it is given, with the given patterns")
    func givenDefaultDirectory() {
        let dirs = PluginSearchPath.resolve(arguments: ["/bin"], patterns: nil, environment: [:], executablePath: "/bin/plugin-host")
        #expect(dirs.first == SearchDirectory(path: "/bin", patterns: ["*.so"]))
        #expect(dirs.filter { $0.path == "/bin" }.count == 1)
    }

    @Test("PLUGIN_HOST_PATH is split on colons, empty entries ignored, default pattern *.so")
    func environmentPath() {
        let dirs = PluginSearchPath.resolve(arguments: [], patterns: nil,
                                            environment: ["PLUGIN_HOST_PATH": ":/one::/two:"], executablePath: "/bin/plugin-host")
        #expect(Array(dirs.prefix(2)) == [SearchDirectory(path: "/one", patterns: ["*.so"]), SearchDirectory(path: "/two", patterns: ["*.so"])])
    }

    @Test("with no arguments and an empty PLUGIN_HOST_PATH, the executable's directory comes first, for libph-*.so")
    func defaults() throws {
        let home = try TemporaryDirectory()
        let dirs = PluginSearchPath.resolve(arguments: [], patterns: ["*.x"],
                                            environment: ["PLUGIN_HOST_PATH": "::", "HOME": home.path],
                                            executablePath: "/opt/ph/bin/plugin-host")
        #expect(dirs.first == SearchDirectory(path: "/opt/ph/bin", patterns: ["libph-*.so"], maximumDepth: 0, standaloneManifests: false))
        #expect(!dirs.contains { $0.path.hasPrefix(home.path) })
    }

    @Test("the per-user plugin directory is a default when it exists")
    func userDirectory() throws {
        let home = try TemporaryDirectory()
        let user = try home.makeDirectory(".local/lib/plugin-host/plugins")
        let dirs = PluginSearchPath.resolve(arguments: [], patterns: nil, environment: ["HOME": home.path],
                                            executablePath: "/opt/ph/bin/plugin-host")
        #expect(dirs.prefix(2) == [SearchDirectory(path: "/opt/ph/bin", patterns: ["libph-*.so"], maximumDepth: 0, standaloneManifests: false),
                                   SearchDirectory(path: user, patterns: ["*.so"])])
    }

    @Test("an installed plugin-host finds PREFIX/lib/plugin-host/plugins from PREFIX/bin, after the per-user directory")
    func installedLayoutFromExecutable() throws {
        let prefix = try TemporaryDirectory()
        try prefix.makeDirectory("bin")
        let plugins = try prefix.makeDirectory("lib/plugin-host/plugins")
        let home = try TemporaryDirectory()
        let user = try home.makeDirectory(".local/lib/plugin-host/plugins")
        let dirs = PluginSearchPath.resolve(arguments: [], patterns: nil, environment: ["HOME": home.path],
                                            executablePath: prefix.url("bin/plugin-host"))
        #expect(dirs.map(\.path) == [prefix.url("bin"), user, plugins])
        #expect(dirs.last == SearchDirectory(path: plugins, patterns: ["*.so"]))
    }

    @Test("the embedding library finds LIBDIR/plugin-host/plugins beside itself")
    func installedLayoutFromLibrary() throws {
        let prefix = try TemporaryDirectory()
        let plugins = try prefix.makeDirectory("lib/plugin-host/plugins")
        let dirs = PluginSearchPath.resolve(arguments: [], patterns: nil, environment: [:],
                                            executablePath: prefix.url("lib/libplugin_host.so.1"))
        #expect(dirs.map(\.path) == [prefix.url("lib"), plugins])
    }

    @Test("without an installed layout only the executable's directory is a default (no fixed /usr/local directory)")
    func noInstalledLayout() throws {
        let bin = try TemporaryDirectory()
        let dirs = PluginSearchPath.resolve(arguments: [], patterns: nil, environment: [:], executablePath: bin.url("plugin-host"))
        #expect(dirs.map(\.path) == [bin.path])
        #expect(PluginSearchPath.installedPluginDirectory(forImage: "/usr/local/bin/plugin-host") == "/usr/local/lib/plugin-host/plugins")
        #expect(PluginSearchPath.installedPluginDirectory(forImage: "/bin/plugin-host") == "/lib/plugin-host/plugins")
        #expect(PluginSearchPath.installedPluginDirectory(forImage: "/usr/lib/libplugin_host.so") == "/usr/lib/plugin-host/plugins")
    }

    @Test("the default rule scans bundled libph-*.so plugins and not the host's own libraries")
    func defaultRuleScan() throws {
        let bin = try TemporaryDirectory()
        let bundled = try Fixtures.install("libph-echo.so", id: "org.test.bundled", nodeTypes: ["test.bundled"], in: bin)
        try dir(bin, "libPluginHost.so")
        try dir(bin, "libswiftCore.so")
        let dirs = PluginSearchPath.resolve(arguments: [], patterns: nil, environment: [:], executablePath: bin.url("plugin-host"))
        let report = Scanner().scan(Array(dirs.prefix(1)))
        #expect(report.plugins.map(\.path) == [bundled])
        #expect(report.plugins[0].status == .ok)
    }

    @Test("relative directories are made absolute against the working directory")
    func relativeArguments() {
        let cwd = FileManager.default.currentDirectoryPath
        let dirs = PluginSearchPath.resolve(arguments: ["./plugins/", "."], patterns: nil, environment: [:], executablePath: "/x", adding: [])
        #expect(dirs.map(\.path) == [cwd + "/plugins", cwd])
    }

    @Test("a directory listed twice is scanned once")
    func deduplicated() {
        let dirs = PluginSearchPath.resolve(arguments: ["/a", "/a/", "/a/."], patterns: nil, environment: [:], executablePath: "/x", adding: [])
        #expect(dirs.map(\.path) == ["/a"])
    }

    private func dir(_ directory: TemporaryDirectory, _ name: String) throws {
        try directory.write(name, "host library stand-in, not a plugin")
    }
}
