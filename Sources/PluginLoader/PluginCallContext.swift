#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginSDK

/// What the `@convention(c)` callbacks of one `execute` reach through `ph_call.host_data`.
///
/// It lives on the calling stack and holds only plain pointers (no reference counting, nothing
/// to destroy), so a call allocates nothing for it. ``outcome`` points at the result being
/// filled in, also on the calling stack. Only the calling thread writes through it;
/// `is_cancelled`, the one callback other threads may use, reads nothing but ``cancellation``,
/// which never changes during the call.
struct PluginCallContext {
    /// An unretained `CancellationFlag`: the caller's reference keeps it alive for the call.
    let cancellation: UnsafeMutableRawPointer?
    let outcome: UnsafeMutablePointer<PluginCallOutcome>
    /// `set_output` refuses (does not copy) anything longer.
    let maximumOutputBytes: Int
    /// Output the caller already holds: `set_output` with exactly these bytes is not copied.
    let expectedOutput: UnsafeRawBufferPointer?
    var droppedLogLines = 0

    init(
        cancellation: borrowing CancellationFlag?, outcome: UnsafeMutablePointer<PluginCallOutcome>, maximumOutputBytes: Int = .max,
        expectedOutput: UnsafeRawBufferPointer? = nil
    ) {
        self.maximumOutputBytes = maximumOutputBytes
        self.expectedOutput = expectedOutput
        if let flag = copy cancellation {
            self.cancellation = Unmanaged.passUnretained(flag).toOpaque()
        } else {
            self.cancellation = nil
        }
        self.outcome = outcome
    }

    /// The line that replaces the lines beyond ``PluginCallOutcome/maximumLogLines``.
    static func droppedLinesMarker(_ count: Int) -> PluginLogLine {
        PluginLogLine(
            level: .warning,
            message: "… \(count) more log lines dropped (the host keeps \(PluginCallOutcome.maximumLogLines) per call)")
    }

    /// The context of a `ph_call` built by `LoadedPlugin.execute`.
    @inline(__always)
    static func of(_ call: UnsafePointer<ph_call>?) -> UnsafeMutablePointer<PluginCallContext>? {
        call?.pointee.host_data?.assumingMemoryBound(to: PluginCallContext.self)
    }
}

/// `ph_call.set_output`: copies `len` bytes; a later call replaces an earlier one. A NULL
/// `json` records an empty output, which the runtime then rejects as invalid JSON. More than
/// the request's cap is not copied, only its length recorded; nor is output equal to the
/// caller's expected bytes (``PluginCallOutcome/outputIsExpected``).
func callSetOutput(_ call: UnsafeMutablePointer<ph_call>?, _ json: UnsafePointer<CChar>?, _ len: Int) {
    guard let context = PluginCallContext.of(call) else { return }
    let count = json == nil ? 0 : max(len, 0)  // a size_t above Int.max is not a real length
    context.pointee.outcome.pointee.outputIsExpected = false
    guard count <= context.pointee.maximumOutputBytes else {
        context.pointee.outcome.pointee.output = nil
        context.pointee.outcome.pointee.refusedOutputBytes = count
        return
    }
    context.pointee.outcome.pointee.refusedOutputBytes = nil
    if let expected = context.pointee.expectedOutput, expected.count == count, count > 0,
       memcmp(expected.baseAddress!, json!, count) == 0 {
        context.pointee.outcome.pointee.output = nil
        context.pointee.outcome.pointee.outputIsExpected = true
        return
    }
    // Array(UnsafeBufferPointer) measured about twice as fast as init(unsafeUninitializedCapacity:).
    let bytes = count == 0 ? [] : Array(UnsafeBufferPointer(start: UnsafeRawPointer(json!).assumingMemoryBound(to: UInt8.self), count: count))
    context.pointee.outcome.pointee.output = bytes
}

/// `ph_call.set_error`: records the code and a copy of the message (NULL allowed).
func callSetError(_ call: UnsafeMutablePointer<ph_call>?, _ code: ph_status, _ message: UnsafePointer<CChar>?) {
    guard let context = PluginCallContext.of(call) else { return }
    context.pointee.outcome.pointee.errorCode = code
    context.pointee.outcome.pointee.errorMessage = message.map(copyString)
}

/// `ph_call.is_cancelled`: non-zero once the host's flag is set. [thread-safe]
func callIsCancelled(_ call: UnsafePointer<ph_call>?) -> Int32 {
    guard let context = PluginCallContext.of(call) else { return 0 }
    guard let flag = context.pointee.cancellation else { return 0 }
    return Unmanaged<CancellationFlag>.fromOpaque(flag)._withUnsafeGuaranteedRef { $0.isCancelled } ? 1 : 0
}

/// `ph_call.log`: keeps the first ``PluginCallOutcome/maximumLogLines`` lines, counts the rest.
func callLog(_ call: UnsafeMutablePointer<ph_call>?, _ level: Int32, _ message: UnsafePointer<CChar>?) {
    guard let message, let context = PluginCallContext.of(call) else { return }
    if context.pointee.outcome.pointee.logs.count < PluginCallOutcome.maximumLogLines {
        context.pointee.outcome.pointee.logs.append(PluginLogLine(level: PluginLogLevel(clamping: level), message: copyString(message)))
    } else {
        context.pointee.droppedLogLines += 1
    }
}
