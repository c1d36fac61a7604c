#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginSDK

/// What one `execute` collects from the plugin's callbacks; lives on the calling stack.
///
/// `ph_call.host_data` points at it for the duration of the call, so the `@convention(c)`
/// callbacks below find it without a class allocation per call. Only the calling thread writes
/// it; `is_cancelled`, the one callback other threads may use, reads nothing but
/// ``cancellation``, which never changes during the call.
struct PluginCallContext {
    let cancellation: CancellationFlag?
    var output: [UInt8]?
    var errorCode: Int32?
    var errorMessage: String?
    var logs: [PluginLogLine] = []
    var droppedLogLines = 0

    init(cancellation: CancellationFlag?) {
        self.cancellation = cancellation
    }

    /// The outcome of a call that returned `status`, with the dropped-lines marker if any.
    consuming func outcome(status: Int32) -> PluginCallOutcome {
        if droppedLogLines > 0 {
            logs.append(PluginLogLine(
                level: .warning,
                message: "… \(droppedLogLines) more log lines dropped (the host keeps \(PluginCallOutcome.maximumLogLines) per call)"
            ))
        }
        return PluginCallOutcome(
            status: status, output: output, errorCode: errorCode, errorMessage: errorMessage, logs: logs
        )
    }

    /// The context of a `ph_call` built by `LoadedPlugin.execute`.
    @inline(__always)
    static func of(_ call: UnsafePointer<ph_call>?) -> UnsafeMutablePointer<PluginCallContext>? {
        call?.pointee.host_data?.assumingMemoryBound(to: PluginCallContext.self)
    }
}

/// `ph_call.set_output`: copies `len` bytes; a later call replaces an earlier one. A NULL
/// `json` records an empty output, which the runtime then rejects as invalid JSON.
func callSetOutput(_ call: UnsafeMutablePointer<ph_call>?, _ json: UnsafePointer<CChar>?, _ len: Int) {
    guard let context = PluginCallContext.of(call) else { return }
    let count = json == nil ? 0 : max(len, 0)  // a size_t above Int.max is not a real length
    let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 { memcpy(buffer.baseAddress!, json!, count) }
        initialized = count
    }
    context.pointee.output = bytes
}

/// `ph_call.set_error`: records the code and a copy of the message (NULL allowed).
func callSetError(_ call: UnsafeMutablePointer<ph_call>?, _ code: ph_status, _ message: UnsafePointer<CChar>?) {
    guard let context = PluginCallContext.of(call) else { return }
    context.pointee.errorCode = code
    context.pointee.errorMessage = message.map(copyString)
}

/// `ph_call.is_cancelled`: non-zero once the host's flag is set. [thread-safe]
func callIsCancelled(_ call: UnsafePointer<ph_call>?) -> Int32 {
    guard let context = PluginCallContext.of(call) else { return 0 }
    return context.pointee.cancellation?.isCancelled == true ? 1 : 0
}

/// `ph_call.log`: keeps the first ``PluginCallOutcome/maximumLogLines`` lines, counts the rest.
func callLog(_ call: UnsafeMutablePointer<ph_call>?, _ level: Int32, _ message: UnsafePointer<CChar>?) {
    guard let message, let context = PluginCallContext.of(call) else { return }
    if context.pointee.logs.count < PluginCallOutcome.maximumLogLines {
        context.pointee.logs.append(PluginLogLine(level: PluginLogLevel(clamping: level), message: copyString(message)))
    } else {
        context.pointee.droppedLogLines += 1
    }
}
