import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for the tests: a new cluster (`initdb --no-sync`, trust
/// authentication) in a temporary directory, listening on a free loopback port with
/// `fsync=off`, started once per test process (about a second) and stopped when it exits.
/// Each test asks for a database of its own (``database()``).
///
/// Found from Debian's `postgresql` package (`/usr/lib/postgresql/N/bin`) or `initdb` on PATH.
/// When there is none, ``shared`` is the reason, and the PostgreSQL cases are skipped with that
/// message — unless `PLUGIN_HOST_REQUIRE_POSTGRES` is set (CI sets it), when they fail.
public final class PostgresServer: Sendable {
    public let port: Int
    public let directory: String
    private let binaries: String
    /// The user the server runs as: `postgres` when the tests run as root (initdb refuses root).
    private let user: String?
    private let counter = Counter()

    /// The tests' server (`fsync=off`: a test needs no durability), or why there is none.
    public static let shared = start(durable: false)

    /// A new server; `durable`: with fsync and synchronous commits on, as in production (the
    /// benchmarks' load figures).
    public static func start(durable: Bool) -> Result<PostgresServer, TestSupportError> {
        do { return .success(try PostgresServer(durable: durable)) } catch let error as TestSupportError { return .failure(error) } catch {
            return .failure(TestSupportError("\(error)"))
        }
    }

    /// Whether a missing server must fail the tests rather than skip them.
    public static var required: Bool { ProcessInfo.processInfo.environment["PLUGIN_HOST_REQUIRE_POSTGRES"] != nil }

    /// Whether the PostgreSQL cases run: there is a server, or there must be one (then they
    /// fail with the reason). Says once on stderr why they are skipped otherwise.
    public static let runsTests: Bool = {
        if case .failure(let error) = shared, !required {
            FileHandle.standardError.write(Data("note: the PostgreSQL tests are skipped: \(error)\n".utf8))
            return false
        }
        return true
    }()

    private init(durable: Bool) throws {
        guard let binaries = Self.findBinaries() else {
            throw TestSupportError("PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH): install Debian's postgresql package to run the PostgreSQL store tests")
        }
        self.binaries = binaries
        user = getuid() == 0 ? "postgres" : nil
        let scratch = NSTemporaryDirectory() + "/plugin-host-pg.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        directory = scratch
        try FileManager.default.createDirectory(atPath: scratch + "/data", withIntermediateDirectories: true)
        if let user {
            _ = try ProcessRunner.run("/bin/chown", ["-R", "\(user):\(user)", scratch])
        }
        let initdb = try Self.run(user, binaries + "/initdb", ["-D", scratch + "/data", "--no-sync", "-A", "trust", "-U", "postgres", "-E", "UTF8"])
        guard initdb.status == 0 else { throw TestSupportError("initdb failed: \(initdb.stderr)") }
        var lastError = ""
        for _ in 0..<5 {
            let port = Self.freePort()
            let started = try Self.run(user, binaries + "/pg_ctl", [
                "-D", scratch + "/data", "-l", scratch + "/server.log", "-w", "-t", "30", "-o",
                "-p \(port) -k \(scratch) -c listen_addresses=127.0.0.1 -c max_connections=200"
                    + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"),
                "start",
            ])
            if started.status == 0 {
                self.port = port
                // A watcher stops the server and removes its directory once this process is
                // gone, however it ends (exit, crash, kill -9).
                let stop = (user.map { "/usr/sbin/runuser -u \($0) -- " } ?? "") + "'\(binaries)/pg_ctl' -D '\(scratch)/data' -m immediate stop"
                try Self.run(nil, "/bin/bash", ["-c", "nohup bash -c \"while kill -0 \(getpid()) 2>/dev/null; do sleep 0.5; done; \(stop); rm -rf '\(scratch)'\" >/dev/null 2>&1 &"])
                return
            }
            lastError = started.stderr + ((try? String(contentsOfFile: scratch + "/server.log", encoding: .utf8)) ?? "")
        }
        throw TestSupportError("pg_ctl could not start a server: \(lastError)")
    }

    /// A new, empty database and its URL.
    public func database() throws -> String {
        let name = "test_\(counter.next())_\(UInt32.random(in: 0...UInt32.max))"
        let created = try ProcessRunner.run("/usr/bin/env", [
            "psql", "-X", "-q", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-c", "CREATE DATABASE \(name)",
        ])
        guard created.status == 0 else { throw TestSupportError("CREATE DATABASE failed: \(created.stderr)") }
        return url(database: name)
    }

    public func url(database: String) -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Stops the server at once (as a crash would) and starts it again on the same port.
    public func restart(downFor seconds: Double = 0) throws {
        _ = try Self.run(user, binaries + "/pg_ctl", ["-D", directory + "/data", "-m", "immediate", "stop"])
        if seconds > 0 { usleep(UInt32(seconds * 1_000_000)) }
        let started = try Self.run(user, binaries + "/pg_ctl", [
            "-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "30", "start",
        ])
        guard started.status == 0 else { throw TestSupportError("pg_ctl could not restart the server: \(started.stderr)") }
    }

    /// Runs `program` (as `user`) through system(3) with its output in a file, after closing
    /// every descriptor above 2: pg_ctl leaves a server running, which would otherwise keep
    /// whatever this process had open — another test's pipe never reaching end-of-file.
    /// (Foundation's Process is not used: at exit, for the stop, its run-loop thread is gone.)
    @discardableResult
    static func run(_ user: String?, _ program: String, _ arguments: [String]) throws -> ProcessRunner.Result {
        let output = NSTemporaryDirectory() + "/plugin-host-pg-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out"
        defer { unlink(output) }
        let quoted = ([program] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let command = (user.map { "/usr/sbin/runuser -u \($0) -- " } ?? "") + quoted
        let script = "for fd in $(ls /proc/$$/fd); do [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\"; done 2>/dev/null; \(command) >'\(output)' 2>&1 </dev/null"
        let status = system("/bin/bash -c " + "'" + script.replacingOccurrences(of: "'", with: "'\\''") + "'")
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return ProcessRunner.Result(status: status == 0 ? 0 : max(1, status >> 8), stdout: text, stderr: text)
    }

    private static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        for version in versions where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return "\(root)/\(version)/bin"
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/initdb") && FileManager.default.isExecutableFile(atPath: "\(directory)/pg_ctl") {
            return String(directory)
        }
        return nil
    }

    /// A port the kernel just handed out on loopback (free at that moment).
    private static func freePort() -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.withLock { value += 1; return value } }
    }
}
