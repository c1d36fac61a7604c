import Foundation
import PluginSDK

/// The dispatch benchmark's floor: the plugin's own `execute` called straight through its
/// function pointer with one `ph_call` prepared once, no host in between.
///
/// It opens the same file the host runs (dlopen returns the host's handle, so it is the same
/// code in memory), initializes a second instance with a minimal host table, and gives the
/// call a `set_output` that copies the output into a fixed buffer, as cheap as a host can be
/// while still taking the output. The plugin is never closed (house rule), and its state is
/// never shut down: the process ends soon after.
final class DirectPluginCall {
    /// What `set_output` writes into, reached through `call.host_data`.
    private struct Sink {
        var bytes: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var length = 0
    }

    private let execute: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<ph_call>?) -> ph_status
    private let state: UnsafeMutableRawPointer?
    private let call: UnsafeMutablePointer<ph_call>
    private let sink: UnsafeMutablePointer<Sink>

    /// Opens `library`, initializes it with `{}` and prepares a call of `nodeType` with
    /// `parameters` (JSON text), no input items, tenant `tenant`.
    init(library: String, nodeType: String, parameters: String, tenant: String) throws {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else { throw BenchError("dlopen failed: \(library)") }
        guard let symbol = dlsym(handle, "ph_plugin_entry") else { throw BenchError("\(library) has no ph_plugin_entry") }
        typealias Entry = @convention(c) () -> UnsafePointer<ph_plugin>?
        guard let plugin = unsafeBitCast(symbol, to: Entry.self)()?.pointee,
              let initialize = plugin.`init`, let execute = plugin.execute else {
            throw BenchError("\(library): ph_plugin_entry returned no usable descriptor")
        }
        var host = ph_host_api()
        host.struct_size = UInt32(MemoryLayout<ph_host_api>.size)
        host.abi_major = plugin.abi_major
        host.abi_minor = plugin.abi_minor
        host.get_extension = { _, _ in nil }
        host.log = { _, _, _ in }
        host.set_init_error = { _, _ in }
        var state: UnsafeMutableRawPointer?
        guard initialize(&host, "{}", &state) == PH_OK else { throw BenchError("\(library): init failed") }
        self.execute = execute
        self.state = state

        sink = .allocate(capacity: 1)
        sink.initialize(to: Sink())
        call = .allocate(capacity: 1)
        call.initialize(to: ph_call())
        call.pointee.struct_size = UInt32(MemoryLayout<ph_call>.size)
        call.pointee.attempt = 1
        call.pointee.node_type = UnsafePointer(strdup(nodeType))
        call.pointee.params_json = UnsafePointer(strdup(parameters))
        call.pointee.params_len = parameters.utf8.count
        call.pointee.input_json = UnsafePointer(strdup("[]"))
        call.pointee.input_len = 2
        call.pointee.tenant_id = UnsafePointer(strdup(tenant))
        call.pointee.execution_id = UnsafePointer(strdup("bench-direct-call"))
        call.pointee.host_data = UnsafeMutableRawPointer(sink)
        call.pointee.set_output = { call, json, length in
            guard let call, let json else { return }
            let sink = call.pointee.host_data.assumingMemoryBound(to: Sink.self)
            let kept = min(length, MemoryLayout.size(ofValue: sink.pointee.bytes))
            withUnsafeMutableBytes(of: &sink.pointee.bytes) { $0.baseAddress!.copyMemory(from: json, byteCount: kept) }
            sink.pointee.length = length
        }
        call.pointee.set_error = { _, _, _ in }
        call.pointee.is_cancelled = { _ in 0 }
        call.pointee.log = { _, _, _ in }
    }

    /// One call; returns the plugin's status.
    @inline(__always)
    func callOnce() -> ph_status {
        execute(state, call)
    }

    /// The last output the plugin set, as text.
    var lastOutput: String {
        withUnsafeBytes(of: sink.pointee.bytes) { bytes in
            String(decoding: bytes.prefix(min(sink.pointee.length, bytes.count)), as: UTF8.self)
        }
    }
}
