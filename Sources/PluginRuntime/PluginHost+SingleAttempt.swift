import PluginHostCore
import PluginLoader
import PluginMetadata
import PluginTenancy

extension NodeRecovery {
    /// One attempt, no time limit, `onError: fail`: nothing for the retry machinery to do, so
    /// the synchronous `execute` takes the straight-line path (``PluginHost/executeOnce``).
    var isSingleAttempt: Bool {
        timeoutMs == nil && retry.maximumAttempts <= 1 && errorHandling.strategy == .fail
    }
}

/// The synchronous single-attempt path (the dispatch benchmark's path: a trivial node's host overhead, goal ≤ 150 ns).
///
/// The same admission as every execution (``PluginHost/admit(nodeType:parameters:input:policy:placement:deadline:audit:)``),
/// and the same refusals, accounting and result as the general path's attempts
/// (``ExecutionSteps``), for the case where there is exactly one attempt and a failure is
/// final, and the tenant does not audit (an audited tenant, like one whose calls run in worker
/// processes, takes the general path, which writes the `started` record before any plugin
/// code); only the bookkeeping of the one attempt is leaner:
///
/// - one monotonic clock read at the start and one after the call (``WallClock/stamp()``
///   derives the wall-clock start from the first); the attempt's duration is therefore the
///   execution's, admission included (a few hundred nanoseconds);
/// - the node's entry lock is taken twice: once for the parameter and output memos, once for
///   the statistics (and a newly parsed output);
/// - the execution id is written into a stack buffer, the tenant and node type are borrowed
///   C strings: the call itself allocates nothing;
/// - output equal to the node's last output is neither copied nor parsed.
extension PluginHost {
    func executeOnce(nodeType: String, parameters: JSONValue, input: JSONValue, tenant: String?) -> NodeResult {
        let (begin, startedAt) = WallClock.stamp()
        let set = policySet.value
        let isolation = configuration.isolation
        if set == nil, tenant == nil || tenant == "", isolation.mode == .none, isolation.limits.outputBytes == nil {
            return executeOnce(nodeType: nodeType, parameters: parameters, input: input, policy: unrestrictedPolicy,
                               begin: begin, startedAt: startedAt)
        }
        switch TenantPolicySet.resolve(set, tenant: tenant) {
        case .success(let policy) where policy.auditLogging || (policy.isolation ?? isolation.mode) == .process
            || (policy.limits?.outputBytes ?? isolation.limits.outputBytes) != nil:
            // Audited tenants (a `started` record before any plugin code, the outcome after: a
            // disk flush each, which dwarfs what this path saves), worker processes, and an
            // output limit below the host's are the general path's business (memory and CPU
            // limits apply only in workers).
            return run(nodeType: nodeType, parameters: parameters, input: input, policy: policy, recovery: .none,
                       startedAt: startedAt)
        case .success(let policy):
            return executeOnce(nodeType: nodeType, parameters: parameters, input: input, policy: policy,
                               begin: begin, startedAt: startedAt)
        case .failure(let problem):
            return refused(nodeType, Refusal(problem), tenant: tenant, startedAt: startedAt)
        }
    }

    /// Never for a policy with `auditLogging` or worker processes (see above).
    private func executeOnce(
        nodeType: String, parameters: JSONValue, input: JSONValue, policy: TenantPolicy, begin: UInt64, startedAt: Double
    ) -> NodeResult {
        assert(!policy.auditLogging, "an audited execution must take the general path")
        var noAudit: ExecutionAudit? = nil
        switch admit(nodeType: nodeType, parameters: parameters, input: input, policy: policy,
                     placement: (IsolationMode.none, ResourceLimits.none), deadline: nil, audit: &noAudit) {
        case .success(let admitted):
            return callOnce(admitted, policy: policy, begin: begin, startedAt: startedAt)
        case .failure(let refusal):
            return refused(nodeType, refusal, tenant: policy.tenantID, startedAt: startedAt)
        }
    }

    /// Steps 5–6 once, then the result, the error metrics, the breaker and the statistics.
    private func callOnce(_ admitted: Admission, policy: TenantPolicy, begin: UInt64, startedAt: Double) -> NodeResult {
        let entry = admitted.entry
        let nodeType = entry.registered.nodeType
        let executionID = executionIDs.nextID()
        var result = NodeResult(nodeType: nodeType, status: .success, startedAt: startedAt)
        result.executionIdentity = .generated(executionID)
        guard let permit = entry.breaker.acquire() else {
            fail(&result, code: .circuitOpen, message: entry.breaker.rejectionMessage(), tenant: policy.tenantID)
            stamp(&result, nanoseconds: WallClock.monotonicNanoseconds() &- begin, entry: entry, output: nil)
            return result
        }
        let outcome = call(admitted, tenantID: policy.tenantID, executionID: executionID)
        let nanoseconds = WallClock.monotonicNanoseconds() &- begin
        var newMemo: NodeEntry.OutputMemo?
        if outcome.status == 0, outcome.outputIsExpected, let known = admitted.output {
            result.output = known.value
        } else if outcome.status == 0, outcome.refusedOutputBytes == nil, let bytes = outcome.output,
                  let value = try? JSONParser.parse(bytes) {
            result.output = value
            if bytes.count <= NodeEntry.outputMemoLimit { newMemo = NodeEntry.OutputMemo(bytes: bytes, value: value) }
        } else {
            let interpretation = RecoveryRun.interpret(
                .returned(outcome), entry: entry, maximumOutputBytes: configuration.maximumOutputBytes)
            if let code = interpretation.code {
                fail(&result, code: code, message: interpretation.message ?? "", tenant: policy.tenantID)
            } else {
                result.output = interpretation.output
            }
        }
        result.logs = RecoveryRun.logLines(outcome.logs)
        result.attempts = [NodeAttempt(
            number: 1, status: result.status, errorCode: result.errorCode, durationMs: Double(nanoseconds) / 1e6,
            startedAt: startedAt)]
        permit.record(errorCode: result.errorCode)
        stamp(&result, nanoseconds: nanoseconds, entry: entry, output: newMemo)
        return result
    }

    /// The plugin call from borrowed C strings; the execution id lives on this stack frame.
    private func call(_ admitted: Admission, tenantID: String, executionID: ExecutionID) -> PluginCallOutcome {
        let entry = admitted.entry
        let maximumOutputBytes = configuration.maximumOutputBytes
        return entry.nodeType.withCString { nodeType, _ in
            admitted.arguments.parameters.withCString { params, paramsLength in
                admitted.arguments.input.withCString { input, inputLength in
                    tenantID.withCString { tenant in
                        executionID.withCString { id in
                            let pointers = PluginCallPointers(
                                nodeType: nodeType, params: params, paramsLength: paramsLength, input: input,
                                inputLength: inputLength, tenantID: tenant, executionID: id,
                                maximumOutputBytes: maximumOutputBytes)
                            guard let expected = admitted.output else {
                                return entry.plugin.execute(pointers, cancellation: nil)
                            }
                            return expected.bytes.withUnsafeBytes { bytes in
                                entry.plugin.execute(pointers, expectedOutput: bytes, cancellation: nil)
                            }
                        }
                    }
                }
            }
        }
    }

    /// A final failure: the result's error and one record in the error metrics (attempt 1).
    private func fail(_ result: inout NodeResult, code: ProblemCode, message: String, tenant: String) {
        result.status = .error
        result.errorCode = code
        result.error = message
        result.output = nil
        errorMetrics.recordError(
            nodeType: result.nodeType, tenant: tenant.isEmpty ? nil : tenant, code: code, message: message, attempt: 1)
    }

    /// Sets the end time and duration and records the execution in the statistics.
    private func stamp(_ result: inout NodeResult, nanoseconds: UInt64, entry: NodeEntry, output: NodeEntry.OutputMemo?) {
        result.durationMs = Double(nanoseconds) / 1e6
        result.finishedAt = result.startedAt + Double(nanoseconds) / 1e9
        entry.record(nanoseconds: nanoseconds, succeeded: result.succeeded, output: output)
    }
}
