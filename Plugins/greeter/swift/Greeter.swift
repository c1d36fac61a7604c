// org.plugin-host.greeter — the example of a plugin written in Swift.
//
// What a Swift plugin needs, and nothing more:
//   - one `@c` entry point, `ph_plugin_entry`, returning a descriptor that lives forever;
//   - `@convention(c)` callbacks that capture nothing;
//   - the metadata note from a one-file C companion (GreeterMetadata), because Swift cannot
//     emit an ELF note; the descriptor returns the companion's bytes so they match the note.
// Parameters are read and output is written with the SDK's params.h helpers (static inline C,
// imported through PluginSDK), so the plugin does not link Foundation.
import GreeterMetadata
import PluginSDK

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The greeting for `name` and `punctuation` as a JSON document `{"result": "Hello, …"}`.
///
/// Works on bytes so any UTF-8 (and even embedded NULs) passes through; params.h escapes it.
private func greetingJSON(name: UnsafeBufferPointer<UInt8>, punctuation: UnsafeBufferPointer<UInt8>) -> ph_json_buf {
    var text: [UInt8] = Array("Hello, ".utf8)
    text.reserveCapacity(text.count + name.count + punctuation.count)
    text.append(contentsOf: name)
    text.append(contentsOf: punctuation)
    var out = ph_json_buf()
    _ = ph_json_buf_append_cstr(&out, "{\"result\":")
    text.withUnsafeBufferPointer { bytes in
        bytes.withMemoryRebound(to: CChar.self) { chars in
            _ = ph_json_buf_string(&out, chars.baseAddress, chars.count)
        }
    }
    _ = ph_json_buf_append_cstr(&out, "}")
    return out
}

/// Reads string member `key` of the call's parameters into a malloc'ed buffer the caller frees.
private func readString(
    _ call: UnsafeMutablePointer<ph_call>, _ key: String
) -> (status: ph_json_status, bytes: UnsafeMutablePointer<CChar>?, count: Int) {
    var bytes: UnsafeMutablePointer<CChar>? = nil
    var count = 0
    let status = ph_json_get_string_alloc(call.pointee.params_json, call.pointee.params_len, key, &bytes, &count)
    return (status, bytes, count)
}

/// Reports `message` with `code` through the call and returns `code`.
private func fail(_ call: UnsafeMutablePointer<ph_call>, _ code: Int32, _ message: String) -> ph_status {
    call.pointee.set_error?(call, code, message)
    return code
}

/// Runs `greeter.hello`; every failure is a node error with a message, never a crash.
private func executeHello(_ call: UnsafeMutablePointer<ph_call>) -> ph_status {
    let name = readString(call, "name")
    defer { free(name.bytes) }
    guard name.status == PH_JSON_OK, let nameBytes = name.bytes else {
        if name.status == PH_JSON_NOT_FOUND {
            return fail(call, PH_ERR_INVALID_PARAMETERS, "parameter 'name' is required")
        }
        return fail(call, PH_ERR_INVALID_PARAMETERS, "parameter 'name' must be a string")
    }
    guard name.count > 0 else {
        return fail(call, PH_ERR_INVALID_PARAMETERS, "parameter 'name' must not be empty")
    }
    let punctuation = readString(call, "punctuation")
    defer { free(punctuation.bytes) }
    let punctuationBytes: UnsafeBufferPointer<UInt8>
    switch punctuation.status {
    case PH_JSON_OK:
        punctuationBytes = UnsafeBufferPointer(start: UnsafeRawPointer(punctuation.bytes!).assumingMemoryBound(to: UInt8.self),
                                               count: punctuation.count)
    case PH_JSON_NOT_FOUND:
        let fallback: StaticString = "!"  // the schema's default; static storage, no allocation
        punctuationBytes = UnsafeBufferPointer(start: fallback.utf8Start, count: fallback.utf8CodeUnitCount)
    default:
        return fail(call, PH_ERR_INVALID_PARAMETERS, "parameter 'punctuation' must be a string")
    }
    let nameBuffer = UnsafeBufferPointer(start: UnsafeRawPointer(nameBytes).assumingMemoryBound(to: UInt8.self),
                                         count: name.count)
    var out = greetingJSON(name: nameBuffer, punctuation: punctuationBytes)
    defer { ph_json_buf_free(&out) }
    if out.failed {
        return fail(call, PH_ERR_EXECUTION, "out of memory while writing the greeting")
    }
    call.pointee.set_output?(call, out.data, out.len)  // the host copies it
    return PH_OK
}

/// `init`: the greeter keeps no state.
private func greeterInit(
    _ host: UnsafePointer<ph_host_api>?, _ config: UnsafePointer<CChar>?,
    _ state: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> ph_status {
    state?.pointee = nil
    return PH_OK
}

/// `execute`: dispatches on the node type; safe to call concurrently (no shared state).
private func greeterExecute(_ state: UnsafeMutableRawPointer?, _ call: UnsafeMutablePointer<ph_call>?) -> ph_status {
    guard let call else { return PH_ERR_INVALID_ARGUMENT }
    guard let nodeType = call.pointee.node_type, strcmp(nodeType, "greeter.hello") == 0 else {
        return fail(call, PH_ERR_UNSUPPORTED, "this plugin has no such node type")
    }
    return executeHello(call)
}

/// `shutdown`: nothing to release.
private func greeterShutdown(_ state: UnsafeMutableRawPointer?) {}

/// The descriptor the host keeps for the life of the process.
///
/// Built once, on the first `ph_plugin_entry` call (Swift runs global initializers exactly
/// once, thread-safely), and never freed or changed afterwards; `nonisolated(unsafe)` is sound
/// because nothing writes through the pointer after initialization.
nonisolated(unsafe) private let descriptor: UnsafeMutablePointer<ph_plugin> = {
    let pointer = UnsafeMutablePointer<ph_plugin>.allocate(capacity: 1)
    pointer.initialize(to: ph_plugin(
        struct_size: UInt32(MemoryLayout<ph_plugin>.size),
        abi_major: UInt16(PH_ABI_VERSION_MAJOR),
        abi_minor: UInt16(PH_ABI_VERSION_MINOR),
        metadata_json: greeter_metadata_json(),
        init: greeterInit,
        execute: greeterExecute,
        shutdown: greeterShutdown
    ))
    return pointer
}()

/// The plugin's one exported symbol (the host binds it with dlsym after reading the note).
@c public func ph_plugin_entry() -> UnsafePointer<ph_plugin>? {
    UnsafePointer(descriptor)
}
