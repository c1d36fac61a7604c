import Foundation
import Synchronization
import PluginHostCore
import PluginHostTestSupport
@testable import PluginTenancy
import Testing

@Suite("The audit log: one durable JSON line per execution")
struct AuditLogTests {
    static func success(_ id: String = "exec-1") -> AuditRecord {
        AuditRecord(
            tenant: "acme", nodeType: "math.add", pluginID: "org.example.math", pluginVersion: "1.2.0", status: "success",
            errorCode: nil, durationMs: 0.25, executionID: id, timeMilliseconds: 1_700_000_000_123)
    }

    static func lines(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    static func mode(_ path: String) -> mode_t {
        var status = stat()
        guard stat(path, &status) == 0 else { return 0 }
        return status.st_mode & 0o7777
    }

    @Test("a success record is one line with every field")
    func successRecord() throws {
        let directory = try TemporaryDirectory()
        let log = try AuditLog(path: directory.url("audit.jsonl"))
        #expect(log.append(Self.success()) == nil)
        let lines = try Self.lines(log.path)
        #expect(lines == [#"{"time":"2023-11-14T22:13:20.123Z","tenant":"acme","nodeType":"math.add","pluginId":"org.example.math","pluginVersion":"1.2.0","status":"success","errorCode":null,"durationMs":0.25,"executionId":"exec-1","phase":"finished"}"#])
    }

    @Test("a started record has every field too: status running, no error code or duration, phase started")
    func startedRecord() throws {
        let directory = try TemporaryDirectory()
        let log = try AuditLog(path: directory.url("audit.jsonl"))
        let started = AuditRecord.started(
            tenant: "acme", nodeType: "math.add", pluginID: "org.example.math", pluginVersion: "1.2.0",
            executionID: "exec-1", timeMilliseconds: 1_700_000_000_100)
        #expect(started.phase == .started)
        #expect(log.append(started) == nil)
        #expect(log.append(Self.success()) == nil)
        let lines = try Self.lines(log.path)
        #expect(lines == [
            #"{"time":"2023-11-14T22:13:20.100Z","tenant":"acme","nodeType":"math.add","pluginId":"org.example.math","pluginVersion":"1.2.0","status":"running","errorCode":null,"durationMs":0,"executionId":"exec-1","phase":"started"}"#,
            #"{"time":"2023-11-14T22:13:20.123Z","tenant":"acme","nodeType":"math.add","pluginId":"org.example.math","pluginVersion":"1.2.0","status":"success","errorCode":null,"durationMs":0.25,"executionId":"exec-1","phase":"finished"}"#,
        ])
    }

    @Test("a failure record carries its error code, and absent values are null, not omitted")
    func failureRecord() throws {
        let directory = try TemporaryDirectory()
        let log = try AuditLog(path: directory.url("audit.jsonl"), durability: .none)
        let record = AuditRecord(
            tenant: "acme", nodeType: "http.get", pluginID: nil, pluginVersion: nil, status: "error",
            errorCode: "NODE_TYPE_DISABLED_FOR_TENANT", durationMs: 0, executionID: "exec-2")
        #expect(log.append(record) == nil)
        let line = try #require(try Self.lines(log.path).first)
        let json = try JSONParser.parse(line)
        #expect(json.objectValue?.keys == ["time", "tenant", "nodeType", "pluginId", "pluginVersion", "status", "errorCode", "durationMs", "executionId", "phase"])
        #expect(json["phase"] == "finished")
        #expect(json["status"] == "error")
        #expect(json["errorCode"] == "NODE_TYPE_DISABLED_FOR_TENANT")
        #expect(json["pluginId"] == .null)
        #expect(json["pluginVersion"] == .null)
        #expect(json["nodeType"] == "http.get")
        #expect(json["durationMs"]?.doubleValue == 0)
    }

    @Test("hostile strings stay on one line")
    func hostileStrings() throws {
        let directory = try TemporaryDirectory()
        let log = try AuditLog(path: directory.url("audit.jsonl"), durability: .none)
        var record = Self.success("line\nbreak\r\"quote\"\u{0}")
        record.nodeType = "x\ny"
        #expect(log.append(record) == nil)
        let lines = try Self.lines(log.path)
        #expect(lines.count == 1)
        #expect(try JSONParser.parse(lines[0])["executionId"] == "line\nbreak\r\"quote\"\u{0}")
    }

    @Test("records are appended after what the file already holds")
    func appends() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("audit.jsonl", "{\"earlier\":true}\n", mode: 0o600)
        let log = try AuditLog(path: path)
        #expect(log.append(Self.success("a")) == nil)
        #expect(log.append(Self.success("b")) == nil)
        let lines = try Self.lines(path)
        #expect(lines.count == 3)
        #expect(lines[0] == "{\"earlier\":true}")
        #expect(try lines.dropFirst().map { try JSONParser.parse($0)["executionId"] } == ["a", "b"])
    }

    @Test("the file is created 0600 and missing directories 0700")
    func permissions() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url("state/plugin-host/audit.jsonl")
        let log = try AuditLog(path: path)
        #expect(log.append(Self.success()) == nil)
        #expect(Self.mode(path) == 0o600)
        #expect(Self.mode(directory.url("state")) == 0o700)
        #expect(Self.mode(directory.url("state/plugin-host")) == 0o700)
        #expect(Self.mode(directory.path) == 0o700)  // existing directories are left alone
    }

    // The host used to fchmod an existing log to 0600 (and, through a symlink, whatever file
    // the link named): it must never change the mode of a file it did not create.
    @Test("an existing log keeps its mode and is appended to", arguments: [0o600, 0o640, 0o644] as [mode_t])
    func keepsExistingMode(mode: mode_t) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("audit.jsonl", "{\"earlier\":true}\n", mode: mode)
        let log = try AuditLog(path: path)
        #expect(Self.mode(path) == mode)
        #expect(log.append(Self.success()) == nil)
        #expect(Self.mode(path) == mode)
        #expect(try Self.lines(path).count == 2)
    }

    @Test("an existing log that group or others may write is refused, its mode and content left alone",
          arguments: [0o620, 0o660, 0o602, 0o666] as [mode_t])
    func refusesWritableByOthers(mode: mode_t) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("audit.jsonl", "{\"earlier\":true}\n", mode: mode)
        do {
            _ = try AuditLog(path: path)
            Issue.record("opened a log of mode \(String(mode, radix: 8))")
        } catch {
            #expect(error.code == .auditFailed)
            #expect(error.file == path)
            #expect(error.message.contains(path))
            #expect(error.message.contains("writable by its group or others (mode 0\(String(mode, radix: 8)))"), "\(error.message)")
            #expect(error.message.contains("chmod go-w"))
        }
        #expect(Self.mode(path) == mode)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"earlier\":true}\n")
    }

    @Test("a symbolic link as the log is refused, naming the path; its target is neither written nor chmodded")
    func refusesSymbolicLink() throws {
        let directory = try TemporaryDirectory()
        let target = try directory.write("elsewhere/precious.txt", "precious\n", mode: 0o644)
        let link = directory.url("audit.jsonl")
        #expect(symlink(target, link) == 0)
        do {
            _ = try AuditLog(path: link)
            Issue.record("opened the log through a symbolic link")
        } catch {
            #expect(error.code == .auditFailed)
            #expect(error.file == link)
            #expect(error.message.contains("The audit log \(link) is a symbolic link (to \(target))"), "\(error.message)")
            #expect(error.message.contains("Point the audit log at the real file"))
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
        #expect(Self.mode(target) == 0o644)
    }

    @Test("a dangling symbolic link as the log is refused, and its target is not created")
    func refusesDanglingLink() throws {
        let directory = try TemporaryDirectory()
        let target = directory.url("created-through-link.jsonl")
        let link = directory.url("audit.jsonl")
        #expect(symlink(target, link) == 0)
        #expect(throws: Problem.self) { try AuditLog(path: link) }
        #expect(access(target, F_OK) != 0)
    }

    @Test("a FIFO with a reader and a character device are refused after fstat, without writing to them")
    func refusesSpecialFilesThatOpen() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.url("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)  // so opening for writing succeeds
        try #require(reader >= 0)
        defer { close(reader) }
        for (path, kind) in [(fifo, "a FIFO"), ("/dev/null", "a character device")] {
            do {
                _ = try AuditLog(path: path)
                Issue.record("opened \(path)")
            } catch {
                #expect(error.code == .auditFailed)
                #expect(error.message.contains("\(path) is \(kind), not a regular file"), "\(error.message)")
            }
        }
        #expect(PipeDrain.drain(reader).isEmpty)
    }

    @Test("many threads appending at once produce whole, non-interleaved lines", arguments: [AuditLog.Durability.none, .everyRecord])
    func concurrentAppends(durability: AuditLog.Durability) throws {
        let directory = try TemporaryDirectory()
        let log = try AuditLog(path: directory.url("audit.jsonl"), durability: durability)
        let threads = 8, perThread = durability == .none ? 250 : 25
        let padding = String(repeating: "p", count: 3000)  // lines larger than a pipe's atomic write
        let group = DispatchGroup()
        let failures = Failures()
        for thread in 0..<threads {
            group.enter()
            Thread {
                for index in 0..<perThread {
                    var record = Self.success("t\(thread)-\(index)-\(padding)")
                    record.tenant = "tenant\(thread)"
                    if let problem = log.append(record) { failures.add(problem) }
                }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(failures.count == 0)
        let lines = try Self.lines(log.path)
        #expect(lines.count == threads * perThread)
        var seen = Set<String>()
        for line in lines {
            let json = try JSONParser.parse(line)
            let id = try #require(json["executionId"]?.stringValue)
            #expect(id.hasSuffix(padding))
            let thread = id.split(separator: "-").first.map { String($0.dropFirst()) } ?? ""
            #expect(json["tenant"]?.stringValue == "tenant\(thread)")
            seen.insert(id)
        }
        #expect(seen.count == threads * perThread)
    }

    @Test("a path whose directory cannot be made is AUDIT_FAILED at init")
    func unwritableDirectory() throws {
        let directory = try TemporaryDirectory()
        let blocker = try directory.write("file", "not a directory")
        let path = blocker + "/sub/audit.jsonl"
        #expect(throws: Problem.self) { try AuditLog(path: path) }
        do {
            _ = try AuditLog(path: path)
        } catch {
            #expect(error.code == .auditFailed)
            #expect(error.file == path)
            #expect(error.message.contains("is not a directory"))
        }
    }

    @Test("a directory, a FIFO or an empty path as the log is AUDIT_FAILED at init, without hanging")
    func notAFile() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.url("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [directory.path, fifo, ""] {
            do {
                _ = try AuditLog(path: path)
                Issue.record("opened \(path)")
            } catch {
                #expect(error.code == .auditFailed, "\(path)")
            }
        }
    }

    @Test("a write that fails is AUDIT_FAILED from append, naming the node type")
    func failedWrite() throws {
        let fd = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        let log = AuditLog(adopting: fd, path: "/dev/full", durability: .none)
        let problem = log.append(Self.success())
        #expect(problem?.code == .auditFailed)
        #expect(problem?.node == "math.add")
        #expect(problem?.message.contains("could not be written (No space left on device)") == true)
        // Every later record is reported too, never dropped quietly.
        #expect(log.append(Self.success("again"))?.code == .auditFailed)
    }

    @Test("after a write fails half way, the next record starts on a fresh line")
    func tornLineRecovery() throws {
        // A non-blocking pipe takes part of a record larger than its buffer, then refuses the
        // rest (EAGAIN): a real partial write.
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        defer { close(readEnd) }
        try #require(fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK) == 0)
        let log = AuditLog(adopting: writeEnd, path: "pipe", durability: .none)

        let huge = String(repeating: "x", count: 256 * 1024)
        #expect(log.append(Self.success(huge))?.code == .auditFailed)
        var received = PipeDrain.drain(readEnd)
        #expect(!received.isEmpty && received.count < huge.utf8.count)

        #expect(log.append(Self.success("after")) == nil)
        received += PipeDrain.drain(readEnd)
        let text = String(decoding: received, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)  // the torn line, the whole record, and the empty tail
        #expect(try JSONParser.parse(String(lines[1]))["executionId"] == "after")
        #expect(lines[2].isEmpty)
    }

    @Test("a flush that fails is AUDIT_FAILED from append")
    func failedFlush() throws {
        // /dev/null accepts writes but, being a device, refuses fdatasync (EINVAL).
        let fd = open("/dev/null", O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        let log = AuditLog(adopting: fd, path: "/dev/null", durability: .everyRecord)
        let problem = log.append(Self.success())
        #expect(problem?.code == .auditFailed)
        #expect(problem?.message.contains("could not be flushed to disk") == true)
    }
}

/// Problems collected from several threads.
final class Failures: Sendable {
    private let problems = Locked<[Problem]>([])
    func add(_ problem: Problem) { problems.withLock { $0.append(problem) } }
    var count: Int { problems.withLock { $0.count } }
}
