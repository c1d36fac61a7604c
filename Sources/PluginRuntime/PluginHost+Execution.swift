import PluginHostCore
import PluginIsolation
import PluginLoader
import PluginMetadata
import PluginTenancy

/// Node execution: the pipeline the README's "Executing a node" describes, in this order —
///
/// 1. tenant policy (TENANT_UNKNOWN, NODE_TYPE_DISABLED_FOR_TENANT),
/// 2. lookup, loading and initializing the provider on demand (NODE_TYPE_NOT_FOUND, …),
/// 3. data isolation (TENANT_VIOLATION),
/// 4. parameter validation (VALIDATION_FAILED, INVALID_PARAMETERS; EXECUTION_TIMEOUT when it
///    runs past the node's `timeoutMs`, counted from when step 2 found the node type, with the
///    plugin never called);
///
/// a refusal in 1–4 ends the execution at once: it is never retried, never counts against the
/// circuit breaker, and `onError` does not apply (recovery must not hide a policy or a
/// configuration error behind `skip` or `continue`). Then, per attempt:
///
/// 5. the node type's circuit breaker (open: CIRCUIT_OPEN without calling the plugin),
/// 6. the call, under `timeoutMs` (EXECUTION_TIMEOUT, `is_cancelled` turns true); the first
///    attempt gets what validation left of it (``CallDeadline``), each retry a whole one,
/// 7. retries per the RetryPolicy (same execution id, `attempt` counting up, backoff waits on
///    the host clock), then `onError` on a final failure (fail, fallback, skip, continue).
///
/// Every attempt is in `attempts`, every failed attempt in the error metrics, and every
/// execution in the registry statistics and, when the tenant's policy asks, the audit log —
/// audited ahead (`PluginHost+Audit.swift`): a `started` record before any plugin code runs for
/// the execution (before an on-demand load or probe of its plugin, else before step 5 of the
/// first attempt; one per execution, shared by retries and a fallback), and the `finished`
/// record after. If the `started` record cannot be written the plugin is not called and the
/// result is AUDIT_FAILED, never retried and never turned into a success by `onError`.
extension PluginHost {
    /// Executes one node and returns its result whatever happens, blocking the calling thread.
    ///
    /// In process and without a `timeoutMs` the plugin runs on the calling thread, from borrowed
    /// C strings: no thread hop and no allocation for the call (the dispatch benchmark's path).
    /// With a `timeoutMs` each attempt runs on a host-owned thread while the caller waits with a
    /// deadline (a caller that can give its thread up calls on it anyway: ``executeOnLane``). Do
    /// not call this from Swift's cooperative pool for slow nodes: use the async form there.
    public func execute(
        nodeType: String, parameters: JSONValue, input: JSONValue = .array([]), tenant: String? = nil,
        recovery: NodeRecovery = .none, control: ExecutionControl = .none
    ) -> NodeResult {
        guard let result = execute(nodeType: nodeType, parameters: parameters, input: input, tenant: tenant,
                                   recovery: recovery, control: control, replacement: nil)
        else { preconditionFailure("an execution without a lane to give up was handed over") }
        return result
    }

    /// ``execute(nodeType:parameters:input:tenant:recovery:)`` for a caller whose thread is a
    /// host thread it can give up (a workflow lane, started with ``runOnHostThread(_:)``): the
    /// plugin runs on this thread even under a `timeoutMs`, watched by the process's
    /// ``DeadlineWatchdog`` instead of paying a hand-off to another thread and back per call.
    ///
    /// If the time limit passes while the plugin is still running, the watchdog abandons this
    /// thread: a new host thread records the timeout, carries the execution on (retries,
    /// `onError`) and calls `replacement` with the final result; it is the caller's thread from
    /// then on. This call then returns nil once the plugin does return, and the caller must
    /// end its work on this thread without touching what it handed over. Otherwise the result
    /// is returned here and `replacement` is never called. Same pipeline and result as `execute`.
    public func executeOnLane(
        nodeType: String, parameters: JSONValue, input: JSONValue = .array([]), tenant: String? = nil,
        recovery: NodeRecovery = .none, control: ExecutionControl = .none,
        replacement: @escaping @Sendable (NodeResult) -> Void
    ) -> NodeResult? {
        execute(nodeType: nodeType, parameters: parameters, input: input, tenant: tenant, recovery: recovery,
                control: control, replacement: replacement)
    }

    /// The two synchronous entry points: the tenant's policy, then the execution.
    private func execute(
        nodeType: String, parameters: JSONValue, input: JSONValue, tenant: String?, recovery: NodeRecovery,
        control: ExecutionControl, replacement: (@Sendable (NodeResult) -> Void)?
    ) -> NodeResult? {
        let start = WallClock.stamp()
        let policy: TenantPolicy
        switch tenantPolicy(for: tenant) {
        case .success(let resolved): policy = resolved
        case .failure(let problem): return refused(nodeType, Refusal(problem), tenant: tenant, startedAt: start.wall)
        }
        return run(nodeType: nodeType, parameters: parameters, input: input, policy: policy, recovery: recovery,
                   start: start, control: control, replacement: replacement)
    }

    /// Executes one node without ever blocking a thread of Swift's cooperative pool: every
    /// plugin call runs on a host-owned thread while the task awaits it, and backoff waits are
    /// the clock's async sleep. Cancelling the task stops waiting (CANCELLED) and sets the
    /// call's `is_cancelled`. Same pipeline and result as the synchronous form.
    public func execute(
        nodeType: String, parameters: JSONValue, input: JSONValue = .array([]), tenant: String? = nil,
        recovery: NodeRecovery = .none, control: ExecutionControl = .none
    ) async -> NodeResult {
        let start = WallClock.stamp()
        let policy: TenantPolicy
        switch tenantPolicy(for: tenant) {
        case .success(let resolved): policy = resolved
        case .failure(let problem): return refused(nodeType, Refusal(problem), tenant: tenant, startedAt: start.wall)
        }
        let executionID = control.executionID ?? executionIDs.nextID()
        var audit = ExecutionAudit(policy: policy, executionID: executionID)
        var result = await run(nodeType: nodeType, parameters: parameters, input: input, policy: policy,
                               recovery: recovery, executionID: executionID, start: start,
                               cancellation: control.cancellation, audit: &audit)
        auditFinished(&result, policy: policy, executionID: executionID)
        return result
    }

    /// The policy `tenant` runs under now (see ``setPolicy(_:)``). Without a policy file a
    /// request without a tenant shares one prepared unrestricted policy (no allocation).
    func tenantPolicy(for tenant: String?) -> Result<TenantPolicy, Problem> {
        let set = policySet.value
        if set == nil, tenant == nil || tenant == "" { return .success(unrestrictedPolicy) }
        return TenantPolicySet.resolve(set, tenant: tenant)
    }

    // MARK: - Synchronous

    /// One execution under a resolved `policy`: a new execution id, the attempts, and the
    /// audit records when the policy asks for them.
    func run(
        nodeType: String, parameters: JSONValue, input: JSONValue, policy: TenantPolicy, recovery: NodeRecovery,
        start: (monotonic: UInt64, wall: Double), control: ExecutionControl = .none
    ) -> NodeResult {
        guard let result = run(nodeType: nodeType, parameters: parameters, input: input, policy: policy,
                               recovery: recovery, start: start, control: control, replacement: nil)
        else { preconditionFailure("an execution without a lane to give up was handed over") }
        return result
    }

    /// ``run(nodeType:parameters:input:policy:recovery:start:)``; with a `replacement`, on a
    /// lane that may be abandoned (nil returned: the result goes to `replacement`, audited).
    private func run(
        nodeType: String, parameters: JSONValue, input: JSONValue, policy: TenantPolicy, recovery: NodeRecovery,
        start: (monotonic: UInt64, wall: Double), control: ExecutionControl,
        replacement: (@Sendable (NodeResult) -> Void)?
    ) -> NodeResult? {
        let executionID = control.executionID ?? executionIDs.nextID()
        var audit = ExecutionAudit(policy: policy, executionID: executionID)
        let lane = replacement.map { ExecutionLane(replacement: $0, policy: policy, executionID: executionID) }
        let call: PreparedCall
        do {
            call = try admit(nodeType: nodeType, parameters: parameters, input: input, policy: policy,
                             timeoutMs: recovery.timeoutMs, executionID: executionID, cancellation: control.cancellation,
                             audit: &audit)
        } catch {
            var result = refused(nodeType, error, tenant: policy.tenantID, startedAt: start.wall)
            auditFinished(&result, policy: policy, executionID: executionID)
            return result
        }
        guard var result = perform(call, parameters: parameters, input: input, recovery: recovery, start: start,
                                   audit: &audit, lane: lane)
        else { return nil }
        auditFinished(&result, policy: policy, executionID: executionID)
        return result
    }

    /// A fallback: the same execution (id, audit record) with another node type, on the thread
    /// that asked for it (never an abandoned-lane hand-over of its own).
    private func runFallback(
        nodeType: String, parameters: JSONValue, input: JSONValue, policy: TenantPolicy, recovery: NodeRecovery,
        executionID: ExecutionID, cancellation: CancellationFlag?, audit: inout ExecutionAudit?
    ) -> NodeResult {
        let start = WallClock.stamp()
        let call: PreparedCall
        do {
            call = try admit(nodeType: nodeType, parameters: parameters, input: input, policy: policy,
                             timeoutMs: recovery.timeoutMs, executionID: executionID, cancellation: cancellation,
                             audit: &audit)
        } catch {
            return refused(nodeType, error, tenant: policy.tenantID, startedAt: start.wall)
        }
        return perform(call, parameters: parameters, input: input, recovery: recovery, start: start, audit: &audit)
    }

    /// Steps 5–7 of an admitted call on this thread (the call itself too, when it is in process
    /// and has no time limit), after its `started` audit record. `parameters` are the caller's,
    /// for a fallback.
    func perform(
        _ call: PreparedCall, parameters: JSONValue, input: JSONValue, recovery: NodeRecovery,
        start: (monotonic: UInt64, wall: Double), audit: inout ExecutionAudit?
    ) -> NodeResult {
        guard let result = perform(call, parameters: parameters, input: input, recovery: recovery, start: start,
                                   audit: &audit, lane: nil)
        else { preconditionFailure("an execution without a lane to give up was handed over") }
        return result
    }

    /// ``perform(_:parameters:input:recovery:start:audit:)``, on a `lane` that may be given up.
    private func perform(
        _ call: PreparedCall, parameters: JSONValue, input: JSONValue, recovery: NodeRecovery,
        start: (monotonic: UInt64, wall: Double), audit: inout ExecutionAudit?, lane: ExecutionLane?
    ) -> NodeResult? {
        if let refusal = auditStarted(&audit, entry: call.entry) {
            return refused(call.nodeType, refusal, tenant: call.policy.tenantID, startedAt: start.wall)
        }
        let steps = ExecutionSteps(call: call, recovery: recovery, input: input, host: self, start: start)
        return drive(steps, call, parameters: parameters, input: input, recovery: recovery, audit: &audit, lane: lane)
    }

    /// The synchronous driver of ``ExecutionSteps``: performs each step on this thread until
    /// the execution is over. Returns nil when a lane's call outlived its deadline and the
    /// execution went on on a replacement thread (``LaneHandOver``), which delivers the result
    /// through `lane` after driving the rest with this same loop.
    private func drive(
        _ steps: consuming ExecutionSteps, _ call: PreparedCall, parameters: JSONValue, input: JSONValue,
        recovery: NodeRecovery, audit: inout ExecutionAudit?, lane: ExecutionLane?
    ) -> NodeResult? {
        var steps = steps
        while true {
            switch steps.next(cancelled: call.callerCancellation?.isCancelled ?? false) {
            case .attempt(let attempt, let deadline):
                // In process and without a time limit the calling thread makes the call itself.
                if let plugin = call.localPlugin, recovery.timeoutMs == nil {
                    steps.attemptEnded(.returned(call.callHere(plugin, attempt: attempt, cancellation: call.callerCancellation)))
                } else if let plugin = call.localPlugin, let lane, let deadline {
                    // A lane calls under the watchdog, and may be given up (LaneHandOver).
                    let handOver = LaneHandOver(steps: steps, audit: audit, caller: call.callerCancellation)
                    let watch = DeadlineWatchdog.shared.schedule(at: deadline.nanoseconds) { [self] in
                        guard handOver.abandon() else { return }
                        callThreads.run { [self] in
                            var steps = handOver.takeSteps()
                            var audit = handOver.takeAudit()
                            steps.attemptEnded(.timedOut(timeoutMs: deadline.timeoutMs))
                            if let result = drive(steps, call, parameters: parameters, input: input, recovery: recovery,
                                                  audit: &audit, lane: lane) {
                                lane.deliver(result, host: self)
                            }
                        }
                    }
                    let outcome = call.callHere(plugin, attempt: attempt, cancellation: handOver.cancellation)
                    guard handOver.returned() else { return nil }
                    DeadlineWatchdog.shared.cancel(watch)
                    steps = handOver.takeSteps()
                    audit = handOver.takeAudit()
                    steps.attemptEnded(.returned(outcome))
                } else {
                    let waiter = AttemptWaiter(caller: call.callerCancellation)
                    waiter.start(call.request(attempt: attempt), route: call.route, on: callThreads, deadline: deadline)
                    steps.attemptEnded(waiter.wait(until: deadline))
                }
            case .backoff(let nanoseconds):
                configuration.clock.sleep(nanoseconds: nanoseconds)
            case .fallback(let fallbackType, let fallbackRecovery):
                steps.fallbackEnded(runFallback(
                    nodeType: fallbackType, parameters: parameters, input: input, policy: call.policy,
                    recovery: fallbackRecovery, executionID: call.executionID, cancellation: call.callerCancellation,
                    audit: &audit))
            case .finished:
                return steps.result()
            }
        }
    }

    // MARK: - Async

    private func run(
        nodeType: String, parameters: JSONValue, input: JSONValue, policy: TenantPolicy, recovery: NodeRecovery,
        executionID: ExecutionID, start: (monotonic: UInt64, wall: Double), cancellation: CancellationFlag?,
        audit: inout ExecutionAudit?
    ) async -> NodeResult {
        let call: PreparedCall
        do {
            call = try await admitAsync(nodeType: nodeType, parameters: parameters, input: input, policy: policy,
                                        timeoutMs: recovery.timeoutMs, executionID: executionID,
                                        cancellation: cancellation, audit: &audit)
        } catch {
            return refused(nodeType, error, tenant: policy.tenantID, startedAt: start.wall)
        }
        if let refusal = auditStarted(&audit, entry: call.entry) {
            return refused(nodeType, refusal, tenant: policy.tenantID, startedAt: start.wall)
        }
        var steps = ExecutionSteps(call: call, recovery: recovery, input: input, host: self, start: start)
        while true {
            switch steps.next(cancelled: Task.isCancelled || cancellation?.isCancelled == true) {
            case .attempt(let attempt, let deadline):
                // Always on a host-owned thread (or in a worker): never plugin code on the cooperative pool.
                let waiter = AttemptWaiter(caller: cancellation)
                waiter.start(call.request(attempt: attempt), route: call.route, on: callThreads, deadline: deadline)
                steps.attemptEnded(await waiter.wait(until: deadline))
            case .backoff(let nanoseconds):
                await configuration.clock.sleep(nanoseconds: nanoseconds)
            case .fallback(let fallbackType, let fallbackRecovery):
                steps.fallbackEnded(await self.run(
                    nodeType: fallbackType, parameters: parameters, input: input, policy: policy, recovery: fallbackRecovery,
                    executionID: executionID, start: WallClock.stamp(), cancellation: cancellation, audit: &audit))
            case .finished:
                return steps.result()
            }
        }
    }

    // MARK: - Admission (steps 1–4)

    /// ``admit(nodeType:parameters:input:policy:placement:deadline:audit:)`` for the general path,
    /// building the request every attempt sends.
    private func admit(
        nodeType: String, parameters: JSONValue, input: JSONValue, policy: TenantPolicy, timeoutMs: Double?,
        executionID: ExecutionID, cancellation: CancellationFlag?, audit: inout ExecutionAudit?
    ) throws(Refusal) -> PreparedCall {
        let placement = placement(for: policy)
        let deadline = CallDeadline.starting(timeoutMs: timeoutMs)
        let admission = try admit(nodeType: nodeType, parameters: parameters, input: input, policy: policy,
                                  placement: placement, deadline: deadline, audit: &audit)
        return preparedCall(admission, policy: policy, placement: placement, executionID: executionID, deadline: deadline,
                            cancellation: cancellation)
    }

    /// The call `admission` describes, under the host's and the placement's output limits.
    func preparedCall(
        _ admission: consuming Admission, policy: TenantPolicy, placement: (mode: IsolationMode, limits: ResourceLimits),
        executionID: ExecutionID, deadline: CallDeadline?, cancellation: CancellationFlag? = nil
    ) -> PreparedCall {
        let maximumOutputBytes = min(configuration.maximumOutputBytes, placement.limits.outputBytes ?? .max)
        return PreparedCall(
            admission, policy: policy, executionID: executionID, maximumOutputBytes: maximumOutputBytes, deadline: deadline,
            callerCancellation: cancellation)
    }

    /// A call that passed steps 1–4: where it runs, the bytes the plugin receives, and the
    /// node's remembered output (a call that answers the same bytes again is not parsed again).
    struct Admission {
        let entry: NodeEntry
        let route: CallRoute
        let arguments: PreparedCall.Arguments
        let output: NodeEntry.OutputMemo?
    }

    /// Steps 1–4, the one admission of every execution (synchronous and async, in process
    /// and in workers): tenant check → lookup → data isolation → validation.
    ///
    /// The registry lookup comes first because it is pure and lock-free, so a refused node type
    /// is still never loaded, and it makes the tenant check free for a registered node type with
    /// a canonical name under a policy without allow or restrict lists (single-tenant mode).
    /// Only a node type not yet registered goes through the scan report. Under process isolation
    /// the node type comes from the worker registry (its plugin probed, never loaded here) and
    /// the call is routed to the tenant's worker pool.
    ///
    /// Loading or probing a plugin on demand runs its code, so an audited execution writes its
    /// `started` record first (and is refused AUDIT_FAILED, the plugin left alone, if it cannot).
    ///
    /// `deadline` is the execution's ``CallDeadline``, started once the node type is known to
    /// the caller (after any on-demand load, which runs under the init timeout): validation
    /// must finish within it, and the first attempt gets what is left.
    func admit(
        nodeType: String, parameters: JSONValue, input: JSONValue, policy: TenantPolicy,
        placement: (mode: IsolationMode, limits: ResourceLimits), deadline: CallDeadline?, audit: inout ExecutionAudit?
    ) throws(Refusal) -> Admission {
        let isolated = placement.mode == .process
        let registered = isolated ? isolatedRegistry.entry(nodeType) : registry.entry(nodeType)
        let canonical = registered?.hasCanonicalName == true
        if !(policy.allowsEveryCanonicalNodeType && canonical),
           let denied = policy.check(nodeType: nodeType, knownCanonical: canonical) { throw Refusal(denied) }
        let entry: NodeEntry
        if let registered {
            entry = registered
        } else {
            if let refusal = auditBeforeLoading(&audit, nodeType: nodeType) { throw refusal }
            switch isolated ? isolatedEntry(nodeType: nodeType) : resolveUnregistered(nodeType: nodeType) {
            case .success(let resolved): entry = resolved
            case .failure(let problem): throw Refusal(problem)
            }
        }
        let route: CallRoute
        if isolated {
            guard case .worker(let plugin) = entry.registered.provider else {
                throw Refusal(code: .workerUnavailable, message: "\(nodeType) is not registered for worker processes")
            }
            switch workerPool(tenant: policy.tenantID, limits: placement.limits) {
            case .success(let pool): route = .worker(pool, plugin)
            case .failure(let problem): throw Refusal(problem)
            }
        } else {
            route = .inProcess(entry.plugin)
        }
        var checked = parameters
        if policy.dataIsolation == .strict {
            switch policy.isolate(parameters: parameters) {
            case .success(let value): checked = value
            case .failure(let problem): throw Refusal(problem)
            }
        }
        let memos = entry.memos(for: checked)
        switch PreparedCall.validate(
            entry: entry, parameters: checked, input: input, validationCache: validationCache, remembered: memos.parameters,
            deadline: deadline)
        {
        case .success(let arguments): return Admission(entry: entry, route: route, arguments: arguments, output: memos.output)
        case .failure(let refusal): throw refusal
        }
    }

    /// ``admit`` for the async path: loading a plugin on demand runs its `init` (probing it
    /// starts a process), which may take long, so that case moves to a host-owned thread.
    private func admitAsync(
        nodeType: String, parameters: JSONValue, input: JSONValue, policy: TenantPolicy, timeoutMs: Double?,
        executionID: ExecutionID, cancellation: CancellationFlag?, audit: inout ExecutionAudit?
    ) async throws(Refusal) -> PreparedCall {
        let isolated = placement(for: policy).mode == .process
        if policy.isAllowed(nodeType: nodeType), (isolated ? isolatedRegistry : registry).entry(nodeType) == nil {
            if let refusal = auditBeforeLoading(&audit, nodeType: nodeType) { throw refusal }
            let threads = callThreads
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                threads.run { [self] in
                    _ = isolated ? isolatedEntry(nodeType: nodeType) : resolveUnregistered(nodeType: nodeType)
                    continuation.resume()
                }
            }
        }
        return try admit(nodeType: nodeType, parameters: parameters, input: input, policy: policy, timeoutMs: timeoutMs,
                         executionID: executionID, cancellation: cancellation, audit: &audit)
    }

    /// A result for an execution refused before any plugin code ran, counted in the error
    /// metrics (attempt 0: no attempt was made) and the registry statistics.
    func refused(_ nodeType: String, _ refusal: Refusal, tenant: String?, startedAt: Double) -> NodeResult {
        let result = NodeResult.failure(
            nodeType: nodeType, code: refusal.code, message: refusal.message, startedAt: startedAt,
            violations: refusal.violations)
        errorMetrics.recordError(
            nodeType: nodeType, tenant: tenant.flatMap { $0.isEmpty ? nil : $0 }, code: refusal.code,
            message: refusal.message, attempt: 0)
        registry.record(nodeType: nodeType, nanoseconds: UInt64(max(0, result.durationMs) * 1e6), succeeded: false)
        return result
    }
}
