import Glibc
import PluginHostCore
import PluginMetadata

extension DirectoryWalker {
    /// Everything about one matched name: its type, duplicates, permissions, then the cached or
    /// fresh inspection. Always returns a result: a file that cannot be used is a rejected entry,
    /// never a missing one.
    /// `sidecars` holds the sidecar names present in the directory's listing; `listedType` is the
    /// entry's `d_type`.
    /// A file that needs reading comes back `.pending`, already opened: the walker inspects
    /// pending files in batches, in parallel, and puts each result in its place.
    /// `isManifest` marks a standalone manifest: the same file checks, another inspection.
    func scanFile(
        in directory: Int32, _ name: [CChar], listedType: UInt8, path: String, inherited: [Problem], sidecars: Set<[CChar]>,
        isManifest: Bool = false
    ) -> FileOutcome {
        if listedType == UInt8(DT_REG), cached.map({ $0.isEmpty || $0[path] == nil }) ?? true,
           var job = openListedRegularFile(in: directory, name, path: path, inherited: inherited, sidecars: sidecars) {
            job.isStandaloneManifest = isManifest
            return .pending(job)
        }
        return .done(scanFileByStatus(in: directory, name, listedType: listedType, path: path, inherited: inherited,
                                      sidecars: sidecars, isManifest: isManifest))
    }

    /// The general path: `stat` first, so nothing but a regular file is ever opened.
    private func scanFileByStatus(
        in directory: Int32, _ name: [CChar], listedType: UInt8, path: String, inherited: [Problem], sidecars: Set<[CChar]>,
        isManifest: Bool
    ) -> ScannedPlugin {
        let status: stat
        switch SystemCalls.status(in: directory, name, follow: options.followSymlinks) {
        case .success(let found): status = found
        case .failure(let code):
            return rejected(path, nil, statProblem(in: directory, name, path: path, errno: code))
        }
        var identity = FileIdentity(status)
        let type = status.st_mode & S_IFMT
        if type == S_IFLNK {
            return rejected(path, identity, Problem(.notRegularFile, .error,
                "\(path) is a symbolic link and symbolic links are not followed in this scan; replace it with the file or allow following links",
                file: path))
        }
        if type != S_IFREG {
            return rejected(path, identity, Problem(.notRegularFile, .error,
                "\(path) is \(SystemCalls.describeType(status.st_mode)), not \(isManifest ? "a manifest file" : "a shared library"); remove it from the plugin directory",
                file: path))
        }
        let key = identity.fileKey
        // One hash: claim the file, and put the first path back if it was already claimed.
        if let first = firstPathByFile.updateValue(path, forKey: key) {
            firstPathByFile[key] = first
            return rejected(path, identity, Problem(.duplicateFile, .error,
                "\(path) is the same file as \(first) (a symbolic or hard link); only \(first) is used, remove the extra link",
                file: path))
        }

        var found: [Problem] = inherited.map { $0.with(file: path) }
        found += permissions.problems(path: path, mode: identity.mode, owner: identity.owner, file: path)
        var holder = currentDirectory
        if let target = symlinkTarget(in: directory, name, listedType: listedType, path: path) {
            found += target.problems
            holder = target.directory
        }

        let sidecar = cached == nil || sidecars.isEmpty ? nil : sidecarStamp(in: directory, name, sidecars)
        if let entry = cached?[path], entry.mode == options.mode, entry.file == ContentStamp(identity), entry.sidecar == sidecar {
            cacheHits += 1
            cachedPaths.append(path)
            return combined(path, identity, entry.inspection, found, directory: holder)
        }
        cacheMisses += 1

        let descriptor: Int32
        switch SystemCalls.openFile(in: directory, name, follow: options.followSymlinks) {
        case .success(let opened): descriptor = opened
        case .failure(let code):
            return rejected(path, identity, openProblem(path: path, errno: code), found)
        }
        filesOpened += 1
        // The name may have been swapped for another file (or a FIFO) since the stat.
        guard case .success(let opened) = SystemCalls.status(of: descriptor), (opened.st_mode & S_IFMT) == S_IFREG,
              opened.st_dev == status.st_dev, opened.st_ino == status.st_ino else {
            close(descriptor)
            return rejected(path, identity, Problem(.fileUnreadable, .error,
                "\(path) changed while being scanned; scan again", file: path), found)
        }
        identity = FileIdentity(opened)
        // Inspected right away (one file on this path is the rare case, not worth a batch).
        var job = pendingInspection(descriptor, name, path: path, identity: identity, sidecar: sidecar, sidecars: sidecars,
                                    found: found)
        job.directory = holder
        job.isStandaloneManifest = isManifest
        let inspection = job.inspect(mode: options.mode)
        close(descriptor)
        return finish(job, inspection)
    }

    /// For a file that is a symbolic link: the problems of its target's directory and every
    /// directory above it (``PermissionCheck/targetDirectoryProblems(_:status:file:)``), and the
    /// `stat` of that directory the check used (it, not the link's, holds the plugin). Nil for a
    /// name that is not a link; the listing says which names are links, so a regular file costs
    /// nothing here.
    private func symlinkTarget(
        in directory: Int32, _ name: [CChar], listedType: UInt8, path: String
    ) -> (problems: [Problem], directory: FileIdentity?)? {
        guard options.followSymlinks, listedType == UInt8(DT_LNK) || listedType == UInt8(DT_UNKNOWN),
              case .success(let link) = SystemCalls.status(in: directory, name, follow: false), (link.st_mode & S_IFMT) == S_IFLNK,
              let resolved = SystemCalls.resolvedPath(path), let slash = resolved.lastIndex(of: "/") else { return nil }
        let targetDirectory = slash == resolved.startIndex ? "/" : String(resolved[..<slash])
        var status = stat()
        guard stat(targetDirectory, &status) == 0 else { return ([], nil) }  // the open that follows reports it
        return (permissions.targetDirectoryProblems(targetDirectory, status: status, file: path), FileIdentity(status))
    }

    /// The cold path for a name the listing says is a regular file the cache does not know:
    /// open it first and take its `stat` from the descriptor, saving the `fstatat` (a path
    /// lookup that cost as much as the open). Nothing unsafe is opened that the long path would
    /// not open: the listing says it is a regular file, it is opened `O_NOFOLLOW` and
    /// non-blocking, and `fstat` confirms the type, as the long path re-checks after its open.
    /// Returns nil, with nothing recorded, for anything out of the ordinary (the open fails, it
    /// is not a regular file after all, it duplicates a file already seen), so the long path
    /// handles and words it exactly as before.
    private func openListedRegularFile(
        in directory: Int32, _ name: [CChar], path: String, inherited: [Problem], sidecars: Set<[CChar]>
    ) -> PendingInspection? {
        guard case .success(let descriptor) = SystemCalls.openFile(in: directory, name, follow: false) else { return nil }
        guard case .success(let status) = SystemCalls.status(of: descriptor), (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            return nil
        }
        let identity = FileIdentity(status)
        if let first = firstPathByFile.updateValue(path, forKey: identity.fileKey) {
            firstPathByFile[identity.fileKey] = first  // the long path reports the duplicate
            close(descriptor)
            return nil
        }
        var found: [Problem] = inherited.isEmpty ? [] : inherited.map { $0.with(file: path) }
        found += permissions.problems(path: path, mode: identity.mode, owner: identity.owner, file: path)
        let sidecar = cached == nil || sidecars.isEmpty ? nil : sidecarStamp(in: directory, name, sidecars)
        cacheMisses += 1
        filesOpened += 1
        var job = pendingInspection(descriptor, name, path: path, identity: identity, sidecar: sidecar, sidecars: sidecars,
                                    found: found)
        job.directory = currentDirectory
        return job
    }

    private func pendingInspection(
        _ descriptor: Int32, _ name: [CChar], path: String, identity: FileIdentity, sidecar: ContentStamp?,
        sidecars: Set<[CChar]>, found: [Problem]
    ) -> PendingInspection {
        // The listing says whether a sidecar exists; without one, the inspector need not try to
        // open it (one created since the listing is seen by the next scan, as any later change).
        let sidecarListed = !sidecars.isEmpty && sidecars.contains(Self.sidecarName(name))
        return PendingInspection(descriptor: descriptor, path: path, identity: identity, sidecar: sidecar,
                                 sidecarListed: sidecarListed, found: found)
    }

    /// Records a finished inspection in the cache updates and adds the scan's own problems.
    func finish(_ job: PendingInspection, _ inspection: PluginInspection) -> ScannedPlugin {
        if cached != nil {
            cacheUpdates[job.path] = ScanCache.Entry(file: ContentStamp(job.identity), sidecar: job.sidecar, mode: options.mode,
                                                     inspection: inspection)
            cachedPaths.append(job.path)
        }
        return combined(job.path, job.identity, inspection, job.found, directory: job.directory)
    }

    /// The sidecar `<name>.plugin.json`'s stamp, nil when there is none. Part of the cache key
    /// because the inspector reads it when the library has no metadata note.
    private func sidecarStamp(in directory: Int32, _ name: [CChar], _ sidecars: Set<[CChar]>) -> ContentStamp? {
        let sidecarName = Self.sidecarName(name)
        guard sidecars.contains(sidecarName), case .success(let status) = SystemCalls.status(in: directory, sidecarName, follow: true) else { return nil }
        return ContentStamp(FileIdentity(status))
    }

    /// `<name>.plugin.json`, NUL-terminated, from a NUL-terminated `name`.
    static func sidecarName(_ name: [CChar]) -> [CChar] {
        var sidecarName = name
        sidecarName.removeLast()
        sidecarName += sidecarSuffix
        return sidecarName
    }

    /// Why a matched name cannot be stat'ed, telling a loop from a dangling link.
    private func statProblem(in directory: Int32, _ name: [CChar], path: String, errno code: Int32) -> Problem {
        switch code {
        case ELOOP:
            return Problem(.symlinkLoop, .error,
                           "\(path) is a symbolic link loop (it leads back to itself); remove the link or point it at the plugin",
                           file: path)
        case ENOENT:
            if case .success(let link) = SystemCalls.status(in: directory, name, follow: false), (link.st_mode & S_IFMT) == S_IFLNK {
                return Problem(.fileUnreadable, .error,
                               "\(path) is a dangling symbolic link (its target does not exist); remove it or fix the target",
                               file: path)
            }
            return Problem(.fileUnreadable, .error, "\(path) disappeared while being scanned; scan again", file: path)
        default:
            return Problem(.fileUnreadable, .error,
                           "\(path) cannot be examined (\(SystemCalls.describe(code))); check its permissions", file: path)
        }
    }

    private func openProblem(path: String, errno code: Int32) -> Problem {
        switch code {
        case EACCES, EPERM:
            return Problem(.fileUnreadable, .error,
                           "\(path) cannot be read (permission denied); run chmod u+r \(path) or remove it from the plugin directory",
                           file: path)
        case ELOOP:
            return Problem(.symlinkLoop, .error, "\(path) is a symbolic link loop; remove or fix the link", file: path)
        default:
            return Problem(.fileUnreadable, .error,
                           "\(path) cannot be opened (\(SystemCalls.describe(code))); check the file", file: path)
        }
    }

    /// A file the inspector never saw: its problem (after any permission problems already found).
    private func rejected(_ path: String, _ identity: FileIdentity?, _ problem: Problem, _ earlier: [Problem] = []) -> ScannedPlugin {
        ScannedPlugin(path: path, identity: identity, inspection: PluginInspection(path: path, problems: earlier + [problem]))
    }

    /// The inspector's findings with the scan's own problems (permissions) in front of them.
    /// `directory` is the holding directory as its permission check saw it.
    private func combined(
        _ path: String, _ identity: FileIdentity, _ inspection: PluginInspection, _ found: [Problem], directory: FileIdentity?
    ) -> ScannedPlugin {
        var result = inspection
        if !found.isEmpty { result.problems = found + inspection.problems }
        return ScannedPlugin(path: path, identity: identity, inspection: result, directory: directory)
    }
}
