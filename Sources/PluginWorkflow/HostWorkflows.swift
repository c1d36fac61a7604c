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
    /// hears every node start and finish (see ``WorkflowRunner``).
    public func run(
        _ parsed: ParsedWorkflow, concurrency: Int? = nil, tracer: TraceRecorder? = nil,
        progress: (@Sendable (RunProgress) -> Void)? = nil, journaling: RunJournaling? = nil,
        cancellation: CancellationFlag = CancellationFlag(), events: (@Sendable (RunEvent) -> Void)? = nil
    ) async -> WorkflowRunOutcome {
        let report = validate(parsed)
        guard report.valid else { return .refused(report) }
        let executor = HostNodeExecutor(host: host, tenant: tenant, workflow: parsed.workflow)
        do throws(WorkflowValidationReport) {
            let runner = try WorkflowRunner(
                workflow: parsed.workflow, executor: executor, concurrency: concurrency, tracer: tracer, progress: progress,
                journaling: journaling, cancellation: cancellation, events: events)
            return .ran(await runner.run(), validation: report)
        } catch {
            // Unreachable after a clean validation (the runner checks a subset); kept honest.
            return .refused(WorkflowValidationReport(problems: report.problems + error.problems))
        }
    }
}
