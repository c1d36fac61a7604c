import Glibc
import PluginHostCore
import PluginMetadata

/// Walks the search directories for one scan and turns every matched file into a
/// ``ScannedPlugin``, in a deterministic order: directories in the order given, entries of each
/// directory sorted by name bytes, depth first.
///
/// The walk never hangs and never loads: a file's type is checked with `stat` before it is
/// opened (FIFOs, sockets, devices and directories are rejected unopened), it is opened
/// non-blocking and re-checked with `fstat` on the descriptor (it may have been swapped in
/// between), and only then handed to the inspector, which parses the file and runs nothing.
/// Used by one scan on one thread; ``Scanner`` owns it.
final class DirectoryWalker {
    let options: ScanOptions
    let permissions: PermissionCheck
    /// The cache as it was when the scan started; nil when the scan runs without a cache.
    let cached: [String: ScanCache.Entry]?

    var plugins: [ScannedPlugin] = []
    var problems: [Problem] = []
    /// Fresh inspections to store in the cache, by path.
    var cacheUpdates: [String: ScanCache.Entry] = [:]
    /// Paths whose inspection is now cached (hits and updates), so the cache can drop the rest.
    var cachedPaths: [String] = []
    var cacheHits = 0
    var cacheMisses = 0
    /// Plugin files opened (each miss that got as far as the inspector).
    var filesOpened = 0
    /// Opened files waiting to be inspected in a batch; each holds its slot in `plugins`.
    var pending: [PendingInspection] = []
    /// Threads that inspect a batch (``ScanOptions/inspectionThreads`` resolved).
    let inspectionThreads: Int
    /// Largest batch: bounds the descriptors held open at once.
    static let batchSize = 64

    /// First path that reached each matched file, for DUPLICATE_FILE.
    var firstPathByFile: [FileKey: String] = [:]
    /// Directories on the path from the current root to where the walk is (loop detection).
    var activeDirectories: Set<FileKey> = []
    /// Every directory entered in this scan, so none is scanned twice.
    var walkedDirectories: Set<FileKey> = []
    /// The current search directory's patterns as C strings, for `fnmatch`.
    var patterns: [[CChar]] = []
    /// The current search directory's depth limit.
    var maximumDepth = 0
    /// Whether the current search directory scans standalone manifests.
    var standaloneManifests = true
    /// Directories of the current root left unscanned for depth, reported once per root.
    var tooDeep: [String] = []
    /// The `stat` of the directory being listed, as its permission check saw it: recorded in
    /// each plugin found there (``ScannedPlugin/directory``).
    var currentDirectory: FileIdentity?

    init(options: ScanOptions, cached: [String: ScanCache.Entry]?) {
        self.options = options
        self.permissions = PermissionCheck(allowUnsafe: options.allowUnsafePermissions)
        self.cached = cached
        self.inspectionThreads = ParallelInspection.threadCount(requested: options.inspectionThreads)
    }

    /// Inspects the pending files (in parallel when there are enough) and puts each result in
    /// its slot, in walk order: the report does not depend on the thread count.
    func flushPending() {
        guard !pending.isEmpty else { return }
        let jobs = pending
        pending.removeAll(keepingCapacity: true)
        let inspections = ParallelInspection.run(jobs, mode: options.mode, threads: inspectionThreads)
        for (job, inspection) in zip(jobs, inspections) {
            close(job.descriptor)
            plugins[job.slot] = finish(job, inspection)
        }
    }

    /// Scans one search directory (the scan root, which must exist and be a directory).
    func walk(_ root: SearchDirectory) {
        patterns = root.patterns.map { Array($0.utf8CString) }
        maximumDepth = root.maximumDepth ?? options.maximumDepth
        standaloneManifests = root.standaloneManifests
        tooDeep = []
        defer { reportDepthLimit(root) }
        let path = root.path
        let descriptor: Int32
        switch path.withCString({ SystemCalls.openDirectory(in: AT_FDCWD, $0, follow: true) }) {
        case .success(let opened): descriptor = opened
        case .failure(let code):
            problems.append(rootProblem(path, errno: code))
            return
        }
        guard case .success(let status) = SystemCalls.status(of: descriptor) else {
            close(descriptor)
            problems.append(Problem(.directoryUnreadable, .error, "\(path) cannot be read; check its permissions", file: path))
            return
        }
        let key = FileKey(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        if walkedDirectories.contains(key) {
            close(descriptor)
            problems.append(Problem(.symlinkLoop, .warning,
                                    "\(path) is a directory already scanned (listed twice, or reached through a symbolic link); it was scanned once",
                                    file: path))
            return
        }
        var inherited = permissions.problems(path: path, mode: UInt32(status.st_mode), owner: UInt32(status.st_uid), file: path)
        inherited += symlinkedDirectoryProblems(path)
        walkDirectory(descriptor, path: path, key: key, status: status, depth: 0, inherited: inherited)
    }

    /// One DEPTH_LIMIT warning per search directory, however many subdirectories were skipped.
    private func reportDepthLimit(_ root: SearchDirectory) {
        // A root with its own limit (the build folder) is shallow on purpose: nothing to report.
        guard root.maximumDepth == nil, let first = tooDeep.first else { return }
        let count = tooDeep.count == 1 ? "1 directory" : "\(tooDeep.count) directories"
        problems.append(Problem(.depthLimit, .warning,
                                "\(count) below \(root.path) deeper than the depth limit (\(maximumDepth)) were not scanned, "
                                    + "e.g. \(first); raise --max-depth or move the plugins up",
                                file: first))
    }

    private func rootProblem(_ path: String, errno code: Int32) -> Problem {
        switch code {
        case ENOENT:
            return Problem(.directoryNotFound, .error, "\(path) does not exist; create it or fix the plugin path", file: path)
        case ENOTDIR:
            return Problem(.directoryNotFound, .error,
                           "\(path) is not a directory; pass the directory that holds the plugin (or use inspect for one file)",
                           file: path)
        case ELOOP:
            return Problem(.symlinkLoop, .error, "\(path) is a symbolic link loop; fix the link", file: path)
        default:
            return Problem(.directoryUnreadable, .error,
                           "\(path) cannot be opened (\(SystemCalls.describe(code))); check its permissions", file: path)
        }
    }

    /// The sidecar file name suffix, NUL-terminated.
    static let sidecarSuffix: [CChar] = Array(".plugin.json".utf8CString)

    /// What ``scanFile(in:_:listedType:path:inherited:sidecars:)`` found: a finished entry, or an
    /// opened file to inspect with its batch.
    enum FileOutcome {
        case done(ScannedPlugin)
        case pending(PendingInspection)
    }

    /// Puts `outcome` in the next slot of ``plugins``: a finished entry as it is, an opened file
    /// as a placeholder that its batch fills in (``flushPending()``), so the report keeps walk order.
    func record(_ outcome: FileOutcome, path: String) {
        switch outcome {
        case .done(let plugin):
            plugins.append(plugin)
        case .pending(var job):
            job.slot = plugins.count
            plugins.append(ScannedPlugin(path: path, identity: nil, inspection: PluginInspection(path: path)))
            pending.append(job)
        }
    }

    /// One directory entry worth a second look: a name that matched, or a possible directory.
    private struct Entry {
        /// The name as a NUL-terminated C string, for the `*at` calls.
        var name: [CChar]
        var type: UInt8
        var matched: Bool
        /// A `*.plugin.json` name: a standalone manifest unless a file `<name>` is beside it.
        var manifestCandidate = false
    }

    /// Lists `descriptor` (consumed and closed), then handles its entries in name order.
    /// `inherited` holds the permission problems of this directory and those above it, up to
    /// the scan root: they are attributed to every plugin found below. `status` is the
    /// directory's `fstat`, the one its permission check used.
    private func walkDirectory(_ descriptor: Int32, path: String, key: FileKey, status: stat, depth: Int, inherited: [Problem]) {
        guard let stream = fdopendir(descriptor) else {
            let code = errno
            close(descriptor)
            problems.append(Problem(.directoryUnreadable, depth == 0 ? .error : .warning,
                                    "\(path) cannot be listed (\(SystemCalls.describe(code))); check its permissions", file: path))
            return
        }
        defer { closedir(stream) }
        let enclosingDirectory = currentDirectory
        currentDirectory = FileIdentity(status)
        defer { currentDirectory = enclosingDirectory }
        activeDirectories.insert(key)
        walkedDirectories.insert(key)
        defer { activeDirectories.remove(key) }

        var entries: [Entry] = []
        // Sidecar (`*.plugin.json`) names seen in the listing: a plugin without one then costs
        // no extra `stat`, the listing already says it is absent.
        var sidecars: Set<[CChar]> = []
        while true {
            errno = 0
            guard let dirent = readdir(stream) else {
                let code = errno
                if code != 0 {
                    problems.append(Problem(.directoryUnreadable, depth == 0 ? .error : .warning,
                                            "\(path) could not be listed completely (\(SystemCalls.describe(code))); check the file system",
                                            file: path))
                }
                break
            }
            let type = dirent.pointee.d_type
            let entry: Entry? = withUnsafePointer(to: &dirent.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: 256) { name -> Entry? in
                    if name[0] == 0x2E { return nil }  // hidden, and "." / ".."
                    let length = strlen(name)
                    var manifestCandidate = false
                    if length > Self.sidecarSuffix.count - 1,
                       memcmp(name + length - (Self.sidecarSuffix.count - 1), Self.sidecarSuffix, Self.sidecarSuffix.count - 1) == 0 {
                        sidecars.insert(Array(UnsafeBufferPointer(start: name, count: length + 1)))
                        manifestCandidate = true
                    }
                    let matched = patterns.contains { fnmatch($0, name, 0) == 0 }
                    let maybeDirectory = type == UInt8(DT_DIR) || type == UInt8(DT_UNKNOWN)
                        || (type == UInt8(DT_LNK) && options.followSymlinks)
                    manifestCandidate = manifestCandidate && (standaloneManifests || matched)
                    guard matched || maybeDirectory || manifestCandidate else { return nil }
                    return Entry(name: Array(UnsafeBufferPointer(start: name, count: length + 1)), type: type, matched: matched,
                                 manifestCandidate: manifestCandidate)
                }
            }
            if let entry { entries.append(entry) }
        }
        entries.sort { lhs, rhs in
            lhs.name.withUnsafeBufferPointer { l in rhs.name.withUnsafeBufferPointer { r in strcmp(l.baseAddress!, r.baseAddress!) < 0 } }
        }
        // Room for this directory's files up front: growing these one doubling at a time
        // rehashed every key again (and touched fresh pages) several times per scan.
        let matched = entries.reduce(0) { $0 + ($1.matched || $1.manifestCandidate ? 1 : 0) }
        plugins.reserveCapacity(plugins.count + matched)
        firstPathByFile.reserveCapacity(firstPathByFile.count + matched)
        if cached != nil {
            cacheUpdates.reserveCapacity(cacheUpdates.count + matched)
            cachedPaths.reserveCapacity(cachedPaths.count + matched)
        }
        let directory = dirfd(stream)
        // A `<name>.plugin.json` with a file `<name>` beside it is that file's sidecar (read by
        // the inspector with the library, or ignored when the library is not a plugin file);
        // without one it is a standalone manifest. One `fstatat` per such name, only here.
        for index in entries.indices where entries[index].manifestCandidate {
            let stem = Array(entries[index].name.dropLast(Self.sidecarSuffix.count)) + [0]
            if case .success = SystemCalls.status(in: directory, stem, follow: false) {
                entries[index].manifestCandidate = false
            }
        }
        defer { flushPending() }  // before the directory closes, so no result waits on another directory
        let prefix = path == "/" ? "/" : path + "/"
        for entry in entries {
            let childPath = prefix + entry.name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if entry.matched || entry.manifestCandidate {
                record(scanFile(in: directory, entry.name, listedType: entry.type, path: childPath, inherited: inherited,
                                sidecars: sidecars, isManifest: entry.manifestCandidate), path: childPath)
                if pending.count >= Self.batchSize { flushPending() }
            } else {
                enterIfDirectory(in: directory, entry.name, listedType: entry.type, path: childPath, depth: depth + 1,
                                 inherited: inherited)
            }
        }
    }

    /// Recurses into `name` if it is a directory (or a followed link to one) within the depth
    /// limit and not already walked. Non-matching names that are not directories are ignored,
    /// even broken links: they are not plugin files.
    private func enterIfDirectory(
        in directory: Int32, _ name: [CChar], listedType: UInt8, path: String, depth: Int, inherited: [Problem]
    ) {
        guard case .success(let status) = SystemCalls.status(in: directory, name, follow: options.followSymlinks),
              (status.st_mode & S_IFMT) == S_IFDIR else { return }
        let key = FileKey(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
        if activeDirectories.contains(key) {
            problems.append(Problem(.symlinkLoop, .warning,
                                    "\(path) leads back to a directory that contains it (a symbolic link loop); it was not entered",
                                    file: path))
            return
        }
        if walkedDirectories.contains(key) {
            problems.append(Problem(.symlinkLoop, .warning,
                                    "\(path) leads to a directory already scanned through another path; it was not entered again",
                                    file: path))
            return
        }
        if depth > maximumDepth {
            tooDeep.append(path)
            return
        }
        let descriptor: Int32
        switch SystemCalls.openDirectory(in: directory, name, follow: options.followSymlinks) {
        case .success(let opened): descriptor = opened
        case .failure(let code):
            problems.append(Problem(.directoryUnreadable, .warning,
                                    "\(path) cannot be opened (\(SystemCalls.describe(code))); its plugins were not scanned", file: path))
            return
        }
        // Re-check on the descriptor: the entry may have been replaced since the stat.
        guard case .success(let opened) = SystemCalls.status(of: descriptor),
              opened.st_dev == status.st_dev, opened.st_ino == status.st_ino else {
            close(descriptor)
            problems.append(Problem(.directoryUnreadable, .warning,
                                    "\(path) changed while being scanned; scan again", file: path))
            return
        }
        var own = inherited
        own += permissions.problems(path: path, mode: UInt32(opened.st_mode), owner: UInt32(opened.st_uid), file: path)
        if listedType == UInt8(DT_LNK) || listedType == UInt8(DT_UNKNOWN) {
            own += symlinkedDirectoryProblems(path)
        }
        walkDirectory(descriptor, path: path, key: key, status: opened, depth: depth, inherited: own)
    }

    /// For a directory reached through a symbolic link: the problems of the directories above
    /// its resolved target (its own mode is checked by the caller on the opened descriptor).
    /// Empty, at the cost of one `lstat` per path component, when no link is on the way.
    func symlinkedDirectoryProblems(_ path: String) -> [Problem] {
        guard SystemCalls.passesThroughSymlink(path), let resolved = SystemCalls.resolvedPath(path) else { return [] }
        return permissions.ancestorProblems(of: resolved, file: path)
    }
}
