import PluginDiscovery
import PluginHostCore
import PluginLoader
import PluginMetadata

/// Worker → host, first frame: which protocol the worker speaks and its pid.
public struct WorkerHello: Sendable, Equatable {
    public var protocolVersion: UInt32
    public var pid: Int32

    public init(protocolVersion: UInt32 = WorkerFrame.protocolVersion, pid: Int32) {
        self.protocolVersion = protocolVersion
        self.pid = pid
    }

    public func encode(into encoder: inout FrameEncoder) {
        encoder.begin(.hello, tag: 0)
        encoder.u32(protocolVersion)
        encoder.i32(pid)
        encoder.end()
    }

    public init(decoding payload: ArraySlice<UInt8>) throws(WorkerProtocolError) {
        var decoder = FrameDecoder(payload)
        protocolVersion = try decoder.u32()
        pid = try decoder.i32()
    }
}

/// Host → worker: load `plugin` into `slot` and initialize it with its configuration.
///
/// The worker repeats the host's scan of that one file (the same ELF, metadata and permission
/// checks, in the same mode) and refuses it unless it is still the file the host scanned:
/// same device, inode, size and modification time. So a file swapped after the host's scan is
/// never loaded, in the worker or anywhere.
public struct WorkerLoadRequest: Sendable, Equatable {
    public var slot: UInt32
    public var plugin: WorkerPluginSpec

    public init(slot: UInt32, plugin: WorkerPluginSpec) {
        self.slot = slot
        self.plugin = plugin
    }

    public func encode(into encoder: inout FrameEncoder, tag: UInt32) {
        encoder.begin(.load, tag: tag)
        encoder.u32(slot)
        encoder.string(plugin.path)
        encoder.string(plugin.pluginID)
        encoder.u64(plugin.identity.device)
        encoder.u64(plugin.identity.inode)
        encoder.i64(plugin.identity.size)
        encoder.i64(plugin.identity.modificationTimeNanoseconds)
        encoder.u32(plugin.identity.mode)
        encoder.u32(plugin.identity.owner)
        encoder.i64(plugin.identity.changeTimeNanoseconds)
        encoder.bool(plugin.mode == .loose)
        encoder.bool(plugin.allowUnsafePermissions)
        encoder.string(plugin.config)
        encoder.end()
    }

    public init(decoding payload: ArraySlice<UInt8>) throws(WorkerProtocolError) {
        var decoder = FrameDecoder(payload)
        slot = try decoder.u32()
        let path = try decoder.string()
        let pluginID = try decoder.string()
        let identity = FileIdentity(
            device: try decoder.u64(), inode: try decoder.u64(), size: try decoder.i64(),
            modificationTimeNanoseconds: try decoder.i64(), mode: try decoder.u32(), owner: try decoder.u32(),
            changeTimeNanoseconds: try decoder.i64())
        let mode: ValidationMode = try decoder.bool() ? .loose : .strict
        plugin = WorkerPluginSpec(
            path: path, pluginID: pluginID, identity: identity, mode: mode, allowUnsafePermissions: try decoder.bool(),
            config: try decoder.string())
    }
}

/// Worker → host: how a load ended; `problem` is nil on success.
public struct WorkerLoadReply: Sendable, Equatable {
    public var slot: UInt32
    public var problem: Problem?

    public init(slot: UInt32, problem: Problem?) {
        self.slot = slot
        self.problem = problem
    }

    public func encode(into encoder: inout FrameEncoder, tag: UInt32) {
        encoder.begin(.loaded, tag: tag)
        encoder.u32(slot)
        encoder.bool(problem != nil)
        encoder.string(problem?.code.rawValue ?? "")
        encoder.string(problem?.message ?? "")
        encoder.end()
    }

    public init(decoding payload: ArraySlice<UInt8>, file: String?) throws(WorkerProtocolError) {
        var decoder = FrameDecoder(payload)
        slot = try decoder.u32()
        let failed = try decoder.bool()
        let code = try decoder.string()
        let message = try decoder.string()
        problem = failed ? Problem(ProblemCode(rawValue: code.isEmpty ? "LOAD_FAILED" : code), .error, message, file: file) : nil
    }
}

/// Host → worker: run one node of the plugin in `slot`.
public struct WorkerExecuteRequest: Sendable {
    public var slot: UInt32
    /// The plugin call, exactly as the in-process executor would make it.
    public var request: PluginCallRequest
    /// Nanoseconds left before the host gives up on the call (0: no limit). A worker that
    /// reaches a batched request after its time has passed skips it.
    public var remainingNanoseconds: UInt64

    public init(slot: UInt32, request: PluginCallRequest, remainingNanoseconds: UInt64) {
        self.slot = slot
        self.request = request
        self.remainingNanoseconds = remainingNanoseconds
    }

    public func encode(into encoder: inout FrameEncoder, tag: UInt32) {
        encoder.begin(.execute, tag: tag)
        encoder.u32(slot)
        encoder.u32(request.attempt)
        encoder.u64(UInt64(clamping: request.maximumOutputBytes))
        encoder.u64(remainingNanoseconds)
        encoder.data(request.nodeType.unterminated)
        encoder.data(request.params.unterminated)
        encoder.data(request.input.unterminated)
        encoder.data(request.tenantID.unterminated)
        encoder.data(request.executionID.unterminated)
        encoder.end()
    }

    public init(decoding payload: ArraySlice<UInt8>) throws(WorkerProtocolError) {
        var decoder = FrameDecoder(payload)
        slot = try decoder.u32()
        let attempt = try decoder.u32()
        let maximumOutputBytes = Int(clamping: try decoder.u64())
        remainingNanoseconds = try decoder.u64()
        request = PluginCallRequest(
            nodeType: NulTerminatedUTF8(bytes: Array(try decoder.data())),
            params: NulTerminatedUTF8(bytes: Array(try decoder.data())),
            input: NulTerminatedUTF8(bytes: Array(try decoder.data())),
            tenantID: NulTerminatedUTF8(bytes: Array(try decoder.data())),
            executionID: NulTerminatedUTF8(bytes: Array(try decoder.data())),
            attempt: attempt, maximumOutputBytes: maximumOutputBytes)
    }
}

/// Worker → host: how an `execute` ended.
public struct WorkerExecuteReply: Sendable {
    public enum Ending: Sendable {
        /// The plugin was called; `allocationFailed` says an allocation failed during the call.
        case called(PluginCallOutcome, allocationFailed: Bool)
        /// The plugin in the request's slot could not be loaded; nothing was called.
        case notLoaded(Problem)
        /// The request's time had passed when the worker reached it; nothing was called.
        case expired
    }

    public var ending: Ending

    public init(_ ending: Ending) { self.ending = ending }

    private enum Form: UInt8 { case called = 0, notLoaded = 1, expired = 2 }

    public func encode(into encoder: inout FrameEncoder, tag: UInt32) {
        encoder.begin(.result, tag: tag)
        switch ending {
        case .called(let outcome, let allocationFailed):
            encoder.u8(Form.called.rawValue)
            encoder.bool(allocationFailed)
            encoder.i32(outcome.status)
            encoder.bool(outcome.output != nil)
            encoder.data(outcome.output ?? [])
            encoder.bool(outcome.refusedOutputBytes != nil)
            encoder.u64(UInt64(outcome.refusedOutputBytes ?? 0))
            encoder.bool(outcome.errorCode != nil)
            encoder.i32(outcome.errorCode ?? 0)
            encoder.bool(outcome.errorMessage != nil)
            encoder.string(outcome.errorMessage ?? "")
            encoder.u32(UInt32(outcome.logs.count))
            for line in outcome.logs {
                encoder.i32(line.level.rawValue)
                encoder.string(line.message)
            }
        case .notLoaded(let problem):
            encoder.u8(Form.notLoaded.rawValue)
            encoder.string(problem.code.rawValue)
            encoder.string(problem.message)
        case .expired:
            encoder.u8(Form.expired.rawValue)
        }
        encoder.end()
    }

    public init(decoding payload: ArraySlice<UInt8>, file: String?) throws(WorkerProtocolError) {
        var decoder = FrameDecoder(payload)
        switch Form(rawValue: try decoder.u8()) {
        case .called:
            let allocationFailed = try decoder.bool()
            var outcome = PluginCallOutcome(status: try decoder.i32())
            let hasOutput = try decoder.bool()
            let output = try decoder.data()
            if hasOutput { outcome.output = Array(output) }
            let refused = try decoder.bool()
            let refusedBytes = try decoder.u64()
            if refused { outcome.refusedOutputBytes = Int(clamping: refusedBytes) }
            let hasCode = try decoder.bool()
            let code = try decoder.i32()
            if hasCode { outcome.errorCode = code }
            let hasMessage = try decoder.bool()
            let message = try decoder.string()
            if hasMessage { outcome.errorMessage = message }
            let count = try decoder.u32()
            guard count <= UInt32(PluginCallOutcome.maximumLogLines + 1) else {
                throw WorkerProtocolError("a result carried \(count) log lines, more than a call may keep")
            }
            for _ in 0..<count {
                let level = PluginLogLevel(clamping: try decoder.i32())
                outcome.logs.append(PluginLogLine(level: level, message: try decoder.string()))
            }
            ending = .called(outcome, allocationFailed: allocationFailed)
        case .notLoaded:
            let code = try decoder.string()
            let message = try decoder.string()
            ending = .notLoaded(Problem(ProblemCode(rawValue: code.isEmpty ? "LOAD_FAILED" : code), .error, message, file: file))
        case .expired:
            ending = .expired
        case nil:
            throw WorkerProtocolError("a result has an unknown form")
        }
    }
}

/// Worker → host, from the fatal-signal handler: which signal, and how many allocations had
/// failed in the worker by then.
public struct WorkerCrashReport: Sendable, Equatable {
    public var signal: Int32
    public var allocationFailures: UInt64

    public init(signal: Int32, allocationFailures: UInt64) {
        self.signal = signal
        self.allocationFailures = allocationFailures
    }

    public init(decoding payload: ArraySlice<UInt8>) throws(WorkerProtocolError) {
        var decoder = FrameDecoder(payload)
        signal = try decoder.i32()
        allocationFailures = try decoder.u64()
    }
}
