import PluginHostCore
import PluginRuntime
import PluginSDK

/// A node call's tenant, node type and parameters, read from their C arguments once.
///
/// `ph_host_execute_as` reads them for one call and runs ``PluginHost/execute(nodeType:parameters:input:tenant:recovery:)``;
/// `ph_host_prepare` keeps them in a ``NodeCallHandle`` for many, so each `ph_node_call_execute`
/// parses only its input and runs a ``PreparedNode``, which reuses its admission while the
/// tenant policies are unchanged.
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
        let input = try Self.input(inputJSON, limits: host.configuration.limits)
        return Self.report(host.execute(nodeType: nodeType, parameters: parameters, input: input, tenant: tenant),
                           form: form, result: result, error: error)
    }

    /// `input_json` parsed: a JSON array, NULL for none.
    static func input(_ inputJSON: UnsafePointer<CChar>?, limits: InputLimits) throws(Problem) -> JSONValue {
        try inputJSON.map { text throws(Problem) in
            try CText.json(text, argument: "input_json", expected: "array", limits: limits)
        } ?? .array([])
    }

    /// Hands the caller `outcome` in `form` and returns its status (PH_OK exactly on success).
    static func report(_ outcome: NodeResult, form: ResultForm, result: OutParameter, error: OutParameter) -> ph_status {
        if result.isWanted, let document = form.document(outcome) { result.set(bytes: document) }
        guard outcome.succeeded else {
            return EmbedCall.fail(error, with: outcome.problem)
        }
        return PH_OK
    }
}

/// The object behind a `ph_node_call *`: prepared arguments and the host handle they run on,
/// which it keeps alive (embed.h: the host's plugins shut down once it and its calls are gone).
///
/// It executes through a ``PreparedNode`` of the handle's current ``PluginHost``, which reuses
/// its last admission while the tenant policies are unchanged; a `ph_host_scan` of other
/// directories gives the handle a new host, and the next execute prepares the node on it.
final class NodeCallHandle: Sendable {
    let host: HostHandle
    let arguments: NodeCallArguments
    private let node: Locked<PreparedNode>

    init(host: HostHandle, arguments: NodeCallArguments) {
        self.host = host
        self.arguments = arguments
        node = Locked(Self.prepare(arguments, on: host.host))
    }

    private static func prepare(_ arguments: NodeCallArguments, on host: PluginHost) -> PreparedNode {
        host.prepare(nodeType: arguments.nodeType, parameters: arguments.parameters, tenant: arguments.tenant)
    }

    /// Executes the call with `inputJSON` and hands the caller the result in `form`.
    func execute(inputJSON: UnsafePointer<CChar>?, form: ResultForm, result: OutParameter,
                 error: OutParameter) throws(Problem) -> ph_status {
        let current = host.host
        let prepared = node.withLock { node in
            if node.host !== current { node = Self.prepare(arguments, on: current) }
            return node
        }
        let input = try NodeCallArguments.input(inputJSON, limits: current.configuration.limits)
        return NodeCallArguments.report(prepared.execute(input: input), form: form, result: result, error: error)
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
