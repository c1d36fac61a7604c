import Hummingbird
import Logging
import NIOCore
import PluginHostCore
import PluginRuntime
import PluginStore
import Synchronization

/// `plugin-host serve`: where it listens, and the checks before it does.
public struct ServiceConfiguration: Sendable {
    public var host: String
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 8080) {
        self.host = host
        self.port = port
    }

    /// `HOST:PORT` (or `:PORT`, or `[v6]:PORT`) as `--listen` takes it.
    public static func parse(listen text: String) throws(StoreError) -> ServiceConfiguration {
        var host = "127.0.0.1"
        var portText = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw StoreError(.invalidArgument, "--listen \(text): write an IPv6 address as [::1]:8080.")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":") {
            if colon != text.startIndex { host = String(text[..<colon]) }
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65_535).contains(port) else {
            throw StoreError(.invalidArgument, "--listen \(text): give HOST:PORT with a port from 0 to 65535, e.g. 127.0.0.1:8080.")
        }
        return ServiceConfiguration(host: host, port: port)
    }

    /// Whether the address is only reachable from this machine.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Refuses to serve without keys where others could reach it: a server with no tenants
    /// answers every request as its single tenant, which is only safe on loopback.
    public func check(singleTenant: Bool) throws(StoreError) {
        guard singleTenant, !isLoopback else { return }
        throw StoreError(.invalidArgument, """
            The database has no tenants, so this server would answer anyone on \(host):\(port) without a key. \
            Listen on 127.0.0.1 (the default), or create a tenant first: plugin-host tenant add ID.
            """)
    }
}

/// Runs the API until SIGTERM or SIGINT, then stops accepting connections and lets the
/// requests in flight finish (Hummingbird's graceful shutdown) and running executions finish
/// for up to `shutdownGrace`; the execution queue's workers run beside it, and what a previous
/// process accepted and did not finish is queued first. Returns whether every running execution
/// finished; if not, the caller must end the process without stopping the host (its worker
/// processes, its plugins): stopping them would fail the nodes still running, and those
/// failures would be journaled as the executions' results.
public enum ServiceServer {
    public static func run(
        _ state: ServiceState, configuration: ServiceConfiguration, workers: Int, retainDays: Double? = nil,
        shutdownGrace: Duration = .seconds(10), logger: Logger, onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> Bool {
        let queue = ExecutionQueue(state: state, workers: workers, logger: logger)
        let resumed = try await queue.resumeUnfinished()
        if resumed > 0 { logger.info("resuming \(resumed) unfinished executions") }
        let router = ServiceRoutes.router(state, queue: queue)
        // Connections idle for twice the body timeout are closed (Hummingbird's idle timeout),
        // so a client that sends nothing holds nothing for long either.
        let idle = TimeAmount.nanoseconds(Int64(state.bodyTimeout.components.seconds * 2_000_000_000))
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: idle)),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "plugin-host"),
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0.ipAddress ?? configuration.host):\($0.port ?? configuration.port)" }
                onListening(address ?? "\(configuration.host):\(configuration.port)")
            },
            logger: logger)
        let workers = Task { await queue.run() }
        // Hourly, and once at start: finished executions older than the retention go, with
        // their journals and dead letters. Stops with the server.
        let retention = retainDays.map { days in
            Task {
                while !Task.isCancelled {
                    do throws(StoreError) {
                        let purged = try await state.store.purge(finishedBefore: WallClock.now() - days * 86_400)
                        if purged > 0 { logger.info("retention: removed \(purged) executions finished more than \(days) days ago") }
                    } catch {
                        logger.error("retention: \(error.message)")
                    }
                    try? await Task.sleep(nanoseconds: 3_600_000_000_000)
                }
            }
        }
        defer { retention?.cancel() }
        do {
            try await app.runService()   // SIGTERM and SIGINT shut it down gracefully
        } catch {
            queue.stop()
            throw error
        }
        // The server stopped accepting. Queued executions stay queued (committed: the next
        // start runs them); running ones get `shutdownGrace` to finish. Their tasks are not
        // cancelled — that would end them `cancelled` — so what is still running after the
        // grace is left as it is, journaled up to its last finished node, and resumed from
        // there at the next start, exactly as after a crash.
        queue.stop()
        logger.info("shutdown: no longer accepting; \(queue.runningCount) running executions get \(shutdownGrace) to finish")
        // Not a task group: one waits for all its children, and waiting for the workers cannot
        // be cancelled; the first of the two to finish answers.
        let drained = await withCheckedContinuation { (answer: CheckedContinuation<Bool, Never>) in
            let first = FirstAnswer(answer)
            Task { await workers.value; first.give(true) }
            Task { try? await Task.sleep(for: shutdownGrace); first.give(false) }
        }
        if !drained {
            logger.warning("shutdown: \(queue.runningCount) executions still running after \(shutdownGrace) are left to their journals; the next start resumes them")
        }
        return drained
    }
}

/// Resumes a continuation with the first answer given; later ones are dropped.
private final class FirstAnswer: Sendable {
    private let answered = Atomic<Bool>(false)
    private let continuation: CheckedContinuation<Bool, Never>

    init(_ continuation: CheckedContinuation<Bool, Never>) { self.continuation = continuation }

    func give(_ value: Bool) {
        if !answered.exchange(true, ordering: .acquiringAndReleasing) { continuation.resume(returning: value) }
    }
}
