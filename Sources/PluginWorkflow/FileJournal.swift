#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore
import PluginRuntime
import Synchronization

/// A run journal as a file of JSON lines (`run --journal FILE`, `run --resume FILE`), one
/// ``JournalEntry`` per line (``JournalEntry/write(to:)``).
///
/// Each append is one `write(2)` of whole lines (one per entry) to a descriptor opened
/// `O_APPEND`, under a lock, so lines never interleave and an entry is in the kernel when
/// ``append(_:)`` returns: a process killed with `kill -9` loses nothing it appended. With
/// `synchronous` each append also `fsync`s (power loss; about a millisecond per append on a
/// disk). A kill in the middle of a write can leave a last line without its newline: opening
/// the journal to resume cuts that torn line off (its entry never returned from `append`; the
/// whole lines before it are entries in order, each valid alone), and any other line that is
/// not an entry makes the journal JOURNAL_INVALID, naming the line.
///
/// The path is opened with `O_NOFOLLOW` and must be a regular file: a symlink planted where a
/// journal is expected is refused, never written through.
public final class FileJournal: ExecutionJournal {
    public let path: String
    private let descriptor: Int32
    private let synchronous: Bool
    private let writing = Mutex<Void>(())

    /// A new journal at `path` for a new run; refuses a file that is already there (a second
    /// run appended to a journal would make it unreadable): resume it, or remove it first.
    public static func create(path: String, synchronous: Bool = false) throws(JournalFailure) -> FileJournal {
        let descriptor = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST
                ? "it already exists; resume that run with --resume \(path), or remove the file to start a new one"
                : String(cString: strerror(errno))
            throw JournalFailure(.journalFailed, "Cannot create the journal \(path): \(reason).")
        }
        return FileJournal(path: path, descriptor: descriptor, synchronous: synchronous)
    }

    /// The journal at `path`, to resume its run: appends go after what is there, once a torn
    /// last line (see the type's documentation) is cut off.
    public static func existing(path: String, synchronous: Bool = false) throws(JournalFailure) -> FileJournal {
        let descriptor = open(path, O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link; give the journal file itself" : String(cString: strerror(errno))
            throw JournalFailure(.journalInvalid, "Cannot open the journal \(path): \(reason).")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw JournalFailure(.journalInvalid, "The journal \(path) is not a regular file.")
        }
        return FileJournal(path: path, descriptor: descriptor, synchronous: synchronous)
    }

    private init(path: String, descriptor: Int32, synchronous: Bool) {
        self.path = path
        self.descriptor = descriptor
        self.synchronous = synchronous
    }

    deinit { close(descriptor) }

    public func append(_ entry: JournalEntry) throws(JournalFailure) {
        try append(contentsOf: [entry])
    }

    /// One `write` (and with `synchronous` one `fsync`) for all of them.
    public func append(contentsOf entries: [JournalEntry]) throws(JournalFailure) {
        var lines: [UInt8] = []
        for entry in entries {
            var stream = JSONStream(capacity: 512)
            entry.write(to: &stream)
            lines += stream.bytes
            lines.append(UInt8(ascii: "\n"))
        }
        let failure: Int32? = writing.withLock { _ in
            let written = lines.withUnsafeBytes { bytes -> Int32? in
                var offset = 0
                while offset < bytes.count {
                    let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if count < 0 {
                        if errno == EINTR { continue }
                        return errno
                    }
                    offset += count
                }
                return nil
            }
            if let written { return written }
            if synchronous, fsync(descriptor) != 0 { return errno }
            return nil
        }
        if let failure {
            throw JournalFailure(.journalFailed, "Cannot append to the journal \(path): \(String(cString: strerror(failure))).")
        }
    }

    public func entries() throws(JournalFailure) -> [JournalEntry] {
        let bytes = try readAll()
        var entries: [JournalEntry] = []
        var lineStart = 0
        var lineNumber = 0
        while lineStart < bytes.count {
            lineNumber += 1
            guard let end = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) else {
                // A torn last line: its append never returned. Cut it off so the next append
                // starts a line of its own.
                _ = writing.withLock { _ in ftruncate(descriptor, off_t(lineStart)) }
                break
            }
            do {
                entries.append(try JournalEntry(line: Array(bytes[lineStart..<end])))
            } catch {
                throw JournalFailure(.journalInvalid, "Line \(lineNumber) of the journal \(path) is not a journal entry: \(error.message)")
            }
            lineStart = end + 1
        }
        return entries
    }

    private func readAll() throws(JournalFailure) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw JournalFailure(.journalInvalid, "Cannot read the journal \(path): \(String(cString: strerror(errno))).")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            offset += off_t(count)
        }
    }
}

extension JournalEntry {
    /// The entry as one JSON object, the file journal's line:
    /// `{"entry":"runStarted","workflow","version","nodes","at"}`,
    /// `{"entry":"nodeStarted","node","executionId"}`, `{"entry":"nodeFinished","node","result"}`
    /// and `{"entry":"compensationFinished","node","result"}` (results in the `exec --json` shape), `{"entry":"runResumed","at"}`,
    /// `{"entry":"runFinished","status","at"}`; times as ISO-8601 UTC.
    public func write(to stream: inout JSONStream) {
        stream.beginObject()
        switch self {
        case .runStarted(let start):
            stream.key("entry"); stream.string("runStarted")
            stream.key("workflow"); stream.string(start.workflowName)
            stream.key("version"); stream.string(start.version)
            stream.key("nodes"); stream.integer(Int64(start.nodeCount))
            stream.key("at"); stream.timestamp(start.startedAt)
        case .nodeStarted(let node, let executionID):
            stream.key("entry"); stream.string("nodeStarted")
            stream.key("node"); stream.string(node)
            stream.key("executionId"); stream.string(executionID.description)
        case .nodeFinished(let node, let result):
            stream.key("entry"); stream.string("nodeFinished")
            stream.key("node"); stream.string(node)
            stream.key("result"); result.write(to: &stream)
        case .compensationFinished(let node, let result):
            stream.key("entry"); stream.string("compensationFinished")
            stream.key("node"); stream.string(node)
            stream.key("result"); result.write(to: &stream)
        case .runResumed(let at):
            stream.key("entry"); stream.string("runResumed")
            stream.key("at"); stream.timestamp(at)
        case .runFinished(let status, let at):
            stream.key("entry"); stream.string("runFinished")
            stream.key("status"); stream.string(status)
            stream.key("at"); stream.timestamp(at)
        }
        stream.endObject()
    }

    /// The entry one JSON line holds (``write(to:)``'s form).
    public init(line: [UInt8]) throws(JournalFailure) {
        let value: JSONValue
        do { value = try JSONParser.parse(line, maximumDepth: .max) } catch {
            throw JournalFailure(.journalInvalid, "not JSON (\(error))")
        }
        func string(_ key: String) throws(JournalFailure) -> String {
            guard case .string(let text)? = value[key] else { throw JournalFailure(.journalInvalid, "`\(key)` must be a string") }
            return text
        }
        func time(_ key: String) throws(JournalFailure) -> Double {
            guard let seconds = WallClock.parseISO8601(try string(key)) else {
                throw JournalFailure(.journalInvalid, "`\(key)` must be a time as YYYY-MM-DDTHH:MM:SS.mmmZ")
            }
            return seconds
        }
        switch try string("entry") {
        case "runStarted":
            guard let nodes = value["nodes"]?.intValue else { throw JournalFailure(.journalInvalid, "`nodes` must be an integer") }
            self = .runStarted(RunStart(
                workflowName: try string("workflow"), version: try string("version"), nodeCount: Int(nodes), startedAt: try time("at")))
        case "nodeStarted":
            guard let id = ExecutionID(try string("executionId")) else {
                throw JournalFailure(.journalInvalid, "`executionId` must be 32 lowercase hex digits")
            }
            self = .nodeStarted(node: try string("node"), executionID: id)
        case "nodeFinished", "compensationFinished":
            let node = try string("node")
            do throws(ResultReadingError) {
                let result = try NodeResult(json: value["result"] ?? .null)
                self = value["entry"] == "nodeFinished" ? .nodeFinished(node: node, result: result) : .compensationFinished(node: node, result: result)
            } catch {
                throw JournalFailure(.journalInvalid, "its result cannot be read: \(error)")
            }
        case "runResumed":
            self = .runResumed(at: try time("at"))
        case "runFinished":
            self = .runFinished(status: try string("status"), at: try time("at"))
        case let other:
            throw JournalFailure(.journalInvalid, "unknown entry \"\(other)\"")
        }
    }
}

/// A workflow file's version for a journal when no store numbers its versions (the CLI):
/// `fnv1a64:` and 16 hex digits of the FNV-1a hash of its bytes. Not a security measure: it
/// only keeps a resume from applying one workflow's results to an edited file.
public enum WorkflowDigest {
    public static func version(of bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - digits.count) + digits
    }
}
