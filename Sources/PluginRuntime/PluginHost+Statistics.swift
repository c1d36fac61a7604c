import PluginHostCore
import PluginTenancy

extension PluginHost {
    /// Replaces the tenant policies at run time (nil: single-tenant mode, everything allowed).
    ///
    /// Thread-safe and lock-free for readers: executions that already passed the tenant check
    /// finish under the policies they started with; later ones, and later audit records, use
    /// the new ones. `configuration.policy` keeps the policies the host started with.
    public func setPolicy(_ policy: TenantPolicySet?) {
        policySet.set(policy)
    }

    /// The tenant policies in force now.
    public var policy: TenantPolicySet? { policySet.value }

    /// The `stats` document, printed as is by the CLI and the embedding API:
    ///
    /// ```
    /// { "registry": { "plugins": 2, "nodeTypes": 7,
    ///                 "nodes": { "math.add": NodeStatistics.json(), … } },   // types run so far
    ///   "validationCache": { "hits", "misses", "evictions", "size", "capacity" },
    ///   "circuitBreakers": { "failureThreshold", "coolDownMs",
    ///                        "breakers": [ CircuitBreakerSnapshot.json(), … ] },
    ///   "errors": ErrorMetrics.json(),    // totals, recovery, recentErrors
    ///   "workers": [ { "tenant", "limits", "started", "crashes", "killed", "calls",
    ///                  "batches", "alive", "lastReplacementMs"?,
    ///                  "lastStop"?: { "reason", "afterDeadlineMs"?, "reapMs" } }, … ] }   // one per pool
    /// ```
    ///
    /// `nodes` holds every node type executed at least once (refused ones included, so a
    /// mistyped node type shows up with its errors); breakers appear once their node type is
    /// registered. Keys are sorted, so the output is stable.
    public func statistics() -> JSONValue {
        let cache = validationCache.statistics
        let nodes = registry.statisticsSnapshot().map { (key: $0.nodeType, value: $0.statistics.json()) }
        return [
            "registry": [
                "plugins": .int(Int64(registry.pluginCount)),
                "nodeTypes": .int(Int64(registry.count)),
                "nodes": .object(JSONObject(nodes)),
            ],
            "validationCache": [
                "hits": .int(Int64(cache.hits)),
                "misses": .int(Int64(cache.misses)),
                "evictions": .int(Int64(cache.evictions)),
                "size": .int(Int64(cache.entries)),
                "capacity": .int(Int64(validationCache.capacity)),
            ],
            "circuitBreakers": circuitBreakers.json(),
            "errors": errorMetrics.json(),
            "workers": workerStatistics(),
        ]
    }
}
