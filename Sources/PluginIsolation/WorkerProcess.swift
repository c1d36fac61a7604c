#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CPluginIsolation
import PluginHostCore

/// One worker process seen from the host: its pid, its socket, the requests it has been sent
/// and not yet answered, and a reader thread that takes its replies.
///
/// The worker answers strictly in order, so the oldest unanswered request is the one it is
/// working on. When the worker dies — a signal, `exit`, a protocol violation, or the host
/// killing it for a timeout — the reader thread kills its whole process group (whatever the
/// plugin started goes too), reaps it (no zombies), and tells each unanswered request how it
/// ended: the oldest was running (``Death/wasRunning``), the others never started and may be
/// sent elsewhere.
///
/// Thread-safe: the request list sits behind a lock, and sends are made under it, so frames
/// leave in the order the requests were recorded.
public final class WorkerProcess: Sendable {
    public let pid: Int32
    private let socket: Int32
    private let state: Locked<State>
    private let events: @Sendable (WorkerProcess, Event) -> Void

    /// What the owner hears about the worker, on its reader thread.
    public enum Event: Sendable {
        /// The handshake arrived: the worker can take requests.
        case ready
        /// The worker is gone (already reaped); `stopped` when the host killed it.
        case died(WorkerExit, stopped: WorkerStop?)
    }

    /// A reply to one request.
    public enum Reply: Sendable {
        case loaded(WorkerLoadReply)
        case executed(WorkerExecuteReply)
        /// The worker died before answering. `wasRunning`: this was the oldest unanswered
        /// request, so it was running (or loading) when the worker died.
        case died(Death)
    }

    /// How the worker ended, as one unanswered request learns it.
    public struct Death: Sendable {
        public var exit: WorkerExit
        /// What the worker's crash handler reported before it died, if it could.
        public var crash: WorkerCrashReport?
        public var wasRunning: Bool
        /// Set when the host killed the worker on purpose (a timeout, a cancelled call,
        /// shutdown); the exit is then the host's SIGKILL, not the plugin's doing.
        public var killedBecause: String?
        /// Set when the worker sent something the protocol does not allow.
        public var protocolError: String?
    }

    /// One request waiting for its replies: `loads` `loaded` frames, then a `result` frame
    /// when `expectsResult`. Every reply goes to `deliver`, the last one with `final` true.
    public struct Pending: Sendable {
        public var loads: Int
        public var expectsResult: Bool
        /// Whether nobody waits for this request any more (its caller gave up: a timeout, a
        /// cancel). Asked when the request becomes the one running: the worker is then killed,
        /// as it would have been had the request been running when its caller gave up.
        public var isObsolete: (@Sendable () -> Bool)?
        public var deliver: @Sendable (Reply) -> Void

        public init(
            loads: Int, expectsResult: Bool, isObsolete: (@Sendable () -> Bool)? = nil,
            deliver: @escaping @Sendable (Reply) -> Void
        ) {
            self.loads = loads
            self.expectsResult = expectsResult
            self.isObsolete = isObsolete
            self.deliver = deliver
        }
    }

    struct State {
        var unanswered: [(tag: UInt32, pending: Pending)] = []
        var nextTag: UInt32 = 1
        var alive = true
        var ready = false
        var killedBecause: String?
        /// When the host killed it (monotonic nanoseconds), and the deadline that asked for it.
        var killedAt: UInt64?
        var killDeadline: UInt64?
        var crash: WorkerCrashReport?
        var protocolError: String?
        /// Plugin slots this worker has been asked to load (successfully or not).
        var slots: Set<UInt32> = []
    }

    /// The reader polls this many times, yielding between polls, before it blocks in `recv`:
    /// a worker's answer usually comes within microseconds (see ``FrameSocket``).
    static let yieldsBeforeSleeping = 100

    private init(pid: Int32, socket: Int32, events: @escaping @Sendable (WorkerProcess, Event) -> Void) {
        self.pid = pid
        self.socket = socket
        self.events = events
        state = Locked(State())
    }

    /// Starts a worker and its reader thread. Call it on a thread that lives as long as the
    /// worker should (``WorkerSpawner``): the worker asks the kernel to kill it when the thread
    /// that started it ends (`PR_SET_PDEATHSIG`), which is how workers die with the host.
    static func start(_ launch: WorkerLaunch, events: @escaping @Sendable (WorkerProcess, Event) -> Void) -> Result<WorkerProcess, Problem> {
        var fds: [Int32] = [-1, -1]
        let pairStatus = ph_isolation_socketpair(&fds)
        guard pairStatus == 0 else {
            return .failure(Problem(.workerUnavailable, .error,
                "could not create a socket pair for a worker (\(String(cString: strerror(pairStatus)))); the host is out of file descriptors"))
        }
        var pid: pid_t = 0
        let spawnStatus = withCStrings(launch.arguments) { argv in
            withCStrings(launch.environment) { envp in
                ph_isolation_spawn(launch.executable, argv, envp, fds[1], &pid)
            }
        }
        close(fds[1])
        guard spawnStatus == 0 else {
            close(fds[0])
            return .failure(Problem(.workerUnavailable, .error,
                "could not start the worker \(launch.executable): \(String(cString: strerror(spawnStatus))); reinstall plugin-host-worker beside plugin-host, or set PLUGIN_HOST_WORKER"))
        }
        let worker = WorkerProcess(pid: pid, socket: fds[0], events: events)
        if let failure = DedicatedThread.start({ worker.readReplies() }) {
            kill(-pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
            close(fds[0])
            return .failure(Problem(.workerUnavailable, .error, "could not start a thread to read a worker's replies (\(failure))"))
        }
        return .success(worker)
    }

    /// Whether the worker is alive and has completed its handshake.
    public var isReady: Bool { state.withLock { $0.alive && $0.ready } }

    /// Whether the worker is alive with nothing unanswered.
    public var isIdle: Bool { state.withLock { $0.alive && $0.ready && $0.unanswered.isEmpty } }

    /// How many requests are unanswered.
    public var unansweredCount: Int { state.withLock { $0.unanswered.count } }

    /// Records requests and sends their frames as one write; false (recording nothing) when
    /// the worker is dead.
    ///
    /// `build` gets the plugin slots this worker was asked to load before and the tag of each
    /// request by position, and returns the requests, their frames, and the slots it asks the
    /// worker to load now. It runs under the worker's lock, so tags, slots and frame order agree.
    @discardableResult
    public func send(
        _ build: (_ loadedSlots: Set<UInt32>, _ tag: (Int) -> UInt32) -> (requests: [Pending], frames: FrameEncoder, slots: Set<UInt32>)
    ) -> Bool {
        state.withLock { state in
            guard state.alive else { return false }
            let first = state.nextTag
            let tag = { (index: Int) -> UInt32 in (first - 1 + UInt32(index % 0xFF_FFFF)) % 0xFF_FFFF + 1 }
            let (requests, frames, slots) = build(state.slots, tag)
            for (index, request) in requests.enumerated() { state.unanswered.append((tag(index), request)) }
            state.nextTag = tag(requests.count)
            state.slots.formUnion(slots)
            if !FrameSocket(descriptor: socket).send(frames.bytes) {
                // The reader thread sees the broken connection and fails these requests.
                state.protocolError = state.protocolError ?? "the connection to the worker broke"
                kill(-pid, SIGKILL)
            }
            return true
        }
    }

    /// Kills the worker's process group now; the reader thread reaps it and fails what is
    /// unanswered. `reason` is kept for the messages (the timeout, the cancel, a shutdown);
    /// `deadline` (monotonic nanoseconds), when a call's deadline is why, for ``WorkerStop``.
    public func terminate(because reason: String, deadline: UInt64? = nil) {
        let alive = state.withLock { state -> Bool in
            if state.alive, state.killedBecause == nil {
                state.killedBecause = reason
                state.killedAt = WallClock.monotonicNanoseconds()
                state.killDeadline = deadline
            }
            return state.alive
        }
        if alive { kill(-pid, SIGKILL) }
    }

    /// Closes the host's side for writing: a worker waiting for work then shuts its plugins
    /// down and exits by itself.
    public func closeInput() { shutdown(socket, Int32(SHUT_WR)) }

    /// Whether the request with `tag` is the oldest unanswered one (the one running).
    public func isRunning(tag: UInt32) -> Bool { state.withLock { $0.unanswered.first?.tag == tag } }

    // MARK: - The reader thread

    private func readReplies() {
        var frames = FrameBuffer()
        var connection = FrameSocket(descriptor: socket)
        reading: while connection.receive(into: &frames, yields: Self.yieldsBeforeSleeping) {
            do {
                while let frame = try frames.next() {
                    if let violation = handle(frame) {
                        state.withLock { $0.protocolError = $0.protocolError ?? violation }
                        break reading
                    }
                }
            } catch {
                state.withLock { $0.protocolError = $0.protocolError ?? error.description }
                break
            }
        }
        die()
    }

    /// Takes one frame; returns a protocol violation, or nil.
    private func handle(_ frame: ReceivedFrame) -> String? {
        switch frame.kind {
        case .hello:
            do throws(WorkerProtocolError) {
                let hello = try WorkerHello(decoding: frame.payload)
                guard hello.protocolVersion == WorkerFrame.protocolVersion else {
                    return "the worker speaks protocol \(hello.protocolVersion), this host \(WorkerFrame.protocolVersion): the worker executable is from another build"
                }
            } catch {
                return error.description
            }
            let first = state.withLock { state -> Bool in
                defer { state.ready = true }
                return !state.ready
            }
            guard first else { return "the worker sent a second handshake" }
            events(self, .ready)
            return nil
        case .crash:
            if let report = try? WorkerCrashReport(decoding: frame.payload) { state.withLock { $0.crash = report } }
            return nil
        case .loaded, .result:
            var next: (@Sendable () -> Bool)?
            let taken = state.withLock { state -> Pending? in
                guard let head = state.unanswered.first, head.tag == frame.tag else { return nil }
                var pending = head.pending
                if frame.kind == .loaded {
                    guard pending.loads > 0 else { return nil }
                    pending.loads -= 1
                } else {
                    guard pending.loads == 0, pending.expectsResult else { return nil }
                    pending.expectsResult = false
                }
                let done = pending.loads == 0 && !pending.expectsResult
                if done {
                    state.unanswered.removeFirst()
                    next = state.unanswered.first?.pending.isObsolete
                } else {
                    state.unanswered[0].pending = pending
                }
                return pending
            }
            guard let pending = taken else {
                return "the worker answered tag \(frame.tag), which is not the request it was working on"
            }
            // The next request starts running now. If its caller already gave up (its deadline
            // fired while an earlier request was still running here, so it was not the one to
            // stop), stop it now: nothing else would, and a call that never returns would hold
            // this worker and every request queued behind it forever.
            if let next, next() { terminate(because: "the host stopped waiting for the call") }
            do throws(WorkerProtocolError) {
                if frame.kind == .loaded {
                    pending.deliver(.loaded(try WorkerLoadReply(decoding: frame.payload, file: nil)))
                } else {
                    pending.deliver(.executed(try WorkerExecuteReply(decoding: frame.payload, file: nil)))
                }
            } catch {
                pending.deliver(.died(Death(exit: .unknown, crash: nil, wasRunning: true, killedBecause: nil, protocolError: error.description)))
                return error.description
            }
            return nil
        case .load, .execute:
            return "the worker sent a request frame (\(frame.kind))"
        }
    }

    /// The worker is gone or must go: kill its group, reap it, fail what is unanswered.
    private func die() {
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &status, 0) } while reaped < 0 && errno == EINTR
        let reapedAt = WallClock.monotonicNanoseconds()
        let exit = reaped == pid ? WorkerExit(waitStatus: status) : .unknown
        close(socket)
        let (unanswered, crash, killedBecause, protocolError, stop) = state.withLock { state in
            state.alive = false
            defer { state.unanswered = [] }
            let stop = state.killedAt.map { killedAt in
                WorkerStop(
                    reason: state.killedBecause ?? "",
                    latenessMs: state.killDeadline.map { Double(Int64(bitPattern: killedAt &- $0)) / 1e6 },
                    reapMs: Double(reapedAt &- killedAt) / 1e6)
            }
            return (state.unanswered, state.crash, state.killedBecause, state.protocolError, stop)
        }
        events(self, .died(exit, stopped: stop))
        for (index, request) in unanswered.enumerated() {
            request.pending.deliver(.died(Death(
                exit: exit, crash: crash, wasRunning: index == 0, killedBecause: killedBecause, protocolError: protocolError)))
        }
    }
}

/// How the host stopped a worker: why, how long after the call's deadline it sent the kill
/// (nil without a deadline), and how long from the kill until the worker was reaped.
public struct WorkerStop: Sendable, Equatable {
    public var reason: String
    public var latenessMs: Double?
    public var reapMs: Double
}

/// Runs `body` with `strings` as a NULL-terminated `char *const[]`, valid only inside `body`.
func withCStrings<Result>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result) -> Result {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
