import PluginDiscovery
import PluginHostCore
import PluginLoader
import PluginMetadata

/// One plugin file as a worker loads it: where it is, what the host's scan saw (so the worker
/// can refuse a file swapped since), how to check it, and its `init` configuration.
public struct WorkerPluginSpec: Sendable, Hashable {
    public var path: String
    public var pluginID: String
    public var identity: FileIdentity
    public var mode: ValidationMode
    public var allowUnsafePermissions: Bool
    /// The JSON object text passed to `init`.
    public var config: String

    public init(path: String, pluginID: String, identity: FileIdentity, mode: ValidationMode, allowUnsafePermissions: Bool, config: String) {
        self.path = path
        self.pluginID = pluginID
        self.identity = identity
        self.mode = mode
        self.allowUnsafePermissions = allowUnsafePermissions
        self.config = config
    }
}

/// One node call for a worker: the plugins to have loaded (dependencies first, the plugin
/// that runs the node last) and the call itself.
public struct WorkerCall: Sendable {
    public var plugins: [WorkerPluginSpec]
    public var request: PluginCallRequest
    /// Monotonic nanoseconds after which the host no longer waits for the call; a worker that
    /// reaches it later skips it. Nil: no limit.
    public var deadline: UInt64?

    public init(plugins: [WorkerPluginSpec], request: PluginCallRequest, deadline: UInt64?) {
        self.plugins = plugins
        self.request = request
        self.deadline = deadline
    }
}

/// How a call sent to a worker pool ended.
public enum WorkerCallEnd: Sendable {
    /// The plugin was called. `allocationFailed`: an allocation failed in the worker during
    /// the call (its memory limit was reached).
    case returned(PluginCallOutcome, allocationFailed: Bool)
    /// The worker could not load the plugin (or a dependency); nothing was called.
    case notLoaded(Problem)
    /// The worker died during the call (or while loading its plugin for it).
    case crashed(WorkerProcess.Death)
    /// The call's deadline passed before a worker reached it; nothing was called.
    case expired
    /// No worker could be started for it.
    case unavailable(Problem)
}
