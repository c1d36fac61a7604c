import PluginHostCore
import Synchronization

/// What has gone wrong in a host since it started, and how well recovery copes: error totals
/// by code, node type and tenant; recovery episodes and how long they took; and the last 1 000
/// errors in a ring buffer.
///
/// A *recovery episode* is one node execution whose first attempt failed and on which the host
/// tried to recover (retries, then the error strategy). It ends in a success (a retry or the
/// fallback produced a result) or a failure; its recovery time runs from the first failure to
/// the eventual success. Skip and continue are recoveries that succeed at once.
///
/// Thread-safe (one `Mutex`); every operation is O(1) except ``snapshot()``, and memory is
/// bounded: the ring holds `capacity` records whose messages are cut to
/// ``maximumMessageBytes``, and the tables grow only with distinct codes, node types and tenants.
public final class ErrorMetrics: Sendable {
    /// How many recent errors are kept by default.
    public static let defaultCapacity = 1000
    /// Longest message kept per record, in UTF-8 bytes: a plugin may return megabytes of error
    /// text, and a thousand of them must not pin a gigabyte.
    public static let maximumMessageBytes = 512

    private let state: Locked<State>

    struct State {
        var totalErrors = 0
        var byCode: [ProblemCode: Int] = [:]
        var byNodeType: [String: Int] = [:]
        var byTenant: [String: Int] = [:]
        var retries = 0
        var recoverySuccesses = 0
        var recoveryFailures = 0
        var recoveryMsSum: Double = 0
        var recent: RingBuffer<ErrorRecord>
    }

    public init(capacity: Int = ErrorMetrics.defaultCapacity) {
        state = Locked(State(recent: RingBuffer(capacity: capacity)))
    }

    /// Counts one failed attempt and keeps it among the recent errors. Errors without a tenant
    /// count in every total except `byTenant`.
    public func recordError(_ record: ErrorRecord) {
        var kept = record
        kept.message = Self.truncated(record.message)
        state.withLock { state in
            state.totalErrors += 1
            state.byCode[kept.code, default: 0] += 1
            state.byNodeType[kept.nodeType, default: 0] += 1
            if let tenant = kept.tenant { state.byTenant[tenant, default: 0] += 1 }
            state.recent.append(kept)
        }
    }

    /// Counts one failed attempt (``recordError(_:)`` with the fields spelled out).
    public func recordError(
        nodeType: String, tenant: String?, code: ProblemCode, message: String, attempt: Int,
        at time: Double = WallClock.now()
    ) {
        recordError(ErrorRecord(time: time, nodeType: nodeType, tenant: tenant, code: code, message: message, attempt: attempt))
    }

    /// Counts one retry (an attempt after the first).
    public func recordRetry() {
        state.withLock { $0.retries += 1 }
    }

    /// Ends a recovery episode that produced a result, `milliseconds` after its first failure
    /// (negative or NaN durations count as 0).
    public func recordRecoverySuccess(afterMs milliseconds: Double) {
        let duration = milliseconds.isNaN ? 0 : max(0, milliseconds)
        state.withLock { state in
            state.recoverySuccesses += 1
            state.recoveryMsSum += duration
        }
    }

    /// Ends a recovery episode that did not save the node.
    public func recordRecoveryFailure() {
        state.withLock { $0.recoveryFailures += 1 }
    }

    /// A consistent copy of every figure, taken under the lock.
    public func snapshot() -> ErrorMetricsSnapshot {
        state.withLock { state in
            ErrorMetricsSnapshot(
                totalErrors: state.totalErrors, byCode: state.byCode, byNodeType: state.byNodeType,
                byTenant: state.byTenant, retries: state.retries, recoverySuccesses: state.recoverySuccesses,
                recoveryFailures: state.recoveryFailures,
                meanRecoveryMs: state.recoverySuccesses == 0 ? 0 : state.recoveryMsSum / Double(state.recoverySuccesses),
                recentErrors: state.recent.elements
            )
        }
    }

    /// The CLI's stats shape (see ``ErrorMetricsSnapshot/json()``).
    public func json() -> JSONValue { snapshot().json() }

    /// `message` cut to at most ``maximumMessageBytes`` UTF-8 bytes on a character boundary,
    /// with `…` marking the cut.
    static func truncated(_ message: String) -> String {
        guard message.utf8.count > maximumMessageBytes else { return message }
        let budget = maximumMessageBytes - "…".utf8.count
        var used = 0
        var end = message.startIndex
        for index in message.indices {
            let size = message[index].utf8.count
            if used + size > budget { break }
            used += size
            end = message.index(after: index)
        }
        return String(message[..<end]) + "…"
    }
}
