import PluginHostCore
import PluginLoader
import PluginMetadata

/// One node call against a loaded plugin: checks the request, calls, and turns the plugin's
/// answer into a ``NodeResult``.
///
/// Kept apart from lookup and loading so later stages (tenant policy, schema validation,
/// retries, timeouts) slot in around ``run(parameters:input:startedAt:)`` without touching how
/// plugins are found.
struct NodeInvocation {
    let plugin: LoadedPlugin
    let node: NodeDescriptor
    let tenant: String
    /// The node's compiled schema; nil when the node declares none (loose metadata).
    let schema: ParameterSchema?
    let validationCache: ValidationCache?

    func run(parameters: JSONValue, input: JSONValue, startedAt: Double) -> NodeResult {
        guard case .object = parameters else {
            return .failure(
                nodeType: node.nodeType, code: .validationFailed,
                message: "parameters must be a JSON object, not \(parameters.typeName)",
                startedAt: startedAt, violations: [ParameterViolation(path: "", message: "expected an object")])
        }
        var parameters = parameters
        if let schema {
            // Before any plugin code runs: every violation at once, defaults filled in.
            let outcome = validationCache?.validated(nodeType: node.nodeType, parameters: parameters, schema: schema)
                ?? schema.validate(parameters)
            guard outcome.violations.isEmpty else {
                let first = outcome.violations[0]
                let more = outcome.violations.count > 1 ? " (and \(outcome.violations.count - 1) more)" : ""
                return .failure(
                    nodeType: node.nodeType, code: .validationFailed,
                    message: "parameters for \(node.nodeType) do not match its schema: "
                        + "\(first.path.isEmpty ? "/" : first.path) \(first.message)\(more)",
                    startedAt: startedAt, violations: outcome.violations)
            }
            parameters = outcome.parameters
        }
        guard case .array = input else {
            return .failure(
                nodeType: node.nodeType, code: .invalidParameters,
                message: "input must be a JSON array of items, not \(input.typeName)", startedAt: startedAt)
        }
        let executionID = ExecutionID.make()
        let request = PluginCallRequest(
            nodeType: NulTerminatedUTF8(node.nodeType),
            params: NulTerminatedUTF8(bytes: JSONWriter.bytes(parameters)),
            input: NulTerminatedUTF8(bytes: JSONWriter.bytes(input)),
            tenantID: NulTerminatedUTF8(tenant),
            executionID: NulTerminatedUTF8(executionID),
            attempt: 1)
        var result = call(request, attempt: 1, startedAt: startedAt)
        result.executionID = executionID
        return result
    }

    /// Calls the plugin once and interprets what it returned.
    func call(_ request: PluginCallRequest, attempt: Int, startedAt: Double) -> NodeResult {
        let begin = WallClock.monotonicNanoseconds()
        let outcome = plugin.execute(request, cancellation: nil)
        let durationMs = Double(WallClock.monotonicNanoseconds() - begin) / 1e6

        var result = NodeResult(nodeType: node.nodeType, status: .success, startedAt: startedAt)
        result.logs = outcome.logs.map { "[\($0.level)] \($0.message)" }
        if outcome.status == 0 {
            if let bytes = outcome.output {
                do {
                    result.output = try JSONParser.parse(bytes)
                } catch {
                    result.status = .error
                    result.errorCode = .executionError
                    result.error = "\(node.nodeType) returned output that is not valid JSON (\(error)); this is a bug in the plugin"
                }
            } else {
                result.status = .error
                result.errorCode = .executionError
                result.error = "\(node.nodeType) returned success without calling set_output; this is a bug in the plugin"
            }
        } else {
            result.status = .error
            result.errorCode = ProblemCode(pluginStatus: outcome.status)
            let message = outcome.errorMessage.flatMap { $0.isEmpty ? nil : $0 }
            result.error = message ?? "\(node.nodeType) failed with status \(outcome.status) and gave no message"
        }
        result.attempts = [NodeAttempt(number: attempt, status: result.status, errorCode: result.errorCode,
                                       durationMs: durationMs, startedAt: startedAt)]
        result.finishedAt = WallClock.now()
        result.durationMs = (result.finishedAt - startedAt) * 1000
        return result
    }
}

/// Unique ids for executions, shared by an execution's retries (plugins may use them as
/// idempotency keys): 128 random bits in hex.
enum ExecutionID {
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
