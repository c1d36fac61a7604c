#if canImport(Glibc)
import Glibc
#endif
import CPluginWorkerRuntime
import Logging
import PluginDiscovery
import PluginHostCore
import PluginIsolation
import PluginLoader
import PluginMetadata

/// The worker's one thread: read requests, answer each in order, until the host hangs up.
///
/// One call at a time, in the order the host sent them: the host relies on it to know which
/// request a dead worker was running. A reply leaves as soon as it is ready, before the next
/// request starts, so a crash in the next plugin call can never swallow the answer to the one
/// before.
struct WorkerLoop {
    let socket: Int32
    let cpuSecondsPerCall: Int?
    /// Loaded plugins by the host's slot number, or why the slot could not be loaded.
    private var slots: [UInt32: Result<LoadedPlugin, Problem>] = [:]
    private let logger = Logger(label: "plugin-host-worker")
    /// Polls for the next request this many times, yielding the core between polls, before
    /// blocking in `recv` (see ``FrameSocket/receive(into:yields:)``).
    static let yieldsBeforeSleeping = 100

    init(socket: Int32, cpuSecondsPerCall: Int?) {
        self.socket = socket
        self.cpuSecondsPerCall = cpuSecondsPerCall
    }

    mutating func serve() -> Int32 {
        var encoder = FrameEncoder()
        WorkerHello(pid: getpid()).encode(into: &encoder)
        var connection = FrameSocket(descriptor: socket)
        guard connection.send(encoder.bytes) else { return 0 }
        var frames = FrameBuffer()
        // Yield a little before sleeping: the next request of a busy host often follows at once.
        while connection.receive(into: &frames, yields: Self.yieldsBeforeSleeping) {
            do {
                while let frame = try frames.next() {
                    guard answer(frame, on: connection) else { return 0 }
                }
            } catch {
                WorkerMain.report("the host sent a malformed frame (\(error)); exiting")
                return 65
            }
        }
        // The host hung up: shut the plugins down as the in-process host would, and leave.
        PluginLoader.shutdownAll(waitingUpTo: .seconds(1))
        return 0
    }

    /// Answers one request; false when the reply could not be sent (the host is gone).
    private mutating func answer(_ frame: ReceivedFrame, on connection: FrameSocket) -> Bool {
        var encoder = FrameEncoder()
        ph_worker_begin_request(frame.tag)
        switch frame.kind {
        case .load:
            guard let request = try? WorkerLoadRequest(decoding: frame.payload) else { return false }
            let outcome = load(request)
            slots[request.slot] = outcome
            WorkerLoadReply(slot: request.slot, problem: outcome.failure).encode(into: &encoder, tag: frame.tag)
        case .execute:
            guard let request = try? WorkerExecuteRequest(decoding: frame.payload) else { return false }
            execute(request, receivedAt: WallClock.monotonicNanoseconds()).encode(into: &encoder, tag: frame.tag)
        case .hello, .loaded, .result, .crash:
            return false
        }
        return connection.send(encoder.bytes)
    }

    /// Repeats the host's checks of the file, makes sure it is the file the host scanned,
    /// then loads and initializes it.
    private func load(_ request: WorkerLoadRequest) -> Result<LoadedPlugin, Problem> {
        let plugin = request.plugin, path = plugin.path
        let options = ScanOptions(mode: plugin.mode, maximumDepth: 0, allowUnsafePermissions: plugin.allowUnsafePermissions)
        let scanned = Scanner(options: options, cache: nil).scanFile(at: path)
        if let error = scanned.problems.first(where: { $0.severity == .error }) {
            return .failure(error.file == nil ? error.with(file: path) : error)
        }
        guard let identity = scanned.identity, identity.contentStamp == plugin.identity.contentStamp else {
            return .failure(PluginLoader.changedProblem(path, "another file is there now than the one the host scanned"))
        }
        let config = (try? JSONParser.parse(plugin.config)) ?? .object([:])
        // The load itself checks the file it opens against the host's scan (one mechanism, in
        // the worker as in the host): the path may change again after this re-scan.
        // The directory is the one this re-scan's permission check saw (the host's and the
        // worker's scans run with the same options).
        return PluginLoader.load(scanned.inspection, scannedAs: plugin.identity, directory: scanned.directory, logger: logger)
            .flatMap { loaded in loaded.initialize(config: config).map { loaded } }
    }

    private func execute(_ request: WorkerExecuteRequest, receivedAt: UInt64) -> WorkerExecuteReply {
        guard let slot = slots[request.slot] else {
            return WorkerExecuteReply(.notLoaded(Problem(.loadFailed, .error, "the host asked for a plugin it never sent to this worker")))
        }
        let plugin: LoadedPlugin
        switch slot {
        case .success(let loaded): plugin = loaded
        case .failure(let problem): return WorkerExecuteReply(.notLoaded(problem))
        }
        // A batched request whose time ran out while it waited: the host has given up on it.
        if request.remainingNanoseconds > 0, WallClock.monotonicNanoseconds() &- receivedAt >= request.remainingNanoseconds {
            return WorkerExecuteReply(.expired)
        }
        armCPULimit()
        let outcome = plugin.execute(request.request, cancellation: nil)
        return WorkerExecuteReply(.called(outcome, allocationFailed: ph_worker_allocation_failures() > 0))
    }

    /// Sets the soft CPU limit to what this process has used so far plus the per-call
    /// allowance, so each call gets the whole allowance (the kernel counts per process).
    private func armCPULimit() {
        guard let cpuSecondsPerCall, cpuSecondsPerCall > 0 else { return }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        // Rounded up: the kernel checks whole seconds, so a call gets at least its allowance.
        let used = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + 1
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_CPU.rawValue), &limit)
        limit.rlim_cur = rlim_t(used + cpuSecondsPerCall)
        if limit.rlim_max != rlim_t.max, limit.rlim_cur > limit.rlim_max { limit.rlim_cur = limit.rlim_max }
        setrlimit(Int32(RLIMIT_CPU.rawValue), &limit)
    }
}
