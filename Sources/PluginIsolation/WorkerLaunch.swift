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
    /// an executable file), else the first directory holding it of: the running executable's,
    /// then the library or executable this code is linked into (for embedders, whose executable
    /// is python or node).
    public static func locate(explicit: String? = nil, environment: [String: String]) -> String? {
        // A path the caller or the environment names is the answer, even when it is wrong:
        // falling back to another worker binary would hide the mistake.
        if let explicit { return access(explicit, X_OK) == 0 ? explicit : nil }
        if let fromEnvironment = environment["PLUGIN_HOST_WORKER"], !fromEnvironment.isEmpty {
            return access(fromEnvironment, X_OK) == 0 ? fromEnvironment : nil
        }
        var candidates: [String] = []
        if let executable = resolvedLink("/proc/self/exe") { candidates.append(directory(of: executable) + "/" + name) }
        if let image = ph_isolation_image_path().map({ String(cString: $0) }), image.hasPrefix("/") {
            candidates.append(directory(of: image) + "/" + name)
        }
        return candidates.first { access($0, X_OK) == 0 }
    }

    /// Where the search looked, for the message when nothing was found.
    public static func searchedPlaces(explicit: String?, environment: [String: String]) -> String {
        if let explicit { return explicit }
        if let value = environment["PLUGIN_HOST_WORKER"], !value.isEmpty { return "PLUGIN_HOST_WORKER=\(value)" }
        var places: [String] = []
        if let executable = resolvedLink("/proc/self/exe") { places.append(directory(of: executable)) }
        if let image = ph_isolation_image_path().map({ String(cString: $0) }), image.hasPrefix("/") { places.append(directory(of: image)) }
        return places.joined(separator: ", ")
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
