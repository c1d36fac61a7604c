import PluginDiscovery
import PluginHostCore
import PluginLoader
import PluginRuntime
import PluginTenancy
import Synchronization

/// The object behind a `ph_host *`: the options it was created with and the ``PluginHost``
/// that scans, loads and executes.
///
/// Every embed.h call resolves its handle through ``HostHandle/resolve(_:)``, which holds a
/// strong reference for the length of the call, so a call racing `ph_host_destroy` finishes on
/// a live object instead of freed memory. The live-handle table also lets a NULL, stale or
/// foreign pointer be reported as INVALID_ARGUMENT instead of being dereferenced.
final class HostHandle: Sendable {
    let options: EmbedOptions
    /// Set by `ph_host_destroy`: calls prepared on the handle (``NodeCallHandle``) keep it
    /// alive but must fail from then on, as calls on the handle itself do.
    private let destroyed = Atomic<Bool>(false)
    /// Replaced when `ph_host_scan` is given other directories than the current host scans.
    private let current: Locked<PluginHost>

    init(options: EmbedOptions) {
        Self.population.withLock { $0 += 1 }
        self.options = options
        let directories = options.searchDirectories(options.pluginPath)
        current = Locked(PluginHost(configuration: options.configuration(directories: directories)))
    }

    /// When the last handle of the process goes (destroyed, and no call still using it), every
    /// initialized plugin's `shutdown` runs once, dependents first (embed.h, ph_host_destroy).
    /// Under the population lock, so a handle created meanwhile waits and then loads fresh
    /// instances whose `init` runs again, instead of picking up one being shut down.
    deinit {
        Self.population.withLock { count in
            count -= 1
            if count == 0 { PluginLoader.shutdownAll(waitingUpTo: .zero) }
        }
    }

    /// How many handles exist (live, or destroyed with a call still using them).
    private static let population = Locked<Int>(0)

    var isDestroyed: Bool { destroyed.load(ordering: .acquiring) }

    fileprivate func markDestroyed() { destroyed.store(true, ordering: .releasing) }

    /// The host serving calls now.
    var host: PluginHost { current.withLock { $0 } }

    /// Scans `paths` (nil or empty: the host's directories) and returns the report, which load
    /// and execute use from then on.
    ///
    /// ``PluginHost`` scans the directories it was configured with, so other directories mean a
    /// fresh host for them (with the policies in force): its registry starts empty and its
    /// statistics start at zero. Plugins
    /// initialized before are not initialized again (the loader keeps one initialized instance
    /// per library for the whole process); the new host registers them when it loads.
    func scan(paths: [String]?) -> ScanReport {
        guard let paths, !paths.isEmpty else { return host.scan() }
        let directories = options.searchDirectories(paths)
        let existing = host
        if existing.configuration.directories == directories { return existing.scan() }
        var configuration = existing.configuration
        configuration.directories = directories
        let replacement = PluginHost(configuration: configuration)
        let report = replacement.scan()
        current.withLock { active in
            // Under the lock, so a concurrent ph_host_set_policy lands on one host or the other.
            replacement.setPolicy(active.policy)
            active = replacement
        }
        return report
    }

    /// Replaces the tenant policies of the host serving calls (see ``PluginHost/setPolicy(_:)``).
    func setPolicy(_ policy: TenantPolicySet?) {
        current.withLock { $0.setPolicy(policy) }
    }
}

extension HostHandle {
    /// Handles given out and not yet destroyed.
    private static let live = LiveHandles<HostHandle>()

    /// Stores `handle` in the live table and returns the pointer the caller gets.
    static func register(_ handle: HostHandle) -> OpaquePointer { live.register(handle) }

    /// The live handle at `pointer`; NULL or an address that is not a live handle is
    /// INVALID_ARGUMENT.
    static func resolve(_ pointer: OpaquePointer?) throws(Problem) -> HostHandle {
        guard let pointer else {
            throw Problem(.invalidArgument, .error, "host is NULL; pass the handle ph_host_create returned")
        }
        guard let handle = live.resolve(pointer) else {
            throw Problem(.invalidArgument, .error,
                          "host is not a live handle (destroyed already, or never returned by ph_host_create)")
        }
        return handle
    }

    /// Removes the handle from the live table; it is freed when the last call using it (and the
    /// last ``NodeCallHandle`` prepared on it) is gone.
    static func unregister(_ pointer: OpaquePointer?) {
        guard let pointer else { return }
        live.unregister(pointer)?.markDestroyed()
    }
}
