#if canImport(Glibc)
import Glibc
#endif
import CPluginWorkerRuntime
import PluginIsolation

/// The worker's start: arguments, the process's safety settings, then the serving loop.
enum WorkerMain {
    /// The socket to the host (``PluginIsolation`` hands it over as descriptor 3).
    static let socket: Int32 = 3

    /// Returns the exit status.
    static func run(arguments: [String]) -> Int32 {
        var parent: Int32?
        var memoryMb: Int?
        var cpuSecondsPerCall: Int?
        var index = 0
        while index < arguments.count {
            let value = index + 1 < arguments.count ? arguments[index + 1] : nil
            switch arguments[index] {
            case "--parent": parent = value.flatMap { Int32($0) }
            case "--memory-mb": memoryMb = value.flatMap { Int($0) }
            case "--cpu-seconds-per-call": cpuSecondsPerCall = value.flatMap { Int($0) }
            default:
                report("unknown argument \(arguments[index]); this program is started by plugin-host, not by hand")
                return 64
            }
            index += 2
        }
        guard let parent else {
            report("no --parent; this program is started by plugin-host with its socket on descriptor 3")
            return 64
        }
        var status = stat()
        guard fstat(socket, &status) == 0, status.st_mode & S_IFMT == S_IFSOCK else {
            report("descriptor 3 is not a socket; this program is started by plugin-host, not by hand")
            return 64
        }
        // Die with the host. The host may have died before this line: then our parent is no
        // longer the pid it passed.
        guard ph_worker_set_parent_death_signal(SIGKILL) == parent else { return 0 }
        signal(SIGPIPE, SIG_IGN)
        // A plugin's printf must not reach the host's stdout (a --json document, say).
        dup2(STDERR_FILENO, STDOUT_FILENO)
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
        // A sanitizer's runtime maps terabytes of shadow memory: no address-space limit there.
        if let memoryMb, memoryMb > 0, ph_worker_runtime_sanitized() == 0 {
            let bytes = rlim_t(memoryMb) << 20
            var limit = rlimit(rlim_cur: bytes, rlim_max: bytes)
            if setrlimit(Int32(RLIMIT_AS.rawValue), &limit) != 0 {
                report("could not set the memory limit of \(memoryMb) MiB: \(String(cString: strerror(errno)))")
                return 71
            }
        }
        ph_worker_install_crash_reporter(socket)
        var loop = WorkerLoop(socket: socket, cpuSecondsPerCall: cpuSecondsPerCall)
        return loop.serve()
    }

    static func report(_ message: String) {
        let line = "plugin-host-worker: \(message)\n"
        _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }
}
