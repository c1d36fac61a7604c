import Logging
import PluginDiscovery
import PluginHostCore
import PluginTenancy

/// Where to look for plugins, how to check them, and the limits every execution runs under.
public struct HostConfiguration: Sendable {
    public var directories: [SearchDirectory]
    public var scanOptions: ScanOptions
    /// The persisted scan cache file; nil keeps the cache in memory only.
    public var cacheFile: String?
    /// The persisted quarantine file; nil keeps quarantine in memory only.
    public var quarantineFile: String?
    /// How plugins are initialized (concurrency, timeout, per-plugin configuration).
    public var initOptions: InitOptions
    /// The tenant policies the host starts with; nil is single-tenant mode (everything
    /// allowed). ``PluginHost/setPolicy(_:)`` replaces them at run time, so read the host's
    /// current policies with ``PluginHost/policy``, not this field.
    public var policy: TenantPolicySet?
    /// Where audit records go (explicit path > the policy file's `auditLog` > the default).
    public var auditLogPath: String?
    public var auditDurability: AuditLog.Durability
    /// Where audit records go instead of a file, when set (a store's table, an embedder's own
    /// log): `auditLogPath` and the policy's `auditLog` are then not used.
    public var auditSink: (any AuditSink)?
    public var logger: Logger
    /// The largest output a plugin may hand back, in bytes; a larger one is OUTPUT_TOO_LARGE
    /// and is never copied into the host (16 MiB by default).
    public var maximumOutputBytes: Int
    /// When each node type's circuit opens and for how long.
    public var circuitBreaker: CircuitBreaker.Configuration
    /// The time source for circuit-breaker cool-downs and retry backoff waits. Tests inject a
    /// ``ManualClock`` so both run without real waiting. Attempt timeouts (`timeoutMs`) always
    /// use real time: they bound how long a real plugin call is waited for.
    public var clock: any HostClock
    /// Uniform numbers in `[0, 1)` for retry jitter; tests inject a seeded sequence.
    public var random: @Sendable () -> Double
    /// Where node calls run for tenants whose policy does not say, and the worker processes'
    /// defaults.
    public var isolation: IsolationOptions
    /// How large and how deep the documents the host reads for its callers may be (workflows,
    /// policies, embedding arguments); see ``InputLimits`` for each cap and its code.
    public var limits: InputLimits

    public init(
        directories: [SearchDirectory], scanOptions: ScanOptions = ScanOptions(), cacheFile: String? = nil,
        quarantineFile: String? = nil, initOptions: InitOptions = InitOptions(), policy: TenantPolicySet? = nil,
        auditLogPath: String? = nil, auditDurability: AuditLog.Durability = .everyRecord,
        logger: Logger = Logger(label: "plugin-host"),
        maximumOutputBytes: Int = HostConfiguration.defaultMaximumOutputBytes,
        circuitBreaker: CircuitBreaker.Configuration = CircuitBreaker.Configuration(),
        clock: any HostClock = MonotonicClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        isolation: IsolationOptions = IsolationOptions(),
        limits: InputLimits = InputLimits(), auditSink: (any AuditSink)? = nil
    ) {
        self.directories = directories
        self.scanOptions = scanOptions
        self.cacheFile = cacheFile
        self.quarantineFile = quarantineFile
        self.initOptions = initOptions
        self.policy = policy
        self.auditLogPath = auditLogPath
        self.auditDurability = auditDurability
        self.logger = logger
        self.maximumOutputBytes = maximumOutputBytes
        self.circuitBreaker = circuitBreaker
        self.clock = clock
        self.random = random
        self.isolation = isolation
        self.limits = limits
        self.auditSink = auditSink
    }

    /// 16 MiB: far above what a node should pass between steps, far below what hurts the host.
    public static let defaultMaximumOutputBytes = 16 << 20
}

/// How the host isolates node calls (see ``IsolationMode``) when a tenant's policy does not say.
public struct IsolationOptions: Sendable {
    /// The mode for requests whose tenant policy sets no `isolation` (and for requests without
    /// a policy). A policy's own `isolation` always wins: a flag never loosens a policy.
    public var mode: IsolationMode
    /// Limits for tenants whose policy sets none; a policy's `limits` override field by field.
    public var limits: ResourceLimits
    /// The `plugin-host-worker` executable; nil looks for it (``WorkerExecutable/locate``).
    public var workerExecutable: String?
    /// The most worker processes one tenant's pool runs at once.
    public var maximumWorkers: Int

    public init(
        mode: IsolationMode = .none, limits: ResourceLimits = IsolationOptions.defaultLimits, workerExecutable: String? = nil,
        maximumWorkers: Int = 4
    ) {
        self.mode = mode
        self.limits = limits
        self.workerExecutable = workerExecutable
        self.maximumWorkers = maximumWorkers
    }

    /// The limits when neither a policy nor the host sets any: 2048 MiB of address space per
    /// worker, generous for a node and small enough that a runaway allocation cannot take the
    /// machine down; no CPU limit (a timeout is the usual bound).
    public static let defaultLimits = ResourceLimits(memoryMb: 2048)
}
