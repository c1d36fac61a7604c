import CPluginExitGuard
import Synchronization

/// Turns a plugin's `exit()` in the host's own process into a failure that names it.
///
/// A plugin running in process (`--isolation none`) that calls `exit(0)` would otherwise end
/// the host with status 0 and no output, so a failed run looks successful. Every place plugin
/// code runs in process goes through ``LoadedPlugin`` (its library's constructors and
/// `ph_plugin_entry` through ``PluginLoader``), which marks the thread with the plugin's id and
/// what it runs: a node type, or init, shutdown or load. The mark is two thread-local stores
/// when the call starts and two when it ends (no atomic, no lock, no allocation); the strings
/// are the plugin's id, prepared once per plugin, and the node type the caller already passes.
///
/// Only hosts call ``install(_:)``: the `plugin-host` command at start and `libplugin_host.so`
/// when its first handle is created, never `plugin-host-worker`, where an exit is already the
/// host's `EXECUTION_CRASHED`. Then, when `exit()` is called on a thread that runs plugin code,
/// the handler writes one line to stderr (`plugin-host: EXECUTION_CRASHED: plugin ID called
/// exit(STATUS) during node TYPE; …`) and ends the process with ``exitStatus``. The command
/// line also blames an exit called on another thread while plugin code runs (a plugin's own
/// thread), naming the plugin, because it announces its own exits (``hostExits()``);
/// an embedder's exit cannot be told from a plugin's that way, so there only the marked
/// thread counts. An exit handler the plugin registered itself may still `_exit` first with
/// another status, and `_exit`, `quick_exit` or a signal bypass exit handlers altogether.
public enum PluginExitGuard {
    /// The status a host ends with when plugin code called `exit()`: 70, `EX_SOFTWARE`.
    public static let exitStatus: Int32 = PH_EXIT_GUARD_STATUS

    /// Which kind of host installs the guard: it decides the message's advice and whether an
    /// exit on another thread is blamed on the plugin code running.
    public enum Host: Sendable {
        /// `plugin-host`, which calls ``hostExits()`` before each of its own exits.
        case commandLine
        /// `libplugin_host.so`, in a process whose exits the host does not know about.
        case embedded
    }

    /// Installs the exit handler, once per process; later calls do nothing. Returns whether
    /// this call installed it.
    @discardableResult
    public static func install(_ host: Host) -> Bool {
        // Initialized here, so the handler never runs a lazy global initializer.
        _ = loadingPlugin.load(ordering: .relaxed)
        _ = registeredCount.load(ordering: .relaxed)
        _ = slots
        switch host {
        case .commandLine:
            return ph_exit_guard_install(
                cString("plugin-host"), cString("Run it with --isolation process to contain it."),
                { what in PluginExitGuard.pluginRunningElsewhere(what) }) != 0
        case .embedded:
            return ph_exit_guard_install(
                cString("plugin-host (libplugin_host.so)"),
                cString(#"Create the host with the option "isolation": "process" to contain it."#), nil) != 0
        }
    }

    /// The host itself is about to exit: from now on only an exit on a thread running plugin
    /// code is a plugin's (a call abandoned after its timeout may still be running elsewhere).
    public static func hostExits() {
        ph_exit_guard_host_exits()
    }

    /// The plugin id and what this thread's plugin code runs (a node type, `init`, `shutdown`
    /// or `load`), or nil when it runs none. For tests and diagnostics; allocates.
    public static var currentMark: (plugin: String, what: String)? {
        let mark = ph_exit_guard_mark_now()
        guard let plugin = mark.plugin else { return nil }
        return (String(cString: plugin), mark.what.map { String(cString: $0) } ?? "")
    }

    /// Runs `body` (a `dlopen` that runs the library's constructors, or `ph_plugin_entry`)
    /// marked as loading plugin `id`.
    static func whileLoading<Result>(_ id: String, _ body: () -> Result) -> Result {
        id.withCString { idPointer in
            let previous = ph_exit_guard_enter_phase(idPointer, PH_EXIT_GUARD_LOAD)
            loadingPlugin.store(UInt(bitPattern: idPointer), ordering: .releasing)
            defer {
                loadingPlugin.store(0, ordering: .releasing)
                ph_exit_guard_leave(previous)
            }
            return body()
        }
    }

    // MARK: Plugins, for an exit on another thread

    /// Room for this many plugins; more still get the marked-thread guard, not the scan.
    private static let capacity = 4096
    /// Loaded plugins, unretained (``PluginLoader`` keeps every one for the life of the
    /// process). Written only under the loader's lock, one slot at a time, each published by
    /// ``registeredCount``; read by the exit handler without a lock.
    nonisolated(unsafe) private static let slots = UnsafeMutablePointer<UnsafeRawPointer?>.allocate(capacity: capacity)
    private static let registeredCount = Atomic<Int>(0)
    /// The id of the plugin whose library is being opened (its C string, valid meanwhile), or 0.
    private static let loadingPlugin = Atomic<UInt>(0)

    /// Adds a plugin ``PluginLoader`` just loaded and keeps. Called under the loader's lock.
    static func register(_ plugin: LoadedPlugin) {
        let index = registeredCount.load(ordering: .relaxed)
        guard index < capacity else { return }
        slots[index] = UnsafeRawPointer(Unmanaged.passUnretained(plugin).toOpaque())
        registeredCount.store(index + 1, ordering: .releasing)
    }

    /// The exit handler's question for an exit on an unmarked thread: which plugin runs code
    /// on another thread right now (its id, and in `what` its phase's name or NULL for a node
    /// call), or nil. Allocates nothing and takes no lock.
    private static func pluginRunningElsewhere(_ what: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> UnsafePointer<CChar>? {
        if let loading = UnsafePointer<CChar>(bitPattern: loadingPlugin.load(ordering: .acquiring)) {
            what?.pointee = ph_exit_guard_phase_name(PH_EXIT_GUARD_LOAD)
            return loading
        }
        let count = registeredCount.load(ordering: .acquiring)
        for index in 0..<count {
            guard let raw = slots[index] else { continue }
            let plugin = Unmanaged<LoadedPlugin>.fromOpaque(raw).takeUnretainedValue()
            if let activity = plugin.runningActivity {
                what?.pointee = activity
                return plugin.exitGuardID
            }
        }
        return nil
    }

    /// A static string's bytes as a C string (static storage, never freed).
    private static func cString(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
