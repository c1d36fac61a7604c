// TEMPORARY — DELETE AT MERGE. Stand-ins for the PluginHost API that wip/runtime is adding
// (execute with recovery, sync and async; statistics()), so this branch compiles against it.
// They only forward to the existing synchronous execute: no retries, no fallback, no timeout.
import PluginHostCore
import PluginRuntime

extension PluginHost {
    /// Shim: ignores `recovery` and runs one attempt.
    public func execute(
        nodeType: String, parameters: JSONValue, input: JSONValue, tenant: String?, recovery: NodeRecovery = .none
    ) -> NodeResult {
        let once: (String, JSONValue, JSONValue, String?) -> NodeResult = self.execute(nodeType:parameters:input:tenant:)
        return once(nodeType, parameters, input, tenant)
    }

    /// Shim: ignores `recovery` and runs one attempt on the calling task's thread.
    public func execute(
        nodeType: String, parameters: JSONValue, input: JSONValue, tenant: String?, recovery: NodeRecovery = .none
    ) async -> NodeResult {
        let once: (String, JSONValue, JSONValue, String?) -> NodeResult = self.execute(nodeType:parameters:input:tenant:)
        return once(nodeType, parameters, input, tenant)
    }

    /// Shim: per node type statistics and the validation cache counters.
    public func statistics() -> JSONValue {
        var nodes = JSONObject()
        for entry in registry.statisticsSnapshot() { nodes[entry.nodeType] = entry.statistics.json() }
        let cache = validationCache.statistics
        return [
            "nodes": .object(nodes),
            "validationCache": [
                "hits": .int(Int64(cache.hits)), "misses": .int(Int64(cache.misses)),
                "evictions": .int(Int64(cache.evictions)), "entries": .int(Int64(cache.entries)),
            ],
        ]
    }
}
