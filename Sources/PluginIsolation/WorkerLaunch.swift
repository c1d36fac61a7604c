#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CPluginIsolation
import PluginHostCore

/// How worker processes are started: which executable, under which limits.
///
/// Workers with different limits never share a process (limits are set once, at start), so
/// the limits are part of what identifies a pool.
public struct WorkerLaunch: Sendable, Hashable {
    /// The `plugin-host-worker` executable.
    public var executable: String
    public var limits: ResourceLimits

    public init(executable: String, limits: ResourceLimits = .none) {
        self.executable = executable
        self.limits = limits
    }

    /// The worker's command line.
    var arguments: [String] {
        var arguments = [executable, "--parent", String(getpid())]
        if let memoryMb = limits.memoryMb { arguments += ["--memory-mb", String(memoryMb)] }
        if let cpu = limits.cpuSecondsPerCall { arguments += ["--cpu-seconds-per-call", String(cpu)] }
        return arguments
    }

    /// The host's environment (plugins may need it) with the Swift backtracer turned off: a
    /// crash then takes microseconds to report instead of 100+ ms of symbolication.
    var environment: [String] {
        ProcessEnvironment.entries.filter { !$0.hasPrefix("SWIFT_BACKTRACE=") } + ["SWIFT_BACKTRACE=enable=no"]
    }
}

/// Finds the `plugin-host-worker` executable.
public enum WorkerExecutable {
    /// The executable's file name.
    public static let name = "plugin-host-worker"

    /// `explicit` when given, else `PLUGIN_HOST_WORKER` when set (nil when the one named is not
    /// an executable file), else the first of ``candidateDirectories(executable:image:)`` holding
    /// it: the running executable's directory and the library or executable this code is linked
    /// into (for embedders, whose executable is python or node), each in the build-folder layout
    /// and in the installed one.
    public static func locate(explicit: String? = nil, environment: [String: String]) -> String? {
        // A path the caller or the environment names is the answer, even when it is wrong:
        // falling back to another worker binary would hide the mistake.
        if let explicit { return access(explicit, X_OK) == 0 ? explicit : nil }
        if let fromEnvironment = environment["PLUGIN_HOST_WORKER"], !fromEnvironment.isEmpty {
            return access(fromEnvironment, X_OK) == 0 ? fromEnvironment : nil
        }
        return currentCandidateDirectories().map { $0 + "/" + name }.first { access($0, X_OK) == 0 }
    }

    /// Where the search looked, for the message when nothing was found.
    public static func searchedPlaces(explicit: String?, environment: [String: String]) -> String {
        if let explicit { return explicit }
        if let value = environment["PLUGIN_HOST_WORKER"], !value.isEmpty { return "PLUGIN_HOST_WORKER=\(value)" }
        return currentCandidateDirectories().joined(separator: ", ")
    }

    /// The directories that may hold the worker, in the order they are tried. `swift build` puts
    /// it beside `plugin-host` and `libplugin_host.so`; `scripts/install.sh` puts it in
    /// `PREFIX/lib/plugin-host/`, which is `../lib/plugin-host` from `PREFIX/bin/plugin-host` and
    /// `plugin-host/` from `PREFIX/lib/libplugin_host.so.1` (a private directory, so the worker is
    /// not on PATH). `image` counts only when absolute.
    public static func candidateDirectories(executable: String?, image: String?) -> [String] {
        var directories: [String] = []
        if let executable {
            let bin = directory(of: executable)
            directories += [bin, bin + "/../lib/plugin-host"]
        }
        if let image, image.hasPrefix("/") {
            let lib = directory(of: image)
            directories += [lib, lib + "/plugin-host"]
        }
        var seen = Set<String>()
        return directories.filter { seen.insert($0).inserted }
    }

    /// ``candidateDirectories(executable:image:)`` for this process.
    private static func currentCandidateDirectories() -> [String] {
        candidateDirectories(
            executable: resolvedLink("/proc/self/exe"), image: ph_isolation_image_path().map { String(cString: $0) }
        )
    }

    private static func resolvedLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
