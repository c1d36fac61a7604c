import PluginHostCore

/// The error metrics at one moment, consistent across fields (taken under one lock).
public struct ErrorMetricsSnapshot: Sendable, Hashable {
    public var totalErrors: Int
    public var byCode: [ProblemCode: Int]
    public var byNodeType: [String: Int]
    public var byTenant: [String: Int]
    /// Attempts made after a first one failed.
    public var retries: Int
    public var recoverySuccesses: Int
    public var recoveryFailures: Int
    /// Mean time from a first failure to the eventual success, over successful recoveries; 0 when none.
    public var meanRecoveryMs: Double
    /// The most recent errors, oldest first.
    public var recentErrors: [ErrorRecord]

    /// Recovery episodes finished, successful or not.
    public var recoveryAttempts: Int { recoverySuccesses + recoveryFailures }

    /// The stats JSON: `{"totalErrors", "byCode", "byNodeType", "byTenant", "retries",
    /// "recovery": {"attempts", "successes", "failures", "meanRecoveryMs"}, "recentErrors": [...]}`,
    /// table keys sorted so the output is stable.
    public func json() -> JSONValue {
        func table(_ counts: [String: Int]) -> JSONValue {
            .object(JSONObject(counts.sorted { $0.key < $1.key }.map { (key: $0.key, value: .int(Int64($0.value))) }))
        }
        return [
            "totalErrors": .int(Int64(totalErrors)),
            "byCode": table(Dictionary(uniqueKeysWithValues: byCode.map { ($0.key.rawValue, $0.value) })),
            "byNodeType": table(byNodeType),
            "byTenant": table(byTenant),
            "retries": .int(Int64(retries)),
            "recovery": [
                "attempts": .int(Int64(recoveryAttempts)),
                "successes": .int(Int64(recoverySuccesses)),
                "failures": .int(Int64(recoveryFailures)),
                "meanRecoveryMs": .double(meanRecoveryMs.roundedToMicroseconds),
            ],
            "recentErrors": .array(recentErrors.map { $0.json() }),
        ]
    }
}
