import PluginHostCore
import PluginLoader
import PluginTenancy

/// One node type with its parameters, tenant and recovery, executed many times with different
/// input (`PluginHost.prepare`; embed.h's `ph_node_call`).
///
/// The result of every execution is exactly what ``PluginHost/execute(nodeType:parameters:input:tenant:recovery:)``
/// gives for the same arguments: the same pipeline runs. What a prepared node saves is
/// admission work whose answer cannot have changed: it remembers its last admission (the
/// tenant's resolved policy, the registry entry, where the call runs, the validated parameter
/// bytes) with the version of the tenant policies it was made under, and reuses it while that
/// version is current. Registry entries never change once registered (a node type keeps its
/// first provider), so the policies' version is the only thing that can make it stale; a
/// `setPolicy` makes the next execution admit afresh, checks and all. Input is checked on every
/// execution. An admission is remembered only when it succeeded, so a refusal (an unknown node
/// type, parameters that fail the schema) is decided again each time and is never cached.
public final class PreparedNode: Sendable {
    public let host: PluginHost
    public let nodeType: String
    public let parameters: JSONValue
    public let tenant: String?
    public let recovery: NodeRecovery
    /// The last successful admission, read without a lock.
    private let remembered = PublishedValue<Admitted?>(nil)

    /// An admission and the policy version it holds for.
    private final class Admitted: Sendable {
        let policyVersion: UInt
        let policy: TenantPolicy
        let placement: (mode: IsolationMode, limits: ResourceLimits)
        let entry: NodeEntry
        let route: CallRoute
        let parameterBytes: NulTerminatedUTF8

        init(policyVersion: UInt, policy: TenantPolicy, placement: (mode: IsolationMode, limits: ResourceLimits),
             admission: PluginHost.Admission) {
            self.policyVersion = policyVersion
            self.policy = policy
            self.placement = placement
            entry = admission.entry
            route = admission.route
            parameterBytes = admission.arguments.parameters
        }
    }

    init(host: PluginHost, nodeType: String, parameters: JSONValue, tenant: String?, recovery: NodeRecovery) {
        self.host = host
        self.nodeType = nodeType
        self.parameters = parameters
        self.tenant = tenant
        self.recovery = recovery
    }

    /// Executes the node with `input`, blocking the calling thread (as the synchronous
    /// `PluginHost.execute` does: in process and without `timeoutMs`, on this thread).
    public func execute(input: JSONValue = .array([])) -> NodeResult {
        let start = WallClock.stamp()
        let version = host.policySet.version
        if let admitted = remembered.value, admitted.policyVersion == version {
            let inputBytes: NulTerminatedUTF8
            switch PreparedCall.inputBytes(input) {
            case .success(let bytes): inputBytes = bytes
            case .failure(let refusal):
                return host.refused(nodeType, refusal, tenant: admitted.policy.tenantID, startedAt: start.wall)
            }
            let executionID = host.executionIDs.nextID()
            var audit = ExecutionAudit(policy: admitted.policy, executionID: executionID)
            let admission = PluginHost.Admission(
                entry: admitted.entry, route: admitted.route,
                arguments: PreparedCall.Arguments(parameters: admitted.parameterBytes, input: inputBytes),
                output: admitted.entry.outputMemo)
            let call = host.preparedCall(
                admission, policy: admitted.policy, placement: admitted.placement, executionID: executionID,
                deadline: CallDeadline.starting(timeoutMs: recovery.timeoutMs))
            return finish(host.perform(call, parameters: parameters, input: input, recovery: recovery, start: start, audit: &audit),
                          policy: admitted.policy, executionID: executionID)
        }
        // Admit afresh (first use, or the policies changed), and remember what was admitted.
        let policy: TenantPolicy
        switch host.tenantPolicy(for: tenant) {
        case .success(let resolved): policy = resolved
        case .failure(let problem): return host.refused(nodeType, Refusal(problem), tenant: tenant, startedAt: start.wall)
        }
        let executionID = host.executionIDs.nextID()
        var audit = ExecutionAudit(policy: policy, executionID: executionID)
        let placement = host.placement(for: policy)
        let deadline = CallDeadline.starting(timeoutMs: recovery.timeoutMs)
        let admission: PluginHost.Admission
        do {
            admission = try host.admit(nodeType: nodeType, parameters: parameters, input: input, policy: policy,
                                       placement: placement, deadline: deadline, audit: &audit)
        } catch {
            return finish(host.refused(nodeType, error, tenant: policy.tenantID, startedAt: start.wall),
                          policy: policy, executionID: executionID)
        }
        remembered.set(Admitted(policyVersion: version, policy: policy, placement: placement, admission: admission))
        let call = host.preparedCall(admission, policy: policy, placement: placement, executionID: executionID, deadline: deadline)
        return finish(host.perform(call, parameters: parameters, input: input, recovery: recovery, start: start, audit: &audit),
                      policy: policy, executionID: executionID)
    }

    /// The `finished` audit record when the tenant audits (as `PluginHost.execute` writes it).
    private func finish(_ result: NodeResult, policy: TenantPolicy, executionID: ExecutionID) -> NodeResult {
        var result = result
        host.auditFinished(&result, policy: policy, executionID: executionID)
        return result
    }
}

extension PluginHost {
    /// A ``PreparedNode`` of `nodeType` with `parameters` for `tenant`: nothing is checked
    /// yet; each ``PreparedNode/execute(input:)`` runs the whole pipeline, reusing the last
    /// admission while the tenant policies are unchanged.
    public func prepare(
        nodeType: String, parameters: JSONValue, tenant: String? = nil, recovery: NodeRecovery = .none
    ) -> PreparedNode {
        PreparedNode(host: self, nodeType: nodeType, parameters: parameters, tenant: tenant, recovery: recovery)
    }
}
