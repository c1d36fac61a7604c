import PluginHostCore
import PluginLoader
import PluginRuntime

/// Workflows on a real host: the one entry point the CLI and the embedding API share, so
/// `validate` and `run` mean the same everywhere.
///
/// `run` always validates first and refuses a workflow with any error (nothing executes);
/// warnings do not stop it. Validation reads only the host's scan and policy (no plugin code
/// runs); running loads and initializes the plugins it needs on demand.
public struct HostWorkflows: Sendable {
    public let host: PluginHost
    /// The tenant every node runs for; nil for none (single-tenant mode, or refused with
    /// `TENANT_UNKNOWN` when the host has a policy).
    public let tenant: String?

    public init(host: PluginHost, tenant: String?) {
        self.host = host
        self.tenant = tenant
    }

    /// Parses workflow JSON under the host's input limits (``HostConfiguration/limits``), the
    /// way `validate`, `run` and `ph_host_run_workflow` read a workflow.
    public func parse(bytes: [UInt8]) -> ParsedWorkflow {
        Workflow.parse(bytes: bytes, limits: host.configuration.limits)
    }

    /// Every problem with the workflow at once: shape, graph, node types and tenant policy,
    /// `typeVersion`, parameters, recovery settings.
    ///
    /// A tenant the policy does not know makes every node type unusable; it is reported once
    /// (`TENANT_UNKNOWN`, no node), not once per node.
    public func validate(_ parsed: ParsedWorkflow) -> WorkflowValidationReport {
        let catalog = HostNodeCatalog(host: host, workflow: parsed.workflow)
        var report = WorkflowValidator(catalog: catalog, tenant: tenant).validate(parsed)
        var tenantReported = false
        report.problems = report.problems.compactMap { problem in
            guard problem.code == .tenantUnknown else { return problem }
            if tenantReported { return nil }
            tenantReported = true
            var once = problem
            once.node = nil
            return once
        }
        return report
    }

    /// Validates, then runs every node (independent ones in parallel, up to `concurrency`,
    /// else the workflow's `settings.concurrency`); never throws: failures are data.
    ///
    /// `tracer` records every attempt of every node; `progress` is called after each node
    /// finishes, serially (keep it quick). `journaling` records the run as it goes and, with a
    /// replay, resumes the run it holds; `cancellation` stops the run from outside; `events`
    /// hears every node start and finish (see ``WorkflowRunner``); `input` is what the nodes
    /// without parents get as their input items (an execution's input in the service).
    public func run(
        _ parsed: ParsedWorkflow, concurrency: Int? = nil, tracer: TraceRecorder? = nil,
        progress: (@Sendable (RunProgress) -> Void)? = nil, journaling: RunJournaling? = nil,
        cancellation: CancellationFlag = CancellationFlag(), events: (@Sendable (RunEvent) -> Void)? = nil,
        input: JSONValue = .array([])
    ) async -> WorkflowRunOutcome {
        let report = validate(parsed)
        guard report.valid else { return .refused(report) }
        let executor = HostNodeExecutor(host: host, tenant: tenant, workflow: parsed.workflow)
        do throws(WorkflowValidationReport) {
            let runner = try WorkflowRunner(
                workflow: parsed.workflow, executor: executor, concurrency: concurrency, tracer: tracer, progress: progress,
                journaling: journaling, cancellation: cancellation, events: events, input: input)
            var result = await runner.run()
            // A run refused by its journal ran nothing: there is nothing to undo.
            if !result.problems.contains(where: { $0.code == .journalInvalid }),
               case .success(let strategy) = RollbackStrategy.read(parsed.workflow.settings), strategy != .none {
                let rollback = rollbackRun(
                    workflowName: parsed.workflow.name, concurrency: runner.concurrency, tracer: tracer, journal: journaling?.journal)
                result = result.with(rollback: await rollback.apply(
                    to: result, of: parsed.workflow, strategy: strategy, done: journaling?.replay?.compensations ?? [:]))
                if result.rollback != nil, let journal = journaling?.journal {
                    do throws(JournalFailure) {
                        try journal.append(.runFinished(status: result.status.rawValue, at: WallClock.now()))
                    } catch {
                        result.problems.append(error.problem)
                    }
                }
            }
            return .ran(result, validation: report)
        } catch {
            // Unreachable after a clean validation (the runner checks a subset); kept honest.
            return .refused(WorkflowValidationReport(problems: report.problems + error.problems))
        }
    }

    /// Runs a rollback plan saved from a `manual` run (`plugin-host rollback`): each
    /// compensation through the same pipeline as any node (tenant policy, validation, retries).
    public func rollback(
        _ plan: [PlannedCompensation], unprepared: [(name: String, result: NodeResult)] = [], done: [String: NodeResult] = [:],
        workflowName: String, concurrency: Int, tracer: TraceRecorder? = nil, journal: (any ExecutionJournal)? = nil
    ) async -> RollbackResult {
        await rollbackRun(workflowName: workflowName, concurrency: concurrency, tracer: tracer, journal: journal)
            .run(plan, unprepared: unprepared, done: done)
    }

    private func rollbackRun(workflowName: String, concurrency: Int, tracer: TraceRecorder?, journal: (any ExecutionJournal)?) -> RollbackRun {
        RollbackRun(
            workflowName: workflowName, concurrency: concurrency,
            executor: { [host, tenant] workflow in HostNodeExecutor(host: host, tenant: tenant, workflow: workflow) },
            tracer: tracer, traceLaneOffset: concurrency, journal: journal)
    }
}
