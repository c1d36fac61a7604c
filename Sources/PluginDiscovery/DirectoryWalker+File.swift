import Glibc
import PluginHostCore
import PluginMetadata

extension DirectoryWalker {
    /// Everything about one matched name: its type, duplicates, permissions, then the cached or
    /// fresh inspection. Always returns a result: a file that cannot be used is a rejected entry,
    /// never a missing one.
    /// `sidecars` holds the sidecar names present in the directory's listing.
    func scanFile(in directory: Int32, _ name: [CChar], path: String, inherited: [Problem], sidecars: Set<[CChar]>) -> ScannedPlugin {
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
                "\(path) is \(SystemCalls.describeType(status.st_mode)), not a shared library; remove it from the plugin directory",
                file: path))
        }
        let key = identity.fileKey
        if let first = firstPathByFile[key] {
            return rejected(path, identity, Problem(.duplicateFile, .error,
                "\(path) is the same file as \(first) (a symbolic or hard link); only \(first) is used, remove the extra link",
                file: path))
        }
        firstPathByFile[key] = path

        var found: [Problem] = inherited.map { $0.with(file: path) }
        found += permissions.problems(path: path, mode: identity.mode, owner: identity.owner, file: path)

        let sidecar = cached == nil || sidecars.isEmpty ? nil : sidecarStamp(in: directory, name, sidecars)
        if let entry = cached?[path], entry.mode == options.mode, entry.file == ContentStamp(identity), entry.sidecar == sidecar {
            cacheHits += 1
            cachedPaths.append(path)
            return combined(path, identity, entry.inspection, found)
        }
        cacheMisses += 1

        let descriptor: Int32
        switch SystemCalls.openFile(in: directory, name, follow: options.followSymlinks) {
        case .success(let opened): descriptor = opened
        case .failure(let code):
            return rejected(path, identity, openProblem(path: path, errno: code), found)
        }
        defer { close(descriptor) }
        filesOpened += 1
        // The name may have been swapped for another file (or a FIFO) since the stat.
        guard case .success(let opened) = SystemCalls.status(of: descriptor), (opened.st_mode & S_IFMT) == S_IFREG,
              opened.st_dev == status.st_dev, opened.st_ino == status.st_ino else {
            return rejected(path, identity, Problem(.fileUnreadable, .error,
                "\(path) changed while being scanned; scan again", file: path), found)
        }
        identity = FileIdentity(opened)
        let inspection = PluginInspector.inspect(path: path, fileDescriptor: descriptor, fileSize: Int(opened.st_size), mode: options.mode)
        if cached != nil {
            cacheUpdates[path] = ScanCache.Entry(file: ContentStamp(identity), sidecar: sidecar, mode: options.mode, inspection: inspection)
            cachedPaths.append(path)
        }
        return combined(path, identity, inspection, found)
    }

    /// The sidecar `<name>.plugin.json`'s stamp, nil when there is none. Part of the cache key
    /// because the inspector reads it when the library has no metadata note.
    private func sidecarStamp(in directory: Int32, _ name: [CChar], _ sidecars: Set<[CChar]>) -> ContentStamp? {
        var sidecarName = name
        sidecarName.removeLast()
        sidecarName += Self.sidecarSuffix
        guard sidecars.contains(sidecarName), case .success(let status) = SystemCalls.status(in: directory, sidecarName, follow: true) else { return nil }
        return ContentStamp(FileIdentity(status))
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
    private func combined(_ path: String, _ identity: FileIdentity, _ inspection: PluginInspection, _ found: [Problem]) -> ScannedPlugin {
        var result = inspection
        if !found.isEmpty { result.problems = found + inspection.problems }
        return ScannedPlugin(path: path, identity: identity, inspection: result)
    }
}
