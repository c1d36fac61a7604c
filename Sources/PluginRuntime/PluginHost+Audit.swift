import PluginHostCore
import PluginLoader
import PluginMetadata
import PluginTenancy

extension PluginHost {
    /// Appends the audit record for `result`; a write failure turns the result into AUDIT_FAILED.
    func audit(_ result: inout NodeResult, tenant: String) {
        let node = registry.node(result.nodeType) ?? isolatedRegistry.node(result.nodeType)
        let record = AuditRecord(
            tenant: tenant, nodeType: result.nodeType, pluginID: node?.pluginID,
            pluginVersion: node?.pluginVersion, status: result.status.rawValue,
            errorCode: result.errorCode?.rawValue, durationMs: result.durationMs,
            executionID: result.executionID ?? executionIDs.next().description)
        let outcome: Problem?
        switch auditLog() {
        case .success(let log): outcome = log.append(record)
        case .failure(let problem): outcome = problem
        }
        if let problem = outcome {
            result.status = .error
            result.errorCode = problem.code
            result.error = problem.message
        }
    }

    private func auditLog() -> Result<AuditLog, Problem> {
        let path: String
        switch AuditLog.resolvePath(explicit: configuration.auditLogPath, policySet: policySet.value) {
        case .success(let resolved): path = resolved
        case .failure(let problem): return .failure(problem)
        }
        return state.withLock { state -> Result<AuditLog, Problem> in
            if let log = state.auditLogs[path] { return .success(log) }
            do throws(Problem) {
                let log = try AuditLog(path: path, durability: configuration.auditDurability)
                state.auditLogs[path] = log
                return .success(log)
            } catch {
                return .failure(error)
            }
        }
    }
}
