import Foundation
import PluginHostCore
import PluginHostTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `plugin-host serve` under load on loopback, the path users take: the release binary beside
/// the runner, its defaults (process isolation, a worker per core, durable commits), the
/// bundled math plugin, and 50 keep-alive clients of ``HTTPLoadClient``.
///
/// For each backend (a new SQLite file; a new database on a throwaway PostgreSQL cluster,
/// `PostgresServer`, with fsync on): 5 000 executions of a 3-node `math.add` chain accepted
/// (`POST …/execute`, p99 of the accept latency), then the time until every one has finished
/// (`/metrics`), then every accepted execution read back (`GET /v1/executions/{id}`: all
/// `success`, or the row says how many were lost); and 50 000 `GET /v1/workflows/{id}`.
/// Throughputs are shown as time per item (µs = 1e6 / per second) so the ratio column keeps
/// its sense (below 1: faster); the peer is seed 003's claim for its stack (18 500 ops/s, simple
/// GETs in 8–15 ms), a claim quoted, not a run measured here.
struct ServiceLoadBenchmark {
    let workDirectory: String
    static let clients = 50
    static let executionsPerClient = 100
    static let readsPerClient = 1000
    static let claimOpsPerSecond = 18_500.0
    static let claimGetMs = 15.0
    static let claim = "seed 003's claim for its stack (quoted, not measured here)"

    func run(log: (String) -> Void) throws -> [Figure] {
        let executable = buildBesideRunner("plugin-host", log: log)
        let plugins = workDirectory + "/service-plugins"
        _ = try MathHost.compile(source: PackagePaths.root + "/Plugins/math/math.c", into: plugins, log: log)
        var figures: [Figure] = []
        let sqlite = workDirectory + "/service-\(getpid()).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { unlink(sqlite + suffix) } }
        figures += measure("sqlite", database: "sqlite:" + sqlite, executable: executable, plugins: plugins, log: log)
        switch PostgresServer.start(durable: true) {
        case .success(let server):
            figures += measure("postgres", database: (try? server.database()) ?? "", executable: executable, plugins: plugins, log: log)
        case .failure(let reason):
            figures += Self.rows("postgres").map { Figure(name: $0.name, value: nil, unit: $0.unit, goal: $0.goal, meetsGoal: nil, peer: "not measured: \(reason)", peerValue: nil) }
        }
        return figures
    }

    private static func rows(_ backend: String) -> [(name: String, unit: String, goal: String)] {
        [("service.\(backend).execute.completed", "µs/execution", "≤ 1000"), ("service.\(backend).execute.accept.p99", "ms", "≤ 50"),
         ("service.\(backend).get.workflow", "µs/request", "≤ 100"), ("service.\(backend).get.workflow.p99", "ms", "≤ 10")]
    }

    private func measure(_ backend: String, database: String, executable: String, plugins: String, log: (String) -> Void) -> [Figure] {
        do {
            return try measureOrThrow(backend, database: database, executable: executable, plugins: plugins, log: log)
        } catch {
            return Self.rows(backend).map { Figure(name: $0.name, value: nil, unit: $0.unit, goal: $0.goal, meetsGoal: nil, peer: "not measured: \(error)", peerValue: nil) }
        }
    }

    private func measureOrThrow(_ backend: String, database: String, executable: String, plugins: String, log: (String) -> Void) throws -> [Figure] {
        guard access(executable, X_OK) == 0 else {
            throw BenchError("\(executable) missing: swift build -c release --product plugin-host (with the runner's --scratch-path)")
        }
        log("service: serve on \(backend)…")
        // PLUGIN_HOST_BENCH_SERVE adds arguments (e.g. `--workers 64`), to explore settings; the
        // recorded figures use serve's defaults.
        let extra = (ProcessInfo.processInfo.environment["PLUGIN_HOST_BENCH_SERVE"] ?? "").split(separator: " ").map(String.init)
        let server = try ServeProcess(executable: executable, arguments: ["--database", database, "--no-default-plugins", "--plugin-dir", plugins] + extra,
                                      log: workDirectory + "/serve-\(backend).log")
        defer { server.stop() }
        let port = server.port
        let control = try HTTPConnection(port: port)
        let nodes = (1...3).map { #"{"name":"add\#($0)","type":"math.add","parameters":{"a":\#($0),"b":1}}"# }.joined(separator: ",")
        let workflow = #"{"name":"load","nodes":[\#(nodes)],"connections":{"add1":{"main":[[{"node":"add2","type":"main","index":0}]]},"add2":{"main":[[{"node":"add3","type":"main","index":0}]]}}}"#
        let created = try control.request("POST", "/v1/workflows", body: workflow)
        guard created.status == 201, let id = (try? JSONParser.parse(created.body))?["id"]?.stringValue else {
            throw BenchError("creating the workflow answered \(created.status): \(String(decoding: created.body, as: UTF8.self))")
        }
        let finishedBefore = try Self.finishedCount(control)

        log("service: \(Self.clients) clients × \(Self.executionsPerClient) executions on \(backend)…")
        let start = WallClockNanos.now()
        let accepted = try runLoad(port: port, clients: Self.clients, requests: Self.executionsPerClient) { _, _ in
            ("POST", "/v1/workflows/\(id)/execute", "{}", [])
        }
        let ids = accepted.answers.compactMap { answer in
            answer.status == 202 ? (try? JSONParser.parse(answer.body))?["executionId"]?.stringValue : nil
        }
        var finished = 0
        let deadline = WallClockNanos.now() + 300_000_000_000
        repeat {
            finished = try Self.finishedCount(control) - finishedBefore
            if finished < ids.count { usleep(2_000) }
        } while finished < ids.count && WallClockNanos.now() < deadline
        let completedSeconds = Double(WallClockNanos.now() - start) / 1e9
        let perSecond = Double(ids.count) / completedSeconds
        log("service: \(backend): \(ids.count) accepted in \(String(format: "%.2f", accepted.seconds)) s, all finished after \(String(format: "%.2f", completedSeconds)) s: \(Int(perSecond)) executions/s")

        // Nothing lost: every accepted execution is there, finished, `success`.
        let readBack = try runLoad(port: port, clients: Self.clients, requests: (ids.count + Self.clients - 1) / Self.clients) { client, number in
            let index = min(ids.count - 1, client * ((ids.count + Self.clients - 1) / Self.clients) + number)
            return ("GET", "/v1/executions/\(ids[index])", "", [])
        }
        let succeeded = Set(zip(readBack.answers.indices, readBack.answers).compactMap { _, answer -> String? in
            guard answer.status == 200, let document = try? JSONParser.parse(answer.body), document["status"]?.stringValue == "success" else { return nil }
            return document["id"]?.stringValue
        })
        let lost = Set(ids).subtracting(succeeded).count + (Self.clients * Self.executionsPerClient - ids.count)
        let lostNote = lost == 0 ? "" : " — LOST \(lost) of \(Self.clients * Self.executionsPerClient)"

        log("service: \(Self.clients) clients × \(Self.readsPerClient) GET /v1/workflows/{id} on \(backend)…")
        let reads = try runLoad(port: port, clients: Self.clients, requests: Self.readsPerClient) { _, _ in ("GET", "/v1/workflows/\(id)", "", []) }
        guard reads.answers.allSatisfy({ $0.status == 200 }) else { throw BenchError("a GET /v1/workflows/{id} did not answer 200") }
        let readsPerSecond = Double(reads.answers.count) / reads.seconds
        log("service: \(backend): \(Int(readsPerSecond)) GET/s")

        let executionMicros = 1e6 / perSecond, acceptP99 = quantile(accepted.latencies, 0.99)
        let readMicros = 1e6 / readsPerSecond, readP99 = quantile(reads.latencies, 0.99)
        return [
            Figure(name: "service.\(backend).execute.completed", value: executionMicros, unit: "µs/execution", goal: "≤ 1000",
                   meetsGoal: executionMicros <= 1000 && lost == 0, peer: Self.claim + lostNote, peerValue: 1e6 / Self.claimOpsPerSecond),
            Figure(name: "service.\(backend).execute.accept.p99", value: acceptP99, unit: "ms", goal: "≤ 50", meetsGoal: acceptP99 <= 50,
                   peer: nil, peerValue: nil),
            Figure(name: "service.\(backend).get.workflow", value: readMicros, unit: "µs/request", goal: "≤ 100", meetsGoal: readMicros <= 100,
                   peer: Self.claim, peerValue: 1e6 / Self.claimOpsPerSecond),
            Figure(name: "service.\(backend).get.workflow.p99", value: readP99, unit: "ms", goal: "≤ 10", meetsGoal: readP99 <= 10,
                   peer: Self.claim + " (simple GETs 8–15 ms)", peerValue: Self.claimGetMs),
        ]
    }

    /// Executions finished since the server started, from `/metrics`.
    private static func finishedCount(_ connection: HTTPConnection) throws -> Int {
        let text = String(decoding: try connection.request("GET", "/metrics").body, as: UTF8.self)
        return text.split(separator: "\n").filter { $0.hasPrefix("plugin_host_executions_total{") }
            .compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }
}
