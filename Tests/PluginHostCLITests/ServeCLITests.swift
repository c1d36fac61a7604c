import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PluginHostCore
import PluginHostTestSupport
import Testing

/// `plugin-host serve` as a process on a free loopback port: it answers, keys are required once
/// there are tenants, it refuses an open address without them, and SIGTERM stops it cleanly.
@Suite("CLI: serve")
struct ServeCLITests {
    /// Starts `serve` on port 0 with `database` and waits for the line naming its address.
    static func start(database: String, extra: [String] = []) throws -> (process: Process, base: String, stderr: String) {
        let stderr = NSTemporaryDirectory() + "/serve-\(UUID().uuidString).log"
        let server = try ServeProcess(executable: BuildProducts.cli, arguments: ["--database", database] + extra, log: stderr)
        return (server.process, server.base, stderr)
    }


    /// One HTTP request with `curl` (Debian's, always there where the suite runs).
    static func request(_ method: String, _ url: String, key: String? = nil, body: String? = nil) throws -> (status: Int, body: String) {
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", "-X", method, url]
        if let key { arguments += ["-H", "Authorization: Bearer \(key)"] }
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let result = try ProcessRunner.run("/usr/bin/curl", arguments)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test("a live server: health, a workflow stored and read back with a tenant's key, 401 without it, a log line per request, SIGTERM exits 0",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")), .timeLimit(.minutes(2)))
    func live() throws {
        let directory = try TemporaryDirectory(prefix: "serve-cli")
        let database = "sqlite:" + directory.path + "/state.sqlite"
        let added = try CLI.run(["tenant", "add", "acme", "--database", database])
        let key = try #require(added.stdout.split(separator: "\n").last.map(String.init))
        let (process, base, log) = try Self.start(database: database)
        defer { if process.isRunning { process.terminate() } }
        #expect(try Self.request("GET", base + "/healthz").status == 200)
        #expect(try Self.request("GET", base + "/v1/workflows").status == 401)
        let workflow = #"{"name":"adder","nodes":[{"name":"Add","type":"math.add","parameters":{"a":2,"b":3}}]}"#
        let created = try Self.request("POST", base + "/v1/workflows", key: key, body: workflow)
        #expect(created.status == 201, "\(created.body)")
        let id = try JSONParser.parse(created.body)["id"]?.stringValue ?? ""
        let read = try Self.request("GET", base + "/v1/workflows/\(id)", key: key)
        let readName = try JSONParser.parse(read.body)["name"]
        #expect(read.status == 200 && readName == "adder")
        process.terminate()   // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        // Text logs: `TIME info plugin-host.serve: request key=value…`, the tenant named once authenticated.
        let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
        #expect(lines.contains { $0.contains(": request ") && $0.contains("route=/v1/workflows/{id}") && $0.contains("status=200") && $0.contains("tenant=acme") },
                "\(lines)")
        #expect(lines.contains { $0.contains(": request ") && $0.contains("route=/v1/workflows") && $0.contains("status=401") && $0.contains("tenant=-") })
    }

    @Test("without tenants it refuses a non-loopback address, saying what to do")
    func refusesOpenAddressWithoutKeys() throws {
        let directory = try TemporaryDirectory(prefix: "serve-cli-open")
        let result = try CLI.run(["serve", "--listen", "0.0.0.0:0", "--database", "sqlite:" + directory.path + "/state.sqlite"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no tenants") && result.stderr.contains("tenant add"), "\(result.stderr)")
        let bad = try CLI.run(["serve", "--listen", "127.0.0.1:99999", "--database", "sqlite:" + directory.path + "/state.sqlite"])
        #expect(bad.status == 1 && bad.stderr.contains("INVALID_ARGUMENT"))
    }

    @Test("a body that trickles in is cut off with 408 REQUEST_TIMEOUT, the server goes on answering, and logs each request as JSON",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
    func slowBodyTimesOut() throws {
        let directory = try TemporaryDirectory(prefix: "serve-cli-slow")
        let (process, base, log) = try Self.start(
            database: "sqlite:" + directory.path + "/state.sqlite", extra: ["--request-timeout", "1", "--log-format", "json"])
        defer { process.terminate(); process.waitUntilExit() }
        let port = UInt16(base.split(separator: ":").last.flatMap { Int($0) } ?? 0)
        // Headers promising 100 bytes, then 5 of them, then nothing: a slowloris client.
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let head = Array("POST /v1/workflows HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"nam".utf8)
        #expect(head.withUnsafeBytes { write(socket, $0.baseAddress, $0.count) } == head.count)
        let started = Date()
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while !String(decoding: answer, as: UTF8.self).contains("}") {
            let count = chunk.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            answer += chunk[..<count]
        }
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 408"), "\(text)")
        #expect(text.contains(#""code":"REQUEST_TIMEOUT""#), "\(text)")
        #expect(Date().timeIntervalSince(started) < 8, "cut off near the 1 s limit, not at the 10 s read timeout")
        #expect(try Self.request("GET", base + "/healthz").status == 200)
        let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        let requests = lines.filter { $0["message"]?.stringValue == "request" }
        #expect(requests.contains { $0["status"]?.stringValue == "408" && $0["route"]?.stringValue == "/v1/workflows" && $0["method"]?.stringValue == "POST" },
                "\(requests)")
        #expect(requests.contains { $0["status"]?.stringValue == "200" && $0["path"]?.stringValue == "/healthz" && $0["hb.request.id"] != nil })
    }
}

/// A server killed with `kill -9` while executions run resumes them at its next start.
@Suite("CLI: serve survives kill -9")
struct ServeDurabilityTests {
    /// The `--database` of each backend: a SQLite file, and a new database on the tests'
    /// PostgreSQL server when it runs (``PostgresServer/runsTests``).
    static let backends = ["sqlite"] + (PostgresServer.runsTests ? ["postgres"] : [])

    @Test("200 executions of a 10-node workflow, kill -9 in the middle, restart: all succeed, no finished node runs twice",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")), .timeLimit(.minutes(4)), arguments: backends)
    func killAndRestart(_ backend: String) throws {
        let directory = try TemporaryDirectory(prefix: "serve-durable")
        let database = backend == "sqlite" ? "sqlite:" + directory.path + "/state.sqlite" : try PostgresServer.shared.get().database()
        let marker = directory.path + "/marker.log"
        let plugins = try ExecutionPlugins.directory()
        let extra = ["--no-default-plugins", "--plugin-dir", plugins, "--isolation", "none", "--workers", "2"]
        var (process, base, _) = try ServeCLITests.start(database: database, extra: extra)
        defer { if process.isRunning { process.terminate() } }
        let nodes = (0..<10).map { #"{"name":"n\#($0)","type":"hostile.ids","parameters":{"ms":\#($0 == 5 ? 100 : 1),"marker":"\#(marker)"}}"# }
        let connections = (1..<10).map { #""n\#($0 - 1)":{"main":[[{"node":"n\#($0)","type":"main","index":0}]]}"# }
        let workflow = #"{"name":"durable","settings":{"concurrency":1},"nodes":[\#(nodes.joined(separator: ","))],"connections":{\#(connections.joined(separator: ","))}}"#
        let created = try ServeCLITests.request("POST", base + "/v1/workflows", body: workflow)
        #expect(created.status == 201, "\(created.body)")
        let id = try JSONParser.parse(created.body)["id"]?.stringValue ?? ""
        // 200 requests from one curl process (one connection, kept alive): submitted in well under a second.
        let url = base + "/v1/workflows/\(id)/execute"
        let submitted = try ProcessRunner.run("/usr/bin/curl", ["-s", "-w", " %{http_code}\n", "-X", "POST"] + Array(repeating: url, count: 200))
        let answers = submitted.stdout.split(separator: "\n")
        #expect(answers.count == 200 && answers.allSatisfy { $0.hasSuffix(#""status":"queued"} 202"#) }, "\(answers.prefix(3))")
        // Kill it once some executions have finished and most have not.
        let deadline = Date().addingTimeInterval(60)
        while RunJournalCLITests.lines(marker).count < 400, Date() < deadline { usleep(5_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let callsAtKill = RunJournalCLITests.lines(marker).count
        #expect(callsAtKill < 2_000, "the kill came after everything had run")

        (process, base, _) = try ServeCLITests.start(database: database, extra: extra)
        var statuses: [String] = []
        let finish = Date().addingTimeInterval(120)
        repeat {
            usleep(100_000)
            let listed = try ServeCLITests.request("GET", base + "/v1/executions?limit=1000")
            statuses = (try JSONParser.parse(listed.body))["items"]?.arrayValue?.compactMap { $0["status"]?.stringValue } ?? []
        } while statuses.contains(where: { $0 != "success" }) && Date() < finish
        #expect(statuses.count == 200)
        #expect(statuses.allSatisfy { $0 == "success" }, "\(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")

        // Every node call that ran to completion wrote `<attempt> <execution id>`; a node's id
        // repeats only if it was in flight at the kill (2 workers: at most 2 of them).
        var completions: [String: Int] = [:]
        for line in RunJournalCLITests.lines(marker) { completions[String(line.split(separator: " ").last ?? ""), default: 0] += 1 }
        #expect(completions.count == 2_000, "every node of every execution ran")
        let repeated = completions.filter { $0.value > 1 }
        #expect(repeated.count <= 2 && repeated.values.allSatisfy { $0 == 2 }, "\(repeated)")
    }

    @Test("SIGTERM with a node running: serve exits after --shutdown-grace, and the next start finishes the execution without running finished nodes again",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")), .timeLimit(.minutes(2)))
    func shutdownLeavesRunningExecutionsToTheirJournals() throws {
        let directory = try TemporaryDirectory(prefix: "serve-shutdown")
        let database = "sqlite:" + directory.path + "/state.sqlite"
        let marker = directory.path + "/marker.log"
        let extra = ["--no-default-plugins", "--plugin-dir", try ExecutionPlugins.directory(), "--isolation", "none", "--shutdown-grace", "1"]
        var (process, base, _) = try ServeCLITests.start(database: database, extra: extra)
        defer { if process.isRunning { process.terminate() } }
        let nodes = [1, 4_000, 1].enumerated().map { #"{"name":"n\#($0.offset)","type":"hostile.ids","parameters":{"ms":\#($0.element),"marker":"\#(marker)"}}"# }
        let workflow = #"{"name":"slow","nodes":[\#(nodes.joined(separator: ","))],"connections":{"n0":{"main":[[{"node":"n1","type":"main","index":0}]]},"n1":{"main":[[{"node":"n2","type":"main","index":0}]]}}}"#
        let created = try ServeCLITests.request("POST", base + "/v1/workflows", body: workflow)
        let id = try JSONParser.parse(created.body)["id"]?.stringValue ?? ""
        let accepted = try ServeCLITests.request("POST", base + "/v1/workflows/\(id)/execute", body: "{}")
        let execution = try JSONParser.parse(accepted.body)["executionId"]?.stringValue ?? ""
        #expect(accepted.status == 202 && !execution.isEmpty)
        let deadline = Date().addingTimeInterval(30)
        while RunJournalCLITests.lines(marker).isEmpty, Date() < deadline { usleep(5_000) }
        usleep(100_000)   // n1 has started its 4 s
        let stopped = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(Date().timeIntervalSince(stopped) < 3.5, "exited after the 1 s grace, not after the 4 s node")
        #expect(RunJournalCLITests.lines(marker).count == 1, "only n0 had finished")

        (process, base, _) = try ServeCLITests.start(database: database, extra: extra)
        var status = ""
        let finish = Date().addingTimeInterval(60)
        repeat {
            usleep(100_000)
            status = (try? JSONParser.parse(try ServeCLITests.request("GET", base + "/v1/executions/\(execution)").body))?["status"]?.stringValue ?? ""
        } while status != "success" && Date() < finish
        #expect(status == "success")
        let completions = RunJournalCLITests.lines(marker)
        #expect(completions.count == 3 && Set(completions).count == 3, "each node finished once: \(completions)")
    }
}
