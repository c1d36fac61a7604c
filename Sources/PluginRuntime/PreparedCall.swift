import PluginHostCore
import PluginIsolation
import PluginLoader
import PluginMetadata
import PluginTenancy

/// Where an attempt's plugin call runs.
enum CallRoute: Sendable {
    /// In this process, on a host-owned thread or the caller's.
    case inProcess(LoadedPlugin)
    /// In one of the pool's worker processes, which loads the plugin's files.
    case worker(WorkerPool, IsolatedPlugin)

    /// The limits of the worker processes; nil in process.
    var workerLimits: ResourceLimits? {
        if case .worker(let pool, _) = self { return pool.launch.limits }
        return nil
    }
}

/// A node execution that passed every check that comes before plugin code (tenant policy,
/// lookup, data isolation, validation): what each attempt sends, and where.
///
/// Nothing per attempt is built ahead: a call made on the calling thread
/// (``callHere(_:attempt:)``) borrows every string as a C pointer (the execution id is written
/// on the stack), so the attempt allocates nothing; only a call handed to another thread or a
/// worker process builds an owned ``PluginCallRequest`` (``request(attempt:)``).
///
/// A class, so the admission result, the attempt loop and its recovery state share one
/// reference: as a struct its dozen reference-counted fields were copied and destroyed several
/// times per call (callgrind: ~2 800 instructions of a trivial node's ~15 000).
final class PreparedCall: Sendable {
    let entry: NodeEntry
    let route: CallRoute
    /// The route's plugin when it is in process, read once (matching on `route` copies the enum).
    let localPlugin: LoadedPlugin?
    let policy: TenantPolicy
    let arguments: Arguments
    let executionID: ExecutionID
    /// The largest output a plugin may hand over for this call (host and tenant limits).
    let maximumOutputBytes: Int
    /// The node's last output: an attempt that answers the same bytes is neither copied nor parsed.
    let expectedOutput: NodeEntry.OutputMemo?
    /// The execution's time limit, shared by validation and the first attempt (nil: none).
    let deadline: CallDeadline?
    /// The caller's way to stop the execution from outside (a workflow run's cancel): every
    /// attempt's `is_cancelled` answers to it, and no retry or fallback starts once it is set.
    let callerCancellation: CancellationFlag?

    var nodeType: String { entry.registered.nodeType }

    /// The time limit of attempt `attempt`: the execution's own deadline for the first (so
    /// validation and that attempt together stay within `timeoutMs`), a fresh `timeoutMs` from
    /// now for each retry.
    func deadline(attempt: Int, timeoutMs: Double?) -> CallDeadline? {
        attempt == 1 ? deadline : CallDeadline.starting(timeoutMs: timeoutMs)
    }

    /// Attempt `attempt` as an owned request, for a call made on another thread or in a worker.
    func request(attempt: Int) -> PluginCallRequest {
        PluginCallRequest(
            nodeType: entry.nodeType, params: arguments.parameters, input: arguments.input,
            tenantID: policy.tenantID.isEmpty ? .empty : NulTerminatedUTF8(policy.tenantID),
            executionID: executionID.text, attempt: UInt32(clamping: attempt), maximumOutputBytes: maximumOutputBytes)
    }

    /// Attempt `attempt` on the calling thread, from borrowed C strings. `cancellation` is the
    /// flag `is_cancelled` reads: the caller's (``callerCancellation``, often nil) for a call with
    /// no time limit, the ``LaneHandOver``'s (whose parent is the caller's) for a lane's call
    /// under the watchdog. The plugin is told the expected
    /// output, so answering it again is not copied (``PluginCallOutcome/outputIsExpected``).
    func callHere(_ plugin: LoadedPlugin, attempt: Int, cancellation: CancellationFlag? = nil) -> PluginCallOutcome {
        let maximumOutputBytes = maximumOutputBytes
        return entry.nodeType.withCString { nodeType, _ in
            arguments.parameters.withCString { params, paramsLength in
                arguments.input.withCString { input, inputLength in
                    policy.tenantID.withCString { tenant in
                        executionID.withCString { id in
                            let pointers = PluginCallPointers(
                                nodeType: nodeType, params: params, paramsLength: paramsLength, input: input,
                                inputLength: inputLength, tenantID: tenant, executionID: id,
                                attempt: UInt32(clamping: attempt), maximumOutputBytes: maximumOutputBytes)
                            guard let expected = expectedOutput else {
                                return plugin.execute(pointers, cancellation: cancellation)
                            }
                            return expected.bytes.withUnsafeBytes { bytes in
                                plugin.execute(pointers, expectedOutput: bytes, cancellation: cancellation)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The call `admission` describes.
    init(_ admission: consuming PluginHost.Admission, policy: TenantPolicy, executionID: ExecutionID, maximumOutputBytes: Int,
         deadline: CallDeadline?, callerCancellation: CancellationFlag?) {
        entry = admission.entry
        route = admission.route
        if case .inProcess(let plugin) = admission.route { localPlugin = plugin } else { localPlugin = nil }
        arguments = admission.arguments
        expectedOutput = admission.output
        self.policy = policy
        self.executionID = executionID
        self.maximumOutputBytes = maximumOutputBytes
        self.deadline = deadline
        self.callerCancellation = callerCancellation
    }

    /// The bytes a plugin receives for a validated call.
    struct Arguments: Sendable {
        var parameters: NulTerminatedUTF8
        var input: NulTerminatedUTF8
    }

    /// The bytes sent for `input`, which must be an array of items (INVALID_PARAMETERS otherwise).
    static func inputBytes(_ input: JSONValue) -> Result<NulTerminatedUTF8, Refusal> {
        guard case .array(let items) = input else {
            return .failure(Refusal(
                code: .invalidParameters, message: "input must be a JSON array of items, not \(input.typeName)"))
        }
        return .success(items.isEmpty ? .emptyArray : NulTerminatedUTF8(bytes: JSONWriter.bytes(input)))
    }

    /// Checks `parameters` (already isolated) and `input` and turns them into the bytes sent:
    /// the schema's verdict with its defaults filled in, or `remembered`, the node's memo for
    /// these exact parameters (``NodeEntry/memos(for:)``), when they validated last time.
    ///
    /// `deadline` bounds the schema walk: past it the refusal is EXECUTION_TIMEOUT, the plugin
    /// is never called and nothing is remembered. Like every refusal before plugin code it is
    /// not retried (the same parameters would take as long again) and `onError` does not apply.
    static func validate(
        entry: NodeEntry, parameters: JSONValue, input: JSONValue, validationCache: ValidationCache,
        remembered: NulTerminatedUTF8?, deadline: CallDeadline?
    ) -> Result<Arguments, Refusal> {
        let nodeType = entry.registered.nodeType
        guard case .object = parameters else {
            return .failure(Refusal(
                code: .validationFailed, message: "parameters must be a JSON object, not \(parameters.typeName)",
                violations: [ParameterViolation(path: "", message: "expected an object")]))
        }
        let inputBytes: NulTerminatedUTF8
        switch Self.inputBytes(input) {
        case .success(let bytes): inputBytes = bytes
        case .failure(let refusal): return .failure(refusal)
        }
        if let remembered {
            return .success(Arguments(parameters: remembered, input: inputBytes))
        }
        var validated = parameters
        switch entry.schema {
        case .failure(let problem): return .failure(Refusal(code: problem.code, message: problem.message))
        case .success(nil): break
        case .success(let schema?):
            // Before any plugin code runs: every violation at once, defaults filled in.
            let outcome: ValidationCache.Outcome
            do {
                outcome = try validationCache.validated(
                    nodeType: nodeType, parameters: parameters, schema: schema, deadline: deadline?.nanoseconds)
            } catch {
                return .failure(Refusal(validationOutOfTime: nodeType, timeoutMs: deadline?.timeoutMs ?? 0))
            }
            guard outcome.violations.isEmpty else {
                let first = outcome.violations[0]
                let more = outcome.violations.count > 1 ? " (and \(outcome.violations.count - 1) more)" : ""
                return .failure(Refusal(
                    code: .validationFailed,
                    message: "parameters for \(nodeType) do not match its schema: "
                        + "\(first.path.isEmpty ? "/" : first.path) \(first.message)\(more)",
                    violations: outcome.violations))
            }
            validated = outcome.parameters
        }
        let parameterBytes = NulTerminatedUTF8(bytes: JSONWriter.bytes(validated))
        entry.remember(parameters, bytes: parameterBytes)
        return .success(Arguments(parameters: parameterBytes, input: inputBytes))
    }
}

/// Why an execution was refused before any plugin code ran.
struct Refusal: Error {
    var code: ProblemCode
    var message: String
    var violations: [ParameterViolation] = []

    init(code: ProblemCode, message: String, violations: [ParameterViolation] = []) {
        self.code = code
        self.message = message
        self.violations = violations
    }

    init(_ problem: Problem) { self.init(code: problem.code, message: problem.message) }

    /// Validating the parameters took the node's whole `timeoutMs`: EXECUTION_TIMEOUT, as the
    /// time limit is the node's, and a sentence that says what made it slow and what to change.
    init(validationOutOfTime nodeType: String, timeoutMs: Double) {
        self.init(
            code: .executionTimeout,
            message: "validating the parameters for \(nodeType) against its schema did not finish within timeoutMs "
                + "\(JSONWriter.formatDouble(timeoutMs)) ms, so the plugin was not called; raise timeoutMs, pass shorter "
                + "string parameters, or ask the plugin's author for simpler schema patterns")
    }
}
