import PluginHostCore
import PluginRuntime
import PluginSDK

// embed.h: executing nodes (at once, or prepared) and running workflows.

@c @implementation
public func ph_host_execute(
    _ host: OpaquePointer?, _ tenant: UnsafePointer<CChar>?, _ nodeType: UnsafePointer<CChar>?,
    _ paramsJSON: UnsafePointer<CChar>?, _ inputJSON: UnsafePointer<CChar>?,
    _ outResult: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    ph_host_execute_as(host, tenant, nodeType, paramsJSON, inputJSON, Int32(PH_RESULT_FULL), outResult, outError)
}

@c @implementation
public func ph_host_execute_as(
    _ host: OpaquePointer?, _ tenant: UnsafePointer<CChar>?, _ nodeType: UnsafePointer<CChar>?,
    _ paramsJSON: UnsafePointer<CChar>?, _ inputJSON: UnsafePointer<CChar>?, _ resultForm: Int32,
    _ outResult: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    let result = OutParameter(outResult), error = OutParameter(outError)
    return EmbedCall.run(host, error: error) { handle throws(Problem) -> ph_status in
        let form = try ResultForm(resultForm)
        let call = try NodeCallArguments(tenant: tenant, nodeType: nodeType, paramsJSON: paramsJSON, limits: handle.options.inputLimits)
        return try call.execute(on: handle.host, inputJSON: inputJSON, form: form, result: result, error: error)
    }
}

@c @implementation
public func ph_host_prepare(
    _ host: OpaquePointer?, _ tenant: UnsafePointer<CChar>?, _ nodeType: UnsafePointer<CChar>?,
    _ paramsJSON: UnsafePointer<CChar>?, _ outCall: UnsafeMutablePointer<OpaquePointer?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    let error = OutParameter(outError)
    outCall?.pointee = nil
    return EmbedCall.run(host, error: error) { handle throws(Problem) -> ph_status in
        guard let outCall else {
            throw Problem(.invalidArgument, .error, "out_call is NULL; pass the address of a ph_node_call * to receive the call")
        }
        let arguments = try NodeCallArguments(tenant: tenant, nodeType: nodeType, paramsJSON: paramsJSON, limits: handle.options.inputLimits)
        outCall.pointee = NodeCallHandle.register(NodeCallHandle(host: handle, arguments: arguments))
        return PH_OK
    }
}

@c @implementation
public func ph_node_call_execute(
    _ call: OpaquePointer?, _ inputJSON: UnsafePointer<CChar>?, _ resultForm: Int32,
    _ outResult: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> ph_status {
    let result = OutParameter(outResult), error = OutParameter(outError)
    return EmbedCall.run(error: error) { () throws(Problem) -> ph_status in
        let form = try ResultForm(resultForm)
        let prepared = try NodeCallHandle.resolve(call)
        return try withExtendedLifetime(prepared) { () throws(Problem) -> ph_status in
            try prepared.execute(inputJSON: inputJSON, form: form, result: result, error: error)
        }
    }
}

@c @implementation
public func ph_node_call_destroy(_ call: OpaquePointer?) {
    NodeCallHandle.unregister(call)
}

/// What `result_form` asks for (embed.h's PH_RESULT_* constants).
enum ResultForm {
    case full, compact, output

    init(_ value: Int32) throws(Problem) {
        switch value {
        case Int32(PH_RESULT_FULL): self = .full
        case Int32(PH_RESULT_COMPACT): self = .compact
        case Int32(PH_RESULT_OUTPUT): self = .output
        default:
            throw Problem(.invalidArgument, .error,
                          "result_form \(value) is not one of PH_RESULT_FULL (0), PH_RESULT_COMPACT (1) or PH_RESULT_OUTPUT (2)")
        }
    }

    /// The document `result` becomes in this form; nil when the form has none for it.
    func document(_ result: NodeResult) -> [UInt8]? {
        switch self {
        case .full:
            var stream = JSONStream(capacity: 512)
            result.write(to: &stream)
            return stream.bytes
        case .output:
            guard result.succeeded else { return nil }
            return JSONWriter.bytes(result.output ?? .null)
        case .compact:
            var out = [UInt8]()
            out.reserveCapacity(64)
            out.append(contentsOf: #"{"status":"#.utf8)
            JSONWriter.writeString(result.status.rawValue, into: &out)
            out.append(contentsOf: #","output":"#.utf8)
            JSONWriter.write(result.output ?? .null, into: &out)
            if !result.succeeded {
                out.append(contentsOf: #","errorCode":"#.utf8)
                JSONWriter.write(result.errorCode.map { .string($0.rawValue) } ?? .null, into: &out)
                out.append(contentsOf: #","error":"#.utf8)
                JSONWriter.write(result.error.map(JSONValue.string) ?? .null, into: &out)
            }
            out.append(UInt8(ascii: "}"))
            return out
        }
    }
}

extension NodeResult {
    /// Why the node did not succeed, as the error document reports it (the node type as `node`).
    var problem: Problem {
        Problem(errorCode ?? .executionError, .error, error ?? "the node did not succeed (status \(status.rawValue))",
                node: nodeType)
    }
}
