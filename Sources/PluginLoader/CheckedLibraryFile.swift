import Glibc
import PluginDiscovery
import PluginHostCore

/// A plugin file opened once and proven to be the file the scan checked, for `dlopen` to load
/// through its descriptor (`/proc/self/fd/N`) rather than by path.
///
/// Why: `dlopen(path)` looks the path up again, so anything that can change what the path
/// names between the scan and the load — a file renamed over it, a `renameat2(RENAME_EXCHANGE)`,
/// a directory on the way swapped for a symbolic link — would load a library nobody checked,
/// and its constructors would run in the host. Here the path is resolved and opened exactly
/// once (`O_NOFOLLOW` on the resolved target), the descriptor's `fstat` must give the scan's
/// ``ContentStamp`` (device, inode, size, mtime, ctime: the one file identity), and the dynamic
/// linker then reads that open file and nothing else. Anything else is PLUGIN_CHANGED before any
/// of the file's code runs.
///
/// The price: the link map names the library `/proc/self/fd/N`, so `$ORIGIN` in the plugin's
/// RUNPATH means `/proc/self/fd`. Libraries a plugin needs must be found another way (an
/// absolute RUNPATH, the loader's search path, or already loaded, as the Swift runtime is).
struct CheckedLibraryFile {
    /// The open plugin file; closed by ``close()`` once `dlopen` is done with it.
    let descriptor: Int32
    /// The path the scan reported, for messages (the user never sees `/proc/self/fd/N`).
    let path: String
    /// The identity the scan recorded and the descriptor matched.
    let expected: ContentStamp

    /// Resolves `path` (following symbolic links as the scan did), opens the target with
    /// `O_NOFOLLOW` and checks it against `expected`. PLUGIN_CHANGED when it is gone, not a
    /// regular file, or another file.
    static func open(_ path: String, expected: FileIdentity) -> Result<CheckedLibraryFile, Problem> {
        guard let resolved = realpath(path, nil) else {
            return .failure(changed(path, "it can no longer be found (\(String(cString: strerror(errno))))"))
        }
        defer { free(resolved) }
        var descriptor: Int32
        repeat {
            descriptor = Glibc.open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else {
            return .failure(changed(path, "it can no longer be opened (\(String(cString: strerror(errno))))"))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(descriptor)
            return .failure(changed(path, "it is no longer a regular file"))
        }
        let found = FileIdentity(status).contentStamp
        guard found == expected.contentStamp else {
            Glibc.close(descriptor)
            return .failure(changed(path, found.isSameFile(as: expected.contentStamp)
                ? "it was rewritten in place (its size, modification or change time differ)"
                : "another file is at that path now"))
        }
        return .success(CheckedLibraryFile(descriptor: descriptor, path: path, expected: found))
    }

    /// What `dlopen` is given: the descriptor's magic link, which the kernel resolves to the
    /// open file itself whatever has happened to the path since.
    var linkerPath: String { "/proc/self/fd/\(descriptor)" }

    /// Whether the open file still has the identity it had when checked (a write in place
    /// while `dlopen` read it changes its mtime and ctime).
    func isUnchanged() -> Bool {
        var status = stat()
        return fstat(descriptor, &status) == 0 && FileIdentity(status).contentStamp == expected
    }

    func close() { Glibc.close(descriptor) }

    /// PLUGIN_CHANGED for `path`: `detail` says what differs.
    static func changed(_ path: String, _ detail: String, loaded: Bool = false) -> Problem {
        Problem(.pluginChanged, .error,
                "the file changed between the scan and the load (\(detail)); "
                    + (loaded ? "it stays mapped but none of its code is used: scan again" : "nothing was loaded: scan again"),
                file: path)
    }
}
