import PluginHostCore
import PluginRuntime
import PluginSDK
import PluginWorkflow

// embed.h: running workflows.

@c @implementation
public func ph_host_run_workflow(
    _ host: OpaquePointer?, _ tenant: UnsafePointer<CChar>?, _ workflowJSON: UnsafePointer<CChar>?,
    _ outResult: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    let result = OutParameter(outResult), error = OutParameter(outError)
    return EmbedCall.run(host, error: error) { handle throws(Problem) -> ph_status in
        let pluginHost = handle.host
        let tenantID = try CText.optionalString(tenant, argument: "tenant")
        // Syntax (invalid UTF-8 included, as the parser reports it) and shape are argument
        // errors; everything past them is the workflow's own validation, parsed from the same
        // bytes by the CLI's code path (which also reports repeated keys). A workflow past the
        // host's input limits is refused like an invalid one (its result lists
        // WORKFLOW_TOO_LARGE or JSON_TOO_DEEP), before it is parsed a second time.
        let workflowJSON = try CText.required(workflowJSON, argument: "workflow_json")
        let workflows = HostWorkflows(host: pluginHost, tenant: tenantID)
        let parsed = workflows.parse(bytes: CText.bytes(workflowJSON))
        let limitCodes: Set<ProblemCode> = [.workflowTooLarge, .jsonTooDeep]
        if !parsed.problems.contains(where: { limitCodes.contains($0.code) }) {
            _ = try CText.json(workflowJSON, argument: "workflow_json", expected: "object", limits: pluginHost.configuration.limits)
        }
        let outcome = BlockingWait.run { await workflows.run(parsed) }
        if result.isWanted {
            var stream = JSONStream(capacity: 1024)
            outcome.write(to: &stream)
            result.set(bytes: stream.bytes)
        }
        if outcome.succeeded { return PH_OK }
        let problem = outcome.problem
        error.set(problem.errorDocument)
        // embed.h: a refused workflow is PH_ERR_INVALID_PARAMETERS whatever its first problem.
        if case .refused = outcome { return PH_ERR_INVALID_PARAMETERS }
        return problem.code.embedStatus
    }
}

extension WorkflowRunOutcome {
    /// Why the workflow did not succeed, for the error document.
    ///
    /// A refused workflow reports its first error (its code, e.g. WORKFLOW_CYCLE, and node) and
    /// how many more there are; nothing ran and the result lists them all. A failed run reports the first
    /// node, in workflow order, that ended in error, with its code: the status then says what
    /// kind of failure stopped the run.
    var problem: Problem {
        switch self {
        case .refused(let report):
            let errors = report.problems.filter { $0.severity == .error }
            let first = errors.first
            let more = errors.count > 1 ? " (and \(errors.count - 1) more; the result lists them all)" : ""
            return Problem(first?.code ?? .workflowInvalid, .error,
                           "the workflow is invalid and was not run: \(first?.message ?? "no detail")\(more)",
                           file: first?.file, node: first?.node)
        case .ran(let run, _):
            if let problem = run.problems.first { return problem }
            // A rollback's outcome is part of the sentence: what failed, and whether it was undone.
            let rolled = run.rollback == nil ? "" : "; the run ended \(run.status.rawValue) (see the result's rollback)"
            guard let failed = run.nodes.first(where: { $0.result.status == .error }) else {
                return Problem(.executionError, .error, "the workflow run \(run.status.rawValue); the result says which nodes did not succeed\(rolled)")
            }
            let reason = failed.result.error ?? "it did not succeed"
            return Problem(failed.result.errorCode ?? .executionError, .error,
                           "node \(failed.name) (\(failed.result.nodeType)) failed: \(reason)\(rolled)", node: failed.name)
        }
    }
}
