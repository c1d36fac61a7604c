#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore

/// What the audit log keeps about one node execution.
///
/// Every execution ends with one ``Phase/finished`` record, whatever its outcome (a denied or
/// failed execution is exactly what an auditor wants to see). An execution that gets as far as
/// plugin code is audited ahead: a ``Phase/started`` record with the same `executionId` is
/// written (and, by default, flushed) before any of the plugin's code runs for it, and if that
/// record cannot be written the plugin is not called. A `started` record without its `finished`
/// one is an execution the host did not see end (it crashed, or the second write failed).
///
/// The fields are fixed and flat so the log can be read with `jq` or loaded into anything that
/// reads JSON lines; ``json()`` gives the line's content with keys in a stable order: `time`,
/// `tenant`, `nodeType`, `pluginId`, `pluginVersion`, `status`, `errorCode`, `durationMs`,
/// `executionId`, `phase`. Absent values are written as `null`, never omitted, so every line has
/// every key. A `started` record has `status` `running`, `errorCode` `null` and `durationMs` 0.
public struct AuditRecord: Sendable, Hashable {
    /// Which of an execution's records this is (the `phase` key).
    public enum Phase: String, Sendable, Hashable {
        /// Written before any plugin code runs for the execution.
        case started
        /// The outcome, written when the execution is over (the only record of an execution
        /// refused before plugin code).
        case finished
    }

    /// When the record was made: milliseconds since the Unix epoch (UTC), written as ISO 8601.
    public var timeMilliseconds: Int64
    public var tenant: String?
    public var nodeType: String
    /// Nil when no plugin was reached (e.g. the node type is unknown or denied).
    public var pluginID: String?
    public var pluginVersion: String?
    /// The node result status (`success`, `error`, `skipped`); `running` in a `started` record.
    public var status: String
    /// The result's error code, nil on success.
    public var errorCode: String?
    public var durationMs: Double
    /// The id that ties this record to the execution's result and logs, and a `started`
    /// record to its `finished` one.
    public var executionID: String
    public var phase: Phase

    public init(
        tenant: String?, nodeType: String, pluginID: String?, pluginVersion: String?, status: String,
        errorCode: String?, durationMs: Double, executionID: String, phase: Phase = .finished,
        timeMilliseconds: Int64 = AuditRecord.nowMilliseconds()
    ) {
        self.phase = phase
        self.timeMilliseconds = timeMilliseconds
        self.tenant = tenant
        self.nodeType = nodeType
        self.pluginID = pluginID
        self.pluginVersion = pluginVersion
        self.status = status
        self.errorCode = errorCode
        self.durationMs = durationMs
        self.executionID = executionID
    }

    /// The record as a JSON object (one audit line, without the newline).
    public func json() -> JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return .object([
            "time": .string(Self.iso8601(milliseconds: timeMilliseconds)),
            "tenant": optional(tenant),
            "nodeType": .string(nodeType),
            "pluginId": optional(pluginID),
            "pluginVersion": optional(pluginVersion),
            "status": .string(status),
            "errorCode": optional(errorCode),
            "durationMs": .double(durationMs),
            "executionId": .string(executionID),
            "phase": .string(phase.rawValue),
        ])
    }

    /// The record written before an execution's plugin code runs: status `running`, no error
    /// code, no duration yet.
    public static func started(
        tenant: String?, nodeType: String, pluginID: String?, pluginVersion: String?, executionID: String,
        timeMilliseconds: Int64 = AuditRecord.nowMilliseconds()
    ) -> AuditRecord {
        AuditRecord(
            tenant: tenant, nodeType: nodeType, pluginID: pluginID, pluginVersion: pluginVersion, status: "running",
            errorCode: nil, durationMs: 0, executionID: executionID, phase: .started, timeMilliseconds: timeMilliseconds)
    }

    /// Wall-clock milliseconds since the Unix epoch. The corresponding C function is `clock_gettime`.
    public static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// `2026-11-22T04:42:00.123Z` (UTC, millisecond precision): ``WallClock/iso8601(milliseconds:)``,
    /// the host's one timestamp format.
    public static func iso8601(milliseconds: Int64) -> String {
        WallClock.iso8601(milliseconds: milliseconds)
    }
}
