import PluginHostCore
import PluginRuntime
import PluginSDK

// embed.h: executing nodes and running workflows.

@c @implementation
public func ph_host_execute(
    _ host: OpaquePointer?, _ tenant: UnsafePointer<CChar>?, _ nodeType: UnsafePointer<CChar>?,
    _ paramsJSON: UnsafePointer<CChar>?, _ inputJSON: UnsafePointer<CChar>?,
    _ outResult: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    let result = OutParameter(outResult), error = OutParameter(outError)
    return EmbedCall.run(host, error: error) { handle throws(Problem) -> ph_status in
        let pluginHost = handle.host
        let tenantID = try CText.optionalString(tenant, argument: "tenant")
        let type = try CText.string(nodeType, argument: "node_type")
        guard let paramsJSON else {
            throw Problem(.invalidArgument, .error, "params_json is NULL; pass a JSON object such as \"{}\"")
        }
        let parameters = try CText.json(paramsJSON, argument: "params_json", expected: "object", limits: pluginHost.configuration.limits)
        let input = try inputJSON.map { text throws(Problem) in
            try CText.json(text, argument: "input_json", expected: "array", limits: pluginHost.configuration.limits)
        } ?? .array([])
        let outcome = pluginHost.execute(nodeType: type, parameters: parameters, input: input, tenant: tenantID)
        result.set(outcome.json())
        guard outcome.succeeded else {
            return EmbedCall.fail(error, with: outcome.problem)
        }
        return PH_OK
    }
}

extension NodeResult {
    /// Why the node did not succeed, as the error document reports it (the node type as `node`).
    var problem: Problem {
        Problem(errorCode ?? .executionError, .error, error ?? "the node did not succeed (status \(status.rawValue))",
                node: nodeType)
    }
}
