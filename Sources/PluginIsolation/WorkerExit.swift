#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a worker process ended, from `waitpid`'s status, in words a person can act on.
public enum WorkerExit: Sendable, Equatable, CustomStringConvertible {
    /// Killed by a signal (SIGSEGV, SIGABRT, SIGKILL, …).
    case signaled(Int32)
    /// Exited by itself with this status (a plugin called `exit`, or the worker gave up).
    case exited(Int32)
    /// The status could not be collected.
    case unknown

    /// Decodes a `waitpid` status.
    public init(waitStatus status: Int32) {
        // WIFEXITED / WEXITSTATUS / WIFSIGNALED / WTERMSIG, which Swift does not import (macros).
        let low = status & 0x7F
        if low == 0 {
            self = .exited((status >> 8) & 0xFF)
        } else if low != 0x7F {
            self = .signaled(low)
        } else {
            self = .unknown
        }
    }

    public var description: String {
        switch self {
        case .signaled(let signal): "was killed by \(Self.signalName(signal)) (signal \(signal))"
        case .exited(let status): "exited with status \(status)"
        case .unknown: "ended in a way the host could not read"
        }
    }

    /// `SIGSEGV` for 11, and so on; `signal N` for one without a name here.
    public static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGHUP: "SIGHUP"
        case SIGINT: "SIGINT"
        case SIGQUIT: "SIGQUIT"
        case SIGILL: "SIGILL"
        case SIGTRAP: "SIGTRAP"
        case SIGABRT: "SIGABRT"
        case SIGBUS: "SIGBUS"
        case SIGFPE: "SIGFPE"
        case SIGKILL: "SIGKILL"
        case SIGUSR1: "SIGUSR1"
        case SIGSEGV: "SIGSEGV"
        case SIGUSR2: "SIGUSR2"
        case SIGPIPE: "SIGPIPE"
        case SIGALRM: "SIGALRM"
        case SIGTERM: "SIGTERM"
        case SIGXCPU: "SIGXCPU"
        case SIGXFSZ: "SIGXFSZ"
        case SIGSYS: "SIGSYS"
        default: "signal \(signal)"
        }
    }
}
