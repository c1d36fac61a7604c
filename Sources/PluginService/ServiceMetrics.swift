import Foundation
import Hummingbird
import Logging
import PluginHostCore
import PluginRuntime
import Synchronization

/// What `/metrics` reports, in Prometheus' text format: requests by route and status,
/// executions by final status, and node latencies as a histogram. In memory, since the process
/// started (Prometheus computes rates from the counters).
public final class ServiceMetrics: Sendable {
    private struct RequestKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private struct State {
        var requests: [RequestKey: Int] = [:]
        var executions: [String: Int] = [:]
        var latencyBuckets = [Int](repeating: 0, count: ServiceMetrics.latencyBoundsMs.count)
        var latencyCount = 0
        var latencySumMs = 0.0
    }

    /// Upper bounds of the node latency buckets, in milliseconds (then `+Inf`).
    static let latencyBoundsMs: [Double] = [0.1, 0.5, 1, 5, 10, 50, 100, 500, 1000, 5000, 30000]
    private let state = Mutex(State())

    public init() {}

    func recordRequest(method: String, route: String, status: Int) {
        state.withLock { $0.requests[RequestKey(method: method, route: route, status: status), default: 0] += 1 }
    }

    func recordExecution(status: String, nodes: [(name: String, result: NodeResult)]) {
        state.withLock { state in
            state.executions[status, default: 0] += 1
            for node in nodes where !node.result.attempts.isEmpty {
                let ms = node.result.durationMs
                state.latencyCount += 1
                state.latencySumMs += ms
                if let bucket = Self.latencyBoundsMs.firstIndex(where: { ms <= $0 }) { state.latencyBuckets[bucket] += 1 }
            }
        }
    }

    /// The exposition text (format 0.0.4).
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        var lines = [
            "# HELP plugin_host_http_requests_total HTTP requests answered, by method, route and status.",
            "# TYPE plugin_host_http_requests_total counter",
        ]
        for (key, count) in snapshot.requests.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            lines.append(#"plugin_host_http_requests_total{method="\#(key.method)",route="\#(Self.escape(key.route))",status="\#(key.status)"} \#(count)"#)
        }
        lines += ["# HELP plugin_host_executions_total Executions finished, by status.", "# TYPE plugin_host_executions_total counter"]
        for (status, count) in snapshot.executions.sorted(by: { $0.key < $1.key }) {
            lines.append(#"plugin_host_executions_total{status="\#(Self.escape(status))"} \#(count)"#)
        }
        lines += ["# HELP plugin_host_node_duration_milliseconds Node execution time, attempts and recovery included.",
                  "# TYPE plugin_host_node_duration_milliseconds histogram"]
        var cumulative = 0
        for (index, bound) in Self.latencyBoundsMs.enumerated() {
            cumulative += snapshot.latencyBuckets[index]
            lines.append(#"plugin_host_node_duration_milliseconds_bucket{le="\#(bound)"} \#(cumulative)"#)
        }
        lines.append(#"plugin_host_node_duration_milliseconds_bucket{le="+Inf"} \#(snapshot.latencyCount)"#)
        lines.append("plugin_host_node_duration_milliseconds_sum \(snapshot.latencySumMs)")
        lines.append("plugin_host_node_duration_milliseconds_count \(snapshot.latencyCount)")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// Where every answered request ends, errors included: counted for `/metrics` by its route
/// (the pattern, `/v1/workflows/{id}`, never the raw path: one time series per route, not per
/// id) and status, and logged as one structured line (`request` with method, route, path,
/// status, milliseconds, tenant and Hummingbird's request id as metadata, written by
/// ``ServiceLogHandler``).
struct RequestObserver: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        let started = WallClock.monotonicNanoseconds()
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status.code, started: started)
            return response
        } catch {
            record(request, context, status: (error as? any HTTPResponseError)?.status.code ?? 500, started: started)
            throw error
        }
    }

    private func record(_ request: Request, _ context: ServiceContext, status: Int, started: UInt64) {
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(method: request.method.rawValue, route: route, status: status)
        guard context.logger.logLevel <= .info else { return }
        let milliseconds = Double(WallClock.monotonicNanoseconds() - started) / 1e6
        context.logger.info("request", metadata: [
            "method": .string(request.method.rawValue), "route": .string(route), "path": .string(request.uri.path), "status": .string(String(status)),
            "ms": .string(String((milliseconds * 1000).rounded() / 1000)),
            "tenant": .string(context.authenticated.id.flatMap { $0.isEmpty ? nil : $0 } ?? "-"),
        ])
    }
}
