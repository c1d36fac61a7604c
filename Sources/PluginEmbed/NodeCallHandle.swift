import PluginHostCore
import PluginRuntime
import PluginSDK

/// A node call's tenant, node type and parameters, read from their C arguments once.
///
/// `ph_host_execute_as` reads them for one call; `ph_host_prepare` keeps them in a
/// ``NodeCallHandle`` for many, so each `ph_node_call_execute` parses only its input. Every
/// check of the pipeline stays in ``PluginHost/execute(nodeType:parameters:input:tenant:recovery:)``
/// and runs on every call, under the policies in force then (the parameters' validation is
/// remembered by the node, so a prepared call pays a comparison for it).
struct NodeCallArguments: Sendable {
    let tenant: String?
    let nodeType: String
    let parameters: JSONValue

    init(tenant: UnsafePointer<CChar>?, nodeType: UnsafePointer<CChar>?, paramsJSON: UnsafePointer<CChar>?,
         limits: InputLimits) throws(Problem) {
        self.tenant = try CText.optionalString(tenant, argument: "tenant")
        self.nodeType = try CText.string(nodeType, argument: "node_type")
        guard let paramsJSON else {
            throw Problem(.invalidArgument, .error, "params_json is NULL; pass a JSON object such as \"{}\"")
        }
        parameters = try CText.json(paramsJSON, argument: "params_json", expected: "object", limits: limits)
    }

    /// Executes the node on `host` with `inputJSON` (NULL: no items) and hands the caller the
    /// result in `form`; the status is PH_OK exactly when the node succeeded.
    func execute(on host: PluginHost, inputJSON: UnsafePointer<CChar>?, form: ResultForm, result: OutParameter,
                 error: OutParameter) throws(Problem) -> ph_status {
        let input = try inputJSON.map { text throws(Problem) in
            try CText.json(text, argument: "input_json", expected: "array", limits: host.configuration.limits)
        } ?? .array([])
        let outcome = host.execute(nodeType: nodeType, parameters: parameters, input: input, tenant: tenant)
        if result.isWanted, let document = form.document(outcome) { result.set(bytes: document) }
        guard outcome.succeeded else {
            return EmbedCall.fail(error, with: outcome.problem)
        }
        return PH_OK
    }
}

/// The object behind a `ph_node_call *`: prepared arguments and the host handle they run on,
/// which it keeps alive (embed.h: the host's plugins shut down once it and its calls are gone).
final class NodeCallHandle: Sendable {
    let host: HostHandle
    let arguments: NodeCallArguments

    init(host: HostHandle, arguments: NodeCallArguments) {
        self.host = host
        self.arguments = arguments
    }

    private static let live = LiveHandles<NodeCallHandle>()

    static func register(_ call: NodeCallHandle) -> OpaquePointer { live.register(call) }

    /// The live call at `pointer` on a live host; otherwise INVALID_ARGUMENT saying which.
    static func resolve(_ pointer: OpaquePointer?) throws(Problem) -> NodeCallHandle {
        guard let pointer else {
            throw Problem(.invalidArgument, .error, "call is NULL; pass the ph_node_call ph_host_prepare returned")
        }
        guard let call = live.resolve(pointer) else {
            throw Problem(.invalidArgument, .error,
                          "call is not a live ph_node_call (destroyed already, or never returned by ph_host_prepare)")
        }
        guard !call.host.isDestroyed else {
            throw Problem(.invalidArgument, .error,
                          "the host this call was prepared on has been destroyed; prepare it again on a live host")
        }
        return call
    }

    static func unregister(_ pointer: OpaquePointer?) {
        guard let pointer else { return }
        live.unregister(pointer)
    }
}
