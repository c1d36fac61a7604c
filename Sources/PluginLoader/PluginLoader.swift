#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import PluginDiscovery
import PluginFFI
import PluginHostCore
import PluginMetadata
import PluginSDK
import Synchronization

/// Turns an inspected plugin file into a ``LoadedPlugin``: the only code in the host that
/// calls `dlopen` and reads a plugin's descriptor.
///
/// Libraries are never `dlclose`d, not even when a check fails after `dlopen` succeeded.
/// Unloading is not safe for the code we load: a library built with Swift (or C++) registers
/// type metadata, protocol conformances and thread-local destructors with runtimes that outlive
/// it, and the Swift runtime crashes later when it walks a conformance table that was unmapped.
/// A C plugin may also have handed out function pointers (atexit, pthread keys) that must stay
/// callable. `RTLD_NODELETE` makes the same promise to the dynamic linker. A rejected library
/// therefore stays mapped, but none of its code beyond `ph_plugin_entry` and its static
/// constructors ever runs again.
public enum PluginLoader {
    /// Loaded plugins by the content stamp their scan recorded, so loading the same file twice
    /// (under any path) returns the same object rather than a second descriptor for one mapped
    /// library. The stamp includes the size and times: a deleted file's inode is reused by the
    /// next file created, and a new file must not be mistaken for the old one loaded from it.
    private static let loaded = Locked<[ContentStamp: LoadedPlugin]>([:])

    /// Loads a plugin the scan accepted: ``load(_:scannedAs:logger:)`` with the identity the
    /// scan recorded. PLUGIN_CHANGED when the scan recorded none.
    public static func load(_ plugin: ScannedPlugin, logger: Logger? = nil) -> Result<LoadedPlugin, Problem> {
        guard let identity = plugin.identity else {
            return .failure(CheckedLibraryFile.changed(plugin.path, "the scan could not record which file it was"))
        }
        return load(plugin.inspection, scannedAs: identity, directory: plugin.directory, logger: logger)
    }

    /// PLUGIN_CHANGED for `path` (`detail` says what differs), for a check made before loading
    /// (a worker comparing its own scan with the host's).
    public static func changedProblem(_ path: String, _ detail: String) -> Problem {
        CheckedLibraryFile.changed(path, detail)
    }

    /// Loads `inspection`'s library — exactly the file `identity` describes, the one the scan
    /// checked — and checks what its `ph_plugin_entry` returns.
    ///
    /// The file's directory and the file are each opened once and must still be what the scan
    /// checked (``CheckedLibraryFile``): the file `identity`, the directory `directory` (the
    /// device, inode, mode and owner the scan's permission check saw, ``ScannedPlugin/directory``;
    /// when nil, the directory must pass StrictModes now, else UNSAFE_PERMISSIONS). `dlopen` then
    /// loads it as `/proc/self/fd/<directory>/<name>`, so a file renamed, exchanged or rewritten
    /// at the path after the scan, a directory on the way swapped for a symbolic link, or the
    /// plugin's directory replaced, is PLUGIN_CHANGED before any of its code runs, while
    /// `$ORIGIN` in its RUNPATH still names its own directory. (A standalone manifest is read at
    /// scan time; the `library` it names is opened by name, as the dynamic linker finds it.)
    ///
    /// Refuses an inspection that is not loadable (returning its first error). Then, each with
    /// its own code: `dlopen` failure (LOAD_FAILED, with `dlerror()`'s text), no entry symbol
    /// (ENTRY_MISSING), a NULL descriptor, a `struct_size` below ABI 1.0's or a NULL callback
    /// (ENTRY_INVALID), an ABI this host cannot load (ABI_INCOMPATIBLE), and metadata that
    /// differs from the bytes scanned from the file (METADATA_MISMATCH).
    ///
    /// A standalone manifest loads its `library` instead (LOAD_FAILED with `dlerror()`'s text
    /// when it cannot be opened). In both cases each function node's symbol is then resolved
    /// (SYMBOL_MISSING, naming the node) and its call interface prepared.
    ///
    /// Host log lines the plugin writes go to `logger` with a `plugin` metadata value (its id);
    /// without one, a logger labelled `plugin-host.plugin.<id>` is made from the bootstrapped
    /// log handler.
    public static func load(
        _ inspection: PluginInspection, scannedAs identity: FileIdentity, directory: FileIdentity? = nil, logger: Logger? = nil
    ) -> Result<LoadedPlugin, Problem> {
        let path = inspection.path
        guard inspection.isLoadable, let manifest = inspection.manifest else {
            let problem = inspection.problems.first { $0.severity == .error }
                ?? Problem(.noMetadata, .error, "the file has no checked manifest; inspect it before loading", file: path)
            return .failure(problem.file == nil ? problem.with(file: path) : problem)
        }
        let key = identity.contentStamp
        return loaded.withLock { table in
            if let existing = table[key] { return .success(existing) }
            let result = inspection.origin == .standaloneManifest
                ? loadStandalone(path: path, manifest: manifest, logger: logger)
                : loadFresh(path: path, identity: identity, directory: directory, manifest: manifest,
                            rawMetadata: inspection.rawMetadata, logger: logger)
            if case .success(let plugin) = result {
                table[key] = plugin
                PluginExitGuard.register(plugin)
            }
            return result
        }
    }

    /// Shuts down every plugin loaded in this process, each once, dependents before what they
    /// depend on (the reverse of the order their inits succeeded), and forgets them: a later
    /// load of the same file makes a fresh ``LoadedPlugin`` whose `init` runs again, so init and
    /// shutdown always pair up and never overlap for one library.
    ///
    /// Called at a clean exit of `plugin-host`, when the last embed handle of the process is
    /// destroyed, and by a worker process when its host hangs up. Loads wait while it runs.
    /// A plugin with a call still running after `timeout` (a call abandoned after its time
    /// limit) is not shut down (see ``LoadedPlugin/shutdown(waitingUpTo:)``). Returns the ids of
    /// the plugins whose `shutdown` ran, in the order it ran.
    @discardableResult
    public static func shutdownAll(waitingUpTo timeout: Duration) -> [String] {
        loaded.withLock { table in
            let plugins = table.values.sorted { $0.initializationOrder > $1.initializationOrder }
            table.removeAll()
            return plugins.filter { $0.shutdown(waitingUpTo: timeout) }.map(\.id)
        }
    }

    private static func loadFresh(
        path: String, identity: FileIdentity, directory: FileIdentity?, manifest: PluginManifest, rawMetadata: [UInt8]?,
        logger: Logger?
    ) -> Result<LoadedPlugin, Problem> {
        let file: CheckedLibraryFile
        switch CheckedLibraryFile.open(path, expected: identity, directory: directory) {
        case .success(let opened): file = opened
        case .failure(let problem): return .failure(problem)
        }
        // dlopen runs the library's constructors: plugin code, marked for the exit guard.
        let opened = PluginExitGuard.whileLoading(manifest.id) {
            DynamicLinker.open(directory: file.directoryDescriptor, name: file.name, describe: path, directoryPath: file.directoryPath)
        }
        // dlopen looked the name up in the directory once more: only the directory's owner (it
        // passed StrictModes) or root could have put another file there (see CheckedLibraryFile).
        let unchanged = file.isStillAtItsName()
        file.closeFile()
        let handle: UnsafeMutableRawPointer
        switch opened.result {
        case .opened(let library):
            handle = library
            // The link map names the library (and its $ORIGIN) by this directory descriptor:
            // it stays open while the library is mapped, which is for good.
            if opened.named != file.directoryDescriptor { close(file.directoryDescriptor) }
        case .failed(let message):
            close(file.directoryDescriptor)
            return .failure(Problem(.loadFailed, .error,
                "dlopen failed: \(message); check that it is a shared library for this machine and that every library it needs is installed"
                    + (message.contains("cannot open shared object file") ? Self.dependencyAdvice : ""),
                file: path))
        }
        guard unchanged else {
            return .failure(CheckedLibraryFile.changed(path, "it was replaced or written to while being loaded", loaded: true))
        }
        guard let symbol = DynamicLinker.symbol("ph_plugin_entry", in: handle) else {
            return .failure(Problem(.entryMissing, .error,
                "the library does not export ph_plugin_entry; define it with PH_EXPORT from plugin_host/plugin.h",
                file: path))
        }
        let entry = unsafeBitCast(symbol, to: (@convention(c) () -> UnsafePointer<ph_plugin>?).self)
        switch checkDescriptor(PluginExitGuard.whileLoading(manifest.id, entry), rawMetadata: rawMetadata, path: path) {
        case .failure(let problem):
            return .failure(problem)
        case .success(let descriptor):
            return prepareFunctions(manifest, in: handle, library: path, file: path).map { functions in
                LoadedPlugin(path: path, manifest: manifest, descriptor: descriptor, functions: functions,
                             host: hostContext(path: path, manifest: manifest, logger: logger))
            }
        }
    }

    /// Opens a standalone manifest's library and prepares its function nodes. Nothing in the
    /// library runs but its constructors: there is no entry point, `init` or `shutdown`.
    private static func loadStandalone(path: String, manifest: PluginManifest, logger: Logger?) -> Result<LoadedPlugin, Problem> {
        guard let library = manifest.library else {
            return .failure(Problem(.loadFailed, .error, "the standalone manifest names no \"library\"; add one", file: path))
        }
        let target = libraryPath(library, manifest: path)
        let handle: UnsafeMutableRawPointer
        switch PluginExitGuard.whileLoading(manifest.id, { DynamicLinker.open(target) }) {
        case .opened(let opened): handle = opened
        case .failed(let message):
            return .failure(Problem(.loadFailed, .error,
                "the library \(library) could not be opened: \(message); install it, or fix \"library\" (a soname, or a path relative to the manifest's directory)",
                file: path))
        }
        return prepareFunctions(manifest, in: handle, library: library, file: path).map { functions in
            LoadedPlugin(path: path, manifest: manifest, descriptor: nil, functions: functions,
                         host: hostContext(path: path, manifest: manifest, logger: logger))
        }
    }

    /// Appended to a dependency that could not be found: where the dynamic linker looks.
    static let dependencyAdvice =
        " (libraries a plugin needs are looked up in its RUNPATH, where $ORIGIN is the plugin's own directory, then on the loader's search path)"

    /// What `dlopen` is given for a manifest's `library`: a name without `/` is a soname the
    /// dynamic linker searches for (as for a program's own libraries); a relative path is taken
    /// from the manifest's directory, never the working directory, so the manifest means the
    /// same wherever the host runs.
    static func libraryPath(_ library: String, manifest: String) -> String {
        guard library.contains("/"), !library.hasPrefix("/") else { return library }
        guard let slash = manifest.lastIndex(of: "/") else { return library }
        return String(manifest[...slash]) + library
    }

    /// Resolves and prepares every function node of `manifest` in the library `handle`.
    private static func prepareFunctions(
        _ manifest: PluginManifest, in handle: UnsafeMutableRawPointer, library: String, file: String
    ) -> Result<[PreparedFunction], Problem> {
        var functions: [PreparedFunction] = []
        for node in manifest.nodes {
            guard let declaration = node.function else { continue }
            guard let address = DynamicLinker.symbol(declaration.symbol, in: handle) else {
                return .failure(Problem(.symbolMissing, .error,
                    "node \(node.nodeType) calls \(declaration.symbol), which \(library) does not export; fix \"symbol\" or use a library that provides it",
                    file: file, node: node.nodeType))
            }
            switch PreparedFunction.prepare(nodeType: node.nodeType, declaration: declaration, address: address, file: file) {
            case .success(let function): functions.append(function)
            case .failure(let problem): return .failure(problem)
            }
        }
        return .success(functions)
    }

    private static func hostContext(path: String, manifest: PluginManifest, logger: Logger?) -> PluginHostContext {
        var pluginLogger = logger ?? Logger(label: "plugin-host.plugin.\(manifest.id)")
        pluginLogger[metadataKey: "plugin"] = "\(manifest.id)"
        return PluginHostContext(path: path, logger: pluginLogger)
    }

    /// The size of an ABI 1.0 `ph_plugin`: every field up to and including `shutdown`. Later
    /// minor versions append fields, so a larger `struct_size` is fine and a smaller one is not.
    static let minimumDescriptorSize =
        MemoryLayout<ph_plugin>.offset(of: \ph_plugin.shutdown)! + MemoryLayout<UnsafeRawPointer>.size

    /// Checks what `ph_plugin_entry` returned and copies it.
    ///
    /// Reads only `struct_size` before knowing the struct is big enough, then checks the ABI
    /// before the callbacks (another major version may lay them out differently).
    static func checkDescriptor(
        _ pointer: UnsafePointer<ph_plugin>?, rawMetadata: [UInt8]?, path: String
    ) -> Result<ph_plugin, Problem> {
        guard let pointer else {
            return .failure(Problem(.entryInvalid, .error,
                "ph_plugin_entry returned NULL; return the address of a static const ph_plugin", file: path))
        }
        let size = UnsafeRawPointer(pointer).loadUnaligned(as: UInt32.self)
        guard size >= minimumDescriptorSize else {
            return .failure(Problem(.entryInvalid, .error,
                "ph_plugin.struct_size is \(size), smaller than the \(minimumDescriptorSize) bytes of an ABI 1.0 ph_plugin; set it to sizeof(ph_plugin)",
                file: path))
        }
        let descriptor = pointer.pointee
        let abi = ABIVersion(major: descriptor.abi_major, minor: descriptor.abi_minor)
        guard abi.canLoad(into: .host) else {
            return .failure(Problem(.abiIncompatible, .error,
                "ph_plugin says ABI \(abi) but this host implements ABI \(ABIVersion.host); rebuild the plugin against this host's SDK",
                file: path))
        }
        var missing: [String] = []
        if descriptor.`init` == nil { missing.append("init") }
        if descriptor.execute == nil { missing.append("execute") }
        if descriptor.shutdown == nil { missing.append("shutdown") }
        guard missing.isEmpty else {
            return .failure(Problem(.entryInvalid, .error,
                "ph_plugin.\(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") NULL; set every callback (init, execute, shutdown)",
                file: path))
        }
        guard let metadata = descriptor.metadata_json else {
            return .failure(Problem(.metadataMismatch, .error,
                "ph_plugin.metadata_json is NULL; set it to PH_PLUGIN_METADATA_JSON", file: path))
        }
        if let difference = metadataDifference(metadata, rawMetadata) {
            return .failure(Problem(.metadataMismatch, .error,
                "ph_plugin.metadata_json (returned by ph_plugin_entry) and the metadata the scan read from the file differ (\(difference)); rebuild so both come from PH_PLUGIN_METADATA_JSON",
                file: path))
        }
        return .success(descriptor)
    }

    /// Whether the NUL-terminated `text` is exactly `bytes`, reading no further than one byte
    /// past the first difference (so a short string is never over-read).
    static func cStringEquals(_ text: UnsafePointer<CChar>, _ bytes: [UInt8]) -> Bool {
        let raw = UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self)
        for index in bytes.indices {
            let byte = raw[index]
            if byte == 0 || byte != bytes[index] { return false }
        }
        return raw[bytes.count] == 0
    }

    /// Where the descriptor's `metadata_json` and the scanned metadata (`scanned`, nil when the
    /// scan had none) differ, for the message; nil when they agree. Trailing whitespace is not a
    /// difference (a sidecar or a generated string often ends with a newline); anything else is
    /// located by byte offset, with the two lengths.
    static func metadataDifference(_ text: UnsafePointer<CChar>, _ scanned: [UInt8]?) -> String? {
        guard let scanned else { return "the scan read no metadata from the file" }
        if cStringEquals(text, scanned) { return nil }
        let returned = trimmingTrailingWhitespace(Array(UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text))))
        let expected = trimmingTrailingWhitespace(scanned)
        if returned == expected { return nil }
        let common = min(returned.count, expected.count)
        let offset = (0..<common).first { returned[$0] != expected[$0] } ?? common
        return "\(returned.count) and \(expected.count) bytes, first different at byte \(offset)"
    }

    private static func trimmingTrailingWhitespace(_ bytes: [UInt8]) -> [UInt8] {
        var end = bytes.count
        while end > 0, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[end - 1]) { end -= 1 }
        return Array(bytes[..<end])
    }
}
