import Foundation

/// Finds what `swift build` produced: the `plugin-host` binary and the bundled plugins.
///
/// Tests must not depend on plugin targets (every plugin exports the same entry symbol), so
/// they look beside the test bundle, which SwiftPM builds into the same directory as every
/// other product. `PLUGIN_HOST_PRODUCTS_DIR` overrides the location.
public enum BuildProducts {
    /// The build products directory (e.g. `.build/debug`).
    public static let directory: String = {
        if let override = ProcessInfo.processInfo.environment["PLUGIN_HOST_PRODUCTS_DIR"] {
            return override
        }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test runner may live inside an .xctest bundle directory on some toolchains.
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("plugin-host").path) {
            dir.deleteLastPathComponent()
        }
        return dir.path == "/" ? URL(fileURLWithPath: exe).deletingLastPathComponent().path : dir.path
    }()

    /// Path of the built `plugin-host` executable.
    public static var cli: String { directory + "/plugin-host" }

    /// Path of a bundled example plugin, e.g. `plugin("math")` → `…/libph-math.so`.
    public static func plugin(_ name: String) -> String { directory + "/libph-\(name).so" }
}

extension BuildProducts {
    /// Whether the bundled plugins were built with ThreadSanitizer or AddressSanitizer
    /// (`swift test --sanitize=thread|address`, as scripts/sanitize.sh runs it). Such plugins need
    /// the sanitizer's runtime, so only a sanitized process can dlopen them: tests that load them
    /// from a plain C program skip themselves in those builds (and only there).
    public static let pluginsAreSanitized: Bool = {
        guard let bytes = FileManager.default.contents(atPath: plugin("math")) else { return false }
        return bytes.range(of: Data("__tsan_init".utf8)) != nil || bytes.range(of: Data("__asan_init".utf8)) != nil
    }()
}
