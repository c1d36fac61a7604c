import PluginHostCore
import PluginLoader
import PluginMetadata

/// How a node execution ended.
public enum NodeStatus: String, Sendable, Hashable {
    case success
    case error
    /// Not run, by choice: `onError: skip` after a failure (empty output).
    case skipped
    /// Not run, because something it depends on failed.
    case cancelled
}

/// One attempt at running a node, kept for every retry (Conductor keeps one record per try).
public struct NodeAttempt: Sendable, Hashable {
    /// 1 for the first attempt.
    public var number: Int
    public var status: NodeStatus
    public var errorCode: ProblemCode?
    public var durationMs: Double
    /// Seconds since the Unix epoch.
    public var startedAt: Double
    /// The node type called: the node's own, or its fallback's for attempts made by `onError:
    /// fallback` (whose numbers start again at 1, as the fallback plugin saw them).
    public var nodeType: String?

    public init(number: Int, status: NodeStatus, errorCode: ProblemCode?, durationMs: Double, startedAt: Double) {
        self.init(number: number, status: status, errorCode: errorCode, durationMs: durationMs, startedAt: startedAt, nodeType: nil)
    }

    public init(
        number: Int, status: NodeStatus, errorCode: ProblemCode?, durationMs: Double, startedAt: Double, nodeType: String?
    ) {
        self.number = number
        self.status = status
        self.errorCode = errorCode
        self.durationMs = durationMs
        self.startedAt = startedAt
        self.nodeType = nodeType
    }
}

/// A parameter that does not satisfy the node's schema, located by JSON pointer (the schema
/// validator's own type, so results carry its violations without conversion).
public typealias ParameterViolation = SchemaViolation

/// The outcome of executing one node: a value, never an exception (a plugin's failure is data).
///
/// Field names are a public contract: they are the `exec --json` output shape (README.md,
/// *JSON shapes*).
public struct NodeResult: Sendable {
    public var nodeType: String
    public var status: NodeStatus
    /// The node's output JSON (success), the passed-through input (`continue`), or nil.
    public var output: JSONValue?
    /// One sentence saying what went wrong; nil on success.
    public var error: String?
    public var errorCode: ProblemCode?
    public var durationMs: Double
    /// Every attempt, in order; empty when the plugin was never called.
    public var attempts: [NodeAttempt]
    /// The recovery that produced this result (`fallback`, `skip`, `continue`), if any. A
    /// recovered result keeps ``error`` and ``errorCode`` of the failure it recovered from;
    /// ``status`` says how the node ended.
    public var recoveryApplied: String?
    public var fallbackNodeType: String?
    public var validationErrors: [ParameterViolation]
    /// What the plugin logged through `call->log`.
    public var logs: [String]
    /// Seconds since the Unix epoch.
    public var startedAt: Double
    public var finishedAt: Double
    /// The id passed to the plugin (shared by retries); nil when the plugin was never called.
    /// Kept as the two integers it is made of and made a `String` only when read, so the hot
    /// path does not pay for a string it rarely needs.
    public var executionID: String? {
        get {
            switch executionIdentity {
            case .generated(let id): id.description
            case .text(let text): text
            case nil: nil
            }
        }
        set { executionIdentity = newValue.map(ExecutionIdentity.text) }
    }
    var executionIdentity: ExecutionIdentity?

    /// How a result holds its execution id: as the host made it, or as a caller set it.
    enum ExecutionIdentity: Sendable {
        case generated(ExecutionID)
        case text(String)
    }

    public init(nodeType: String, status: NodeStatus, startedAt: Double) {
        self.nodeType = nodeType
        self.status = status
        self.output = nil
        self.error = nil
        self.errorCode = nil
        self.durationMs = 0
        self.attempts = []
        self.recoveryApplied = nil
        self.fallbackNodeType = nil
        self.validationErrors = []
        self.logs = []
        self.startedAt = startedAt
        self.finishedAt = startedAt
        self.executionIdentity = nil
    }

    /// A failed result that never reached the plugin (lookup, load, init or validation failed).
    public static func failure(
        nodeType: String, code: ProblemCode, message: String, startedAt: Double,
        violations: [ParameterViolation] = []
    ) -> NodeResult {
        var result = NodeResult(nodeType: nodeType, status: .error, startedAt: startedAt)
        result.errorCode = code
        result.error = message
        result.validationErrors = violations
        result.finishedAt = WallClock.now()
        result.durationMs = (result.finishedAt - startedAt) * 1000
        return result
    }

    public var succeeded: Bool { status == .success }

    /// The `exec --json` shape, as a value (``write(to:)`` is its one definition).
    public func json() -> JSONValue {
        var stream = JSONStream()
        write(to: &stream)
        // Our own text, valid JSON by construction; no depth bound beyond the output's own.
        return (try? JSONParser.parse(stream.bytes, maximumDepth: .max)) ?? .null
    }

    /// The `exec --json` shape written into `stream`: members in this order, straight into
    /// bytes (a run document holds one per node, so no tree is built for them).
    public func write(to stream: inout JSONStream) {
        stream.beginObject()
        stream.key("nodeType"); stream.string(nodeType)
        stream.key("status"); stream.string(status.rawValue)
        stream.key("output"); stream.value(output ?? .null)
        stream.key("error"); stream.string(error)
        stream.key("errorCode"); stream.string(errorCode?.rawValue)
        stream.key("durationMs"); stream.double(durationMs.roundedToMicroseconds)
        stream.key("attempts"); stream.integer(Int64(attempts.count))
        stream.key("attemptLog")
        stream.beginArray()
        for attempt in attempts {
            stream.beginObject()
            stream.key("attempt"); stream.integer(Int64(attempt.number))
            stream.key("nodeType"); stream.string(attempt.nodeType ?? nodeType)
            stream.key("status"); stream.string(attempt.status.rawValue)
            stream.key("errorCode"); stream.string(attempt.errorCode?.rawValue)
            stream.key("durationMs"); stream.double(attempt.durationMs.roundedToMicroseconds)
            stream.key("startedAt"); stream.timestamp(attempt.startedAt)
            stream.endObject()
        }
        stream.endArray()
        stream.key("recoveryApplied"); stream.string(recoveryApplied)
        stream.key("fallbackNodeType"); stream.string(fallbackNodeType)
        stream.key("validationErrors")
        stream.beginArray()
        for violation in validationErrors {
            stream.beginObject()
            stream.key("path"); stream.string(violation.path)
            stream.key("message"); stream.string(violation.message)
            stream.endObject()
        }
        stream.endArray()
        stream.key("logs")
        stream.beginArray()
        for line in logs { stream.string(line) }
        stream.endArray()
        stream.key("startedAt"); stream.timestamp(startedAt)
        stream.key("finishedAt"); stream.timestamp(finishedAt)
        stream.key("executionId")
        switch executionIdentity {
        case .generated(let id)?:
            // The 32 hex digits straight from the id's two integers: no String per result.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ExecutionID.length + 1) { buffer in
                id.write(to: buffer.baseAddress!)
                stream.string(ascii: UnsafeBufferPointer(rebasing: buffer[..<ExecutionID.length]))
            }
        case .text(let text)?: stream.string(text)
        case nil: stream.null()
        }
        stream.endObject()
    }
}

extension Double {
    /// Rounds a millisecond figure to microsecond precision for output (no false precision).
    var roundedToMicroseconds: Double { (self * 1000).rounded() / 1000 }
}
