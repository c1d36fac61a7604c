import Glibc
import PluginDiscovery
import PluginHostCore

/// A plugin file and the directory holding it, each opened once and proven to be what the scan
/// checked, for `dlopen` to load as `/proc/self/fd/<directory>/<name>` rather than by path.
///
/// Why: `dlopen(path)` looks the path up again, so anything that can change what the path
/// names between the scan and the load — a file renamed over it, a `renameat2(RENAME_EXCHANGE)`,
/// a directory on the way swapped for a symbolic link or for another directory — would load a
/// library nobody checked, and its constructors would run in the host. Here the path is
/// resolved once; the directory is opened (`O_DIRECTORY | O_NOFOLLOW`) and must have the
/// device, inode, mode and owner the scan's StrictModes check saw (``ScannedPlugin/directory``;
/// without that record it must pass StrictModes now); the file is opened from that descriptor
/// (`openat`, `O_NOFOLLOW`) and its `fstat` must give the scan's ``ContentStamp``. Anything else
/// is PLUGIN_CHANGED (UNSAFE_PERMISSIONS for an unrecorded directory that fails StrictModes)
/// before any of the file's code runs.
///
/// Why the directory form: the dynamic linker's `$ORIGIN` is the directory part of the name it
/// was given. Given `/proc/self/fd/N` (the file's own descriptor) it would be `/proc/self/fd`,
/// and a plugin shipping its helper libraries beside itself (RUNPATH `$ORIGIN`, the usual way
/// for C++ and Rust plugins) would not load. Given `/proc/self/fd/<directory>/<name>`, `$ORIGIN`
/// is `/proc/self/fd/<directory>`, which the kernel resolves to the checked directory itself
/// however its path changes. The form is used for every plugin, not only those whose RUNPATH
/// says `$ORIGIN`: `$ORIGIN` also appears in DT_NEEDED entries and in names a plugin passes to
/// `dlopen` at run time, and plugins find their data files with `dladdr`.
///
/// What race remains: `dlopen` looks `<name>` up in the open directory once more. Only whoever
/// can write that directory can put another file there in between — the directory passed
/// StrictModes (not group- or world-writable, owned by root or the host's user), so that is the
/// host's own user or root, who could as well have replaced the plugin before the scan (or,
/// under `--allow-unsafe-permissions`, the group or others it warned about). That swap is
/// still detected after `dlopen` (``isStillAtItsName()``: `fstatat` of the name and `fstat` of
/// the descriptor must both still give the checked identity; a rename or unlink of the checked
/// file changes its ctime), though the swapped file's constructors have run by then. Mapping
/// checks through `/proc/self/maps` were not used: on overlayfs it reports the underlying
/// layer's device and inode, not what `stat` says.
///
/// The directory descriptor stays open for as long as the library is mapped (plugins are never
/// unloaded): the link map names the library `/proc/self/fd/<directory>/<name>`, and once the
/// number were closed and reused, a run-time `dlopen("$ORIGIN/…")` or a `dladdr`-derived path
/// would look in whatever the process had opened under that number since.
struct CheckedLibraryFile {
    /// The open plugin file; closed by ``closeFile()`` once `dlopen` is done with it.
    let descriptor: Int32
    /// The open directory holding it (the resolved path's directory).
    let directoryDescriptor: Int32
    /// The file's name in that directory.
    let name: String
    /// The resolved directory's path, for messages that would otherwise say `/proc/self/fd/N`.
    let directoryPath: String
    /// The path the scan reported, for messages (the user never sees `/proc/self/fd/N`).
    let path: String
    /// The identity the scan recorded and the descriptor matched.
    let expected: ContentStamp

    /// Resolves `path` (following symbolic links as the scan did), opens its directory and the
    /// file in it with `O_NOFOLLOW` and checks both (see the type's comment): the file against
    /// `expected`, the directory against `directory` (what the scan's permission check saw) or,
    /// when the scan recorded none, against StrictModes.
    static func open(_ path: String, expected: FileIdentity, directory: FileIdentity?) -> Result<CheckedLibraryFile, Problem> {
        guard let resolvedPointer = realpath(path, nil) else {
            return .failure(changed(path, "it can no longer be found (\(String(cString: strerror(errno))))"))
        }
        let resolved = String(cString: resolvedPointer)
        free(resolvedPointer)
        guard let slash = resolved.lastIndex(of: "/") else {
            return .failure(changed(path, "it no longer resolves to an absolute path"))
        }
        let directoryPath = slash == resolved.startIndex ? "/" : String(resolved[..<slash])
        let name = String(resolved[resolved.index(after: slash)...])
        let directoryDescriptor = openRetrying { Glibc.open(directoryPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW) }
        guard directoryDescriptor >= 0 else {
            return .failure(changed(path, "its directory \(directoryPath) can no longer be opened (\(String(cString: strerror(errno))))"))
        }
        if let problem = directoryProblem(directoryDescriptor, at: directoryPath, expected: directory, file: path) {
            Glibc.close(directoryDescriptor)
            return .failure(problem)
        }
        let descriptor = openRetrying { openat(directoryDescriptor, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY) }
        guard descriptor >= 0 else {
            Glibc.close(directoryDescriptor)
            return .failure(changed(path, "it can no longer be opened (\(String(cString: strerror(errno))))"))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(descriptor)
            Glibc.close(directoryDescriptor)
            return .failure(changed(path, "it is no longer a regular file"))
        }
        let found = FileIdentity(status).contentStamp
        guard found == expected.contentStamp else {
            Glibc.close(descriptor)
            Glibc.close(directoryDescriptor)
            return .failure(changed(path, found.isSameFile(as: expected.contentStamp)
                ? "it was rewritten in place (its size, modification or change time differ)"
                : "another file is at that path now"))
        }
        return .success(CheckedLibraryFile(descriptor: descriptor, directoryDescriptor: directoryDescriptor, name: name,
                                           directoryPath: directoryPath, path: path, expected: found))
    }

    /// Why the opened directory is not the one the scan accepted: PLUGIN_CHANGED when it is
    /// another directory or its mode or owner changed since `expected` was recorded;
    /// UNSAFE_PERMISSIONS when nothing was recorded and it fails StrictModes. Nil when fine.
    private static func directoryProblem(_ descriptor: Int32, at directoryPath: String, expected: FileIdentity?, file: String) -> Problem? {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            return changed(file, "its directory \(directoryPath) can no longer be examined (\(String(cString: strerror(errno))))")
        }
        let found = FileIdentity(status)
        guard let expected else { return found.strictModesProblems(path: directoryPath, file: file).first }
        guard found.hasSameAccess(as: expected) else {
            return changed(file, found.device == expected.device && found.inode == expected.inode
                ? "the mode or owner of its directory \(directoryPath) changed"
                : "another directory is at \(directoryPath) now")
        }
        return nil
    }

    private static func openRetrying(_ call: () -> Int32) -> Int32 {
        var descriptor: Int32
        repeat { descriptor = call() } while descriptor < 0 && errno == EINTR
        return descriptor
    }

    /// Whether the file `dlopen` read by name is still the checked one: the name in the open
    /// directory (not following a link) and the open descriptor both have the checked identity.
    /// The descriptor pins the checked file, so moving it away from its name for a moment
    /// (rename, unlink) shows in its ctime, and a write in place in its mtime and ctime.
    func isStillAtItsName() -> Bool {
        var status = stat()
        guard fstat(descriptor, &status) == 0, FileIdentity(status).contentStamp == expected else { return false }
        return fstatat(directoryDescriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0
            && FileIdentity(status).contentStamp == expected
    }

    /// Closes the file; the directory descriptor is the caller's to keep or close
    /// (see ``DynamicLinker/open(directory:name:describe:directoryPath:)``).
    func closeFile() { Glibc.close(descriptor) }

    /// PLUGIN_CHANGED for `path`: `detail` says what differs.
    static func changed(_ path: String, _ detail: String, loaded: Bool = false) -> Problem {
        Problem(.pluginChanged, .error,
                "the file changed between the scan and the load (\(detail)); "
                    + (loaded ? "it stays mapped but none of its code is used: scan again" : "nothing was loaded: scan again"),
                file: path)
    }
}
