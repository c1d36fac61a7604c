import PluginDiscovery
import PluginHostCore
import PluginLoader
import PluginMetadata
import PluginTenancy

/// The audit trail of one execution for a tenant whose policy has `auditLogging`: nil for
/// every other execution, so an unaudited call pays one nil check.
///
/// Audit ahead: the `started` record is written once per execution, before the first plugin
/// code that runs for it — before its plugin is loaded (or probed for worker processes) on
/// demand, else when admission (tenant check, lookup, data isolation, validation) has passed,
/// before the first attempt. Retries and a fallback share that one record. If it cannot be
/// written the execution ends AUDIT_FAILED without calling the plugin. The `finished` record
/// (``PluginHost/audit(_:tenant:executionID:)``) follows every execution, refusals included.
struct ExecutionAudit {
    let tenant: String
    let executionID: ExecutionID
    /// Whether the `started` record is written.
    fileprivate(set) var started = false

    init?(policy: TenantPolicy, executionID: ExecutionID) {
        guard policy.auditLogging else { return nil }
        tenant = policy.tenantID
        self.executionID = executionID
    }
}

extension PluginHost {
    /// Writes `audit`'s `started` record unless it is written already (or `audit` is nil);
    /// the AUDIT_FAILED refusal when it cannot be written, in which case no plugin code may run.
    func auditStarted(_ audit: inout ExecutionAudit?, nodeType: String, pluginID: String?, pluginVersion: String?) -> Refusal? {
        guard let trail = audit, !trail.started else { return nil }
        let record = AuditRecord.started(
            tenant: trail.tenant, nodeType: nodeType, pluginID: pluginID, pluginVersion: pluginVersion,
            executionID: trail.executionID.description)
        if let problem = append(record) {
            return Refusal(code: problem.code, message: problem.message + " The plugin was not called.")
        }
        audit?.started = true
        return nil
    }

    /// ``auditStarted(_:nodeType:pluginID:pluginVersion:)`` for the node `entry` registers.
    func auditStarted(_ audit: inout ExecutionAudit?, entry: NodeEntry) -> Refusal? {
        guard let trail = audit, !trail.started else { return nil }
        return auditStarted(&audit, nodeType: entry.registered.nodeType, pluginID: entry.registered.pluginID,
                            pluginVersion: entry.registered.pluginVersion)
    }

    /// The `started` record before `nodeType`'s plugin is loaded or probed on demand (its init
    /// is plugin code). Nothing when no plugin declares the node type: that refusal runs no
    /// plugin code and gets only its `finished` record.
    func auditBeforeLoading(_ audit: inout ExecutionAudit?, nodeType: String) -> Refusal? {
        guard let trail = audit, !trail.started, case .found(let plugin, _) = lookup(nodeType: nodeType) else { return nil }
        return auditStarted(&audit, nodeType: nodeType, pluginID: plugin.manifest?.id,
                            pluginVersion: plugin.manifest?.version)
    }

    /// The `finished` record of an execution under `policy`, when the policy audits.
    func auditFinished(_ result: inout NodeResult, policy: TenantPolicy, executionID: ExecutionID) {
        if policy.auditLogging { audit(&result, tenant: policy.tenantID, executionID: executionID) }
    }

    /// Appends the `finished` record for `result`; a write failure turns the result into
    /// AUDIT_FAILED without its output (an execution that had to be audited is never reported
    /// as a success, and its output is not handed out unaudited).
    func audit(_ result: inout NodeResult, tenant: String, executionID: ExecutionID? = nil) {
        let node = registry.node(result.nodeType) ?? isolatedRegistry.node(result.nodeType)
        let record = AuditRecord(
            tenant: tenant, nodeType: result.nodeType, pluginID: node?.pluginID,
            pluginVersion: node?.pluginVersion, status: result.status.rawValue,
            errorCode: result.errorCode?.rawValue, durationMs: result.durationMs,
            executionID: result.executionID ?? (executionID ?? executionIDs.nextID()).description)
        // A result that is AUDIT_FAILED already (its started record failed) keeps its message,
        // which says the plugin was not called.
        if let problem = append(record), result.errorCode != .auditFailed {
            result.status = .error
            result.errorCode = problem.code
            result.error = problem.message
            result.output = nil
            errorMetrics.recordError(
                nodeType: result.nodeType, tenant: tenant.isEmpty ? nil : tenant, code: problem.code,
                message: problem.message, attempt: result.attempts.count)
        }
    }

    /// Appends `record` to the configured sink, else the audit log file; nil when it is
    /// written, else the AUDIT_FAILED problem.
    private func append(_ record: AuditRecord) -> Problem? {
        if let sink = configuration.auditSink { return sink.append(record) }
        switch auditLog() {
        case .success(let log): return log.append(record)
        case .failure(let problem): return problem
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
