#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CPluginExitGuard
import Logging
import PluginFFI
import PluginHostCore
import PluginMetadata
import PluginSDK
import Synchronization

/// A plugin whose library is loaded and whose descriptor passed every check; the handle through
/// which the runtime initializes it, runs its nodes and shuts it down.
///
/// Sendable without `@unchecked`: the raw parts (the copied `ph_plugin` descriptor and the
/// `ph_host_api` table) are `let`s that are never written after `init` and point at memory that
/// lives as long as the process, so sharing them is sharing immutable data. Everything that
/// changes is an `Atomic` or sits in a `Mutex`.
///
/// Lifecycle, kept in one atomic word so the call path costs two uncontended atomic adds:
/// the low bits count calls in flight, ``readyBit`` says `init` succeeded, ``closedBit`` says
/// `shutdown` began. `execute` runs only when ready and not closed; `shutdown` closes first,
/// then waits for calls in flight, so the plugin's `shutdown` never overlaps an `execute`.
///
/// Function nodes run through the same `execute`: a node type found in ``functions`` is
/// called through libffi instead of the plugin's `execute`, under the same lifecycle and
/// serialization rules. A standalone manifest has functions only and no descriptor:
/// `initialize` then calls nothing and `shutdown` has nothing to run.
///
/// Whatever plugin code runs here (init, a node call, a function call, shutdown) runs with the
/// thread marked for ``PluginExitGuard``: the plugin's id and the node type (or phase), two
/// thread-local stores on entry and two on return, so an `exit()` in the plugin ends a host
/// that installed the guard with a line naming them instead of a silent status 0.
public final class LoadedPlugin: Sendable {
    /// Absolute path of the library file (of the manifest, for a standalone manifest).
    public let path: String
    /// The manifest checked at scan time; the loaded plugin's own metadata matched it byte for byte.
    public let manifest: PluginManifest
    /// The ABI the plugin's descriptor says it was built against.
    public let abi: ABIVersion

    /// A copy of the plugin's descriptor, taken once so a plugin that rewrites its own
    /// (supposedly const) struct cannot change what the host calls. Immutable. nil for a
    /// standalone manifest, which has no plugin code.
    nonisolated(unsafe) private let descriptor: ph_plugin?
    /// The function nodes, by node type, each with its call interface prepared at load.
    /// Empty for most plugins, which then pay nothing for the lookup.
    private let functions: [NulTerminatedUTF8: PreparedFunction]
    private let host: PluginHostContext
    /// Held for the whole of `execute` when the plugin is not thread-safe (``serialized``).
    /// Serializes calls into a plugin that is not thread-safe; holds how many calls it has
    /// serialized (a payload, not `Void`: TSan misattributes inout access to zero-sized values).
    private let serial: Locked<UInt64>
    private let serialized: Bool
    private let lifecycle = Atomic<Int>(0)
    /// The phase running outside node calls (a `ph_exit_guard_phase`: init, shutdown) or 0;
    /// what ``PluginExitGuard`` reports for an exit on another thread meanwhile.
    private let phase = Atomic<UInt32>(0)
    /// The plugin id as a C string, for the exit guard's mark: allocated once and never freed
    /// (plugins are never unloaded, and the exit handler may read it at any time).
    nonisolated(unsafe) let exitGuardID: UnsafePointer<CChar>
    /// The `*out_state` from a successful `init`, as an integer (raw pointers are not Sendable).
    private let pluginState = Atomic<UInt>(0)
    private let initOutcome = Locked<Result<Void, Problem>?>(nil)
    /// When `init` succeeded, in the process's order of successful inits (0: not yet), so
    /// ``PluginLoader/shutdownAll(waitingUpTo:)`` can shut dependents down before what they
    /// depend on: the runtime initializes dependencies first.
    private let initializedOrder = Atomic<UInt64>(0)
    private static let initCounter = Atomic<UInt64>(0)

    private static let readyBit = 1 << 62
    private static let closedBit = 1 << 61
    private static let inFlightMask = closedBit - 1

    init(
        path: String, manifest: PluginManifest, descriptor: ph_plugin?, functions: [PreparedFunction] = [],
        host: PluginHostContext
    ) {
        self.path = path
        self.manifest = manifest
        self.abi = descriptor.map { ABIVersion(major: $0.abi_major, minor: $0.abi_minor) } ?? manifest.abi
        self.descriptor = descriptor
        self.functions = Dictionary(functions.map { (NulTerminatedUTF8($0.nodeType), $0) }, uniquingKeysWith: { first, _ in first })
        self.host = host
        self.serial = Locked(0)
        self.serialized = !manifest.threadSafe
        self.exitGuardID = UnsafePointer(strdup(manifest.id)!)
    }

    /// What ``PluginExitGuard`` reports for an exit on another thread: nil when no code of this
    /// plugin runs; otherwise the phase's name, or nil inside for a node call.
    var runningActivity: UnsafePointer<CChar>?? {
        if lifecycle.load(ordering: .relaxed) & Self.inFlightMask != 0 { return .some(nil) }
        let current = phase.load(ordering: .relaxed)
        guard current != 0 else { return nil }
        return .some(ph_exit_guard_phase_name(ph_exit_guard_phase(rawValue: current)))
    }

    /// Runs `body`, which calls the plugin's init or shutdown, with the thread marked.
    private func running<Result>(_ current: ph_exit_guard_phase, _ body: () -> Result) -> Result {
        let previous = ph_exit_guard_enter_phase(exitGuardID, current)
        phase.store(current.rawValue, ordering: .relaxed)
        defer {
            phase.store(0, ordering: .relaxed)
            ph_exit_guard_leave(previous)
        }
        return body()
    }

    /// The plugin id from the manifest.
    public var id: String { manifest.id }

    /// The prepared function serving `nodeType`, nil when it is not a function node. The
    /// benchmarks call it directly to time a function call apart from the runtime.
    public func preparedFunction(for nodeType: String) -> PreparedFunction? {
        functions.isEmpty ? nil : functions[NulTerminatedUTF8(nodeType)]
    }

    /// Calls the plugin's `init` once with `config` (the runtime passes a JSON object; `{}` when
    /// there is none).
    ///
    /// A non-zero status is INIT_FAILED carrying what the plugin gave `host->set_init_error`.
    /// Calling it again is a programming error and returns the first outcome without calling
    /// the plugin. The call runs on the caller's thread and cannot be interrupted: a caller
    /// that wants a timeout runs it on a thread it can abandon.
    public func initialize(config: JSONValue) -> Result<Void, Problem> {
        initOutcome.withLock { outcome in
            if let outcome { return outcome }
            let result = runInit(config: config)
            outcome = result
            return result
        }
    }

    private func runInit(config: JSONValue) -> Result<Void, Problem> {
        guard lifecycle.load(ordering: .acquiring) & Self.closedBit == 0 else {
            return .failure(Problem(
                .initFailed, .error, "the plugin was shut down before it was initialized; restart the host to use it",
                file: path))
        }
        guard let descriptor else {
            // A standalone manifest: nothing to initialize, its functions are ready once loaded.
            lifecycle.bitwiseOr(Self.readyBit, ordering: .acquiringAndReleasing)
            return .success(())
        }
        host.initError.withLock { $0 = nil }
        var state: UnsafeMutableRawPointer?
        let status = JSONWriter.string(config).withCString { configJSON in
            running(PH_EXIT_GUARD_INIT) { descriptor.`init`!(host.hostAPI, configJSON, &state) }
        }
        guard status == PH_OK else {
            let reason = host.initError.withLock { $0 }
            let message = if let reason {
                "init failed: \(reason) (status \(status)); fix what it names"
            } else {
                "init returned status \(status) without a message; check the plugin's configuration and logs"
            }
            return .failure(Problem(.initFailed, .error, message, file: path))
        }
        pluginState.store(UInt(bitPattern: state), ordering: .relaxed)
        initializedOrder.store(Self.initCounter.wrappingAdd(1, ordering: .relaxed).newValue, ordering: .relaxed)
        // Releasing: an execute that sees the ready bit also sees the state stored above.
        let previous = lifecycle.bitwiseOr(Self.readyBit, ordering: .acquiringAndReleasing).oldValue
        if previous & Self.closedBit != 0 {
            // shutdown() ran during init and found nothing to release; no execute can start
            // now (closed), so release what init acquired here.
            running(PH_EXIT_GUARD_SHUTDOWN) { descriptor.shutdown!(state) }
        }
        return .success(())
    }

    /// Runs one node synchronously on the calling thread and copies out what the plugin set.
    ///
    /// Calls into a plugin that is not thread-safe are serialized; thread-safe plugins take no
    /// lock. Before a successful `initialize` or after `shutdown` the plugin is not called and
    /// the outcome has status `PH_ERR_INTERNAL` with a message saying why.
    public func execute(_ request: borrowing PluginCallRequest, cancellation: CancellationFlag?) -> PluginCallOutcome {
        request.nodeType.withCString { nodeType, _ in
            request.params.withCString { params, paramsLength in
                request.input.withCString { input, inputLength in
                    request.tenantID.withCString { tenantID, _ in
                        request.executionID.withCString { executionID, _ in
                            execute(
                                PluginCallPointers(
                                    nodeType: nodeType, params: params, paramsLength: paramsLength, input: input,
                                    inputLength: inputLength, tenantID: tenantID, executionID: executionID,
                                    attempt: request.attempt, maximumOutputBytes: request.maximumOutputBytes),
                                cancellation: cancellation)
                        }
                    }
                }
            }
        }
    }

    /// ``execute(_:cancellation:)`` from borrowed pointers, allocating nothing for the inputs.
    ///
    /// When `expectedOutput` is given and the plugin's last `set_output` hands over exactly
    /// those bytes, they are not copied: the outcome has ``PluginCallOutcome/outputIsExpected``
    /// set and `output` nil, so a caller that remembers a node's last output and its parsed
    /// value skips both the copy and the parse.
    public func execute(
        _ call: PluginCallPointers, expectedOutput: UnsafeRawBufferPointer? = nil, cancellation: CancellationFlag?
    ) -> PluginCallOutcome {
        if serialized {
            return serial.withLock { count in
                count &+= 1
                return self.call(call, expectedOutput, cancellation)
            }
        }
        return self.call(call, expectedOutput, cancellation)
    }

    private func call(
        _ pointers: PluginCallPointers, _ expectedOutput: UnsafeRawBufferPointer?, _ cancellation: CancellationFlag?
    ) -> PluginCallOutcome {
        let previous = lifecycle.wrappingAdd(1, ordering: .acquiring).oldValue
        // Releasing: the plugin's work happens before a shutdown that sees the count drop.
        defer { lifecycle.wrappingSubtract(1, ordering: .releasing) }
        guard previous & (Self.readyBit | Self.closedBit) == Self.readyBit else {
            return .refused(previous & Self.closedBit != 0
                ? "plugin \(manifest.id) has been shut down; restart the host to use it again"
                : "plugin \(manifest.id) is not initialized; call initialize before execute")
        }
        // Plugin code runs from here on: mark the thread for the exit guard (the node type
        // pointer is valid for the whole call, which is as long as the mark stays).
        let mark = ph_exit_guard_enter(exitGuardID, pointers.nodeType)
        defer { ph_exit_guard_leave(mark) }
        if !functions.isEmpty, let function = functions[NulTerminatedUTF8(String(cString: pointers.nodeType))] {
            return Self.callFunction(function, params: UnsafeRawBufferPointer(start: pointers.params, count: pointers.paramsLength))
        }
        guard let execute = descriptor?.execute else {
            return .refused("\(String(cString: pointers.nodeType)) is not a function node of \(manifest.id), which has no plugin code to run other nodes")
        }
        let state = UnsafeMutableRawPointer(bitPattern: pluginState.load(ordering: .relaxed))
        var outcome = PluginCallOutcome(status: 0)
        let droppedLogLines = withUnsafeMutablePointer(to: &outcome) { outcomePointer in
            var context = PluginCallContext(
                cancellation: cancellation, outcome: outcomePointer, maximumOutputBytes: pointers.maximumOutputBytes,
                expectedOutput: expectedOutput)
            let status = withUnsafeMutablePointer(to: &context) { contextPointer in
                var call = ph_call(
                    struct_size: UInt32(MemoryLayout<ph_call>.size),
                    attempt: pointers.attempt,
                    node_type: pointers.nodeType,
                    params_json: pointers.params,
                    params_len: pointers.paramsLength,
                    input_json: pointers.input,
                    input_len: pointers.inputLength,
                    tenant_id: pointers.tenantID,
                    execution_id: pointers.executionID,
                    host_data: UnsafeMutableRawPointer(contextPointer),
                    set_output: callSetOutput,
                    set_error: callSetError,
                    is_cancelled: callIsCancelled,
                    log: callLog
                )
                return execute(state, &call)
            }
            outcomePointer.pointee.status = status
            return context.droppedLogLines
        }
        withExtendedLifetime(cancellation) {}
        if droppedLogLines > 0 { outcome.logs.append(PluginCallContext.droppedLinesMarker(droppedLogLines)) }
        return outcome
    }

    /// A function node's call: the parameters' JSON text in, `{"result":…}` out; a rejected
    /// parameter is `PH_ERR_INVALID_PARAMETERS`, an unrepresentable result `PH_ERR_EXECUTION`,
    /// each with the message naming what is wrong.
    private static func callFunction(_ function: PreparedFunction, params: UnsafeRawBufferPointer) -> PluginCallOutcome {
        switch function.call(json: params) {
        case .success(let output):
            return PluginCallOutcome(status: PH_OK, output: output)
        case .failure(let problem):
            let status = problem.code == .invalidParameters ? PH_ERR_INVALID_PARAMETERS : PH_ERR_EXECUTION
            return PluginCallOutcome(status: status, errorCode: status, errorMessage: problem.message)
        }
    }

    /// The position of this plugin's successful `init` among the process's (0: not initialized).
    var initializationOrder: UInt64 { initializedOrder.load(ordering: .relaxed) }

    /// Calls the plugin's `shutdown` once, after the last `execute`; later calls to `execute`
    /// are refused without reaching the plugin.
    ///
    /// Waits up to `timeout` for calls in flight to return. A call that never returns (an
    /// abandoned, timed-out node) means the plugin's `shutdown` is skipped and a warning is
    /// logged, since running it under a live `execute` could crash the host. A plugin whose
    /// `init` did not succeed is not shut down: it reported failure and holds nothing.
    /// Returns whether this call ran the plugin's `shutdown`.
    @discardableResult
    public func shutdown(waitingUpTo timeout: Duration = .seconds(5)) -> Bool {
        let previous = lifecycle.bitwiseOr(Self.closedBit, ordering: .acquiringAndReleasing).oldValue
        guard previous & Self.closedBit == 0, previous & Self.readyBit != 0, let descriptor else { return false }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while lifecycle.load(ordering: .acquiring) & Self.inFlightMask != 0 {
            guard clock.now < deadline else {
                host.logger.warning("shutdown skipped: a call into the plugin did not return within \(timeout)")
                return false
            }
            usleep(200)
        }
        running(PH_EXIT_GUARD_SHUTDOWN) {
            descriptor.shutdown!(UnsafeMutableRawPointer(bitPattern: pluginState.load(ordering: .relaxed)))
        }
        return true
    }
}
