import Glibc
import PluginHostCore

/// The StrictModes rule (as OpenSSH applies it to `authorized_keys`): a plugin file and every
/// directory from the scan root down to it must not be writable by group or others, and must be
/// owned by root or by the user running the host. Otherwise another user could swap the code
/// the host is about to run.
///
/// Directories *above* the scan root are deliberately not checked: the operator chose the root,
/// and the common roots live under directories such as `/tmp` (world-writable with the sticky
/// bit) or a home directory the host cannot judge. Checking them would reject every plugin in a
/// temporary directory and teach people to pass `--allow-unsafe-permissions` by reflex.
///
/// A symbolic link is different: the operator chose the link, not where it leads, and whoever
/// can write a directory on the way to the target can swap the code. So when a plugin path is or
/// passes through a symbolic link (the scan root, a followed directory or the file itself), the
/// target is checked all the way up (``targetDirectoryProblems(_:status:file:)``): the target's own
/// directory by the rule above, and every directory above it up to `/` the same way except
/// that a world-writable directory with the sticky bit owned by root (`/tmp`) is accepted —
/// there nobody but an entry's owner can rename or replace it, so the next directory down (the
/// user's own) is what protects the target. The file itself is checked through the link
/// already (`stat` follows it).
struct PermissionCheck {
    /// The effective user id the host runs as.
    let currentUser: uid_t
    /// `error` normally; `warning` under `allowUnsafePermissions`.
    let severity: Severity

    init(allowUnsafe: Bool, currentUser: uid_t = geteuid()) {
        self.currentUser = currentUser
        self.severity = allowUnsafe ? .warning : .error
    }

    /// Problems with `path` (a file or directory) given its mode and owner; empty when safe.
    /// Each problem is attributed to `file`, the plugin it blocks.
    func problems(path: String, mode: UInt32, owner: UInt32, file: String) -> [Problem] {
        var found: [Problem] = []
        let writable = mode & 0o022
        if writable != 0 {
            let who: String, flag: String
            switch writable {
            case 0o022: who = "group- and world-writable"; flag = "go-w"
            case 0o020: who = "group-writable"; flag = "g-w"
            default: who = "world-writable"; flag = "o-w"
            }
            let octal = String(mode & 0o7777, radix: 8)
            let padded = String(repeating: "0", count: max(0, 4 - octal.count)) + octal
            found.append(Problem(.unsafePermissions, severity,
                                 "\(path) is \(who) (mode \(padded)); \(remedy("chmod \(flag) \(path)"))",
                                 file: file))
        }
        if owner != 0 && owner != UInt32(currentUser) {
            found.append(Problem(.unsafePermissions, severity,
                                 "\(path) is owned by uid \(owner), neither root nor the user running the host (uid \(currentUser)); "
                                 + remedy("chown \(currentUser) \(path)"),
                                 file: file))
        }
        return found
    }

    private func remedy(_ command: String) -> String {
        severity == .error
            ? "run \(command) or pass --allow-unsafe-permissions"
            : "allowed by --allow-unsafe-permissions; run \(command) to fix it"
    }

    /// Problems with `directory` (the resolved directory of a symbolic link's target, checked
    /// strictly; `status` is its `stat`) and every directory above it up to `/` (see the type's
    /// comment). `file` is the plugin they block.
    func targetDirectoryProblems(_ directory: String, status: stat, file: String) -> [Problem] {
        problems(path: directory, mode: UInt32(status.st_mode), owner: UInt32(status.st_uid), file: file)
            + ancestorProblems(of: directory, file: file)
    }

    /// Problems with the directories strictly above `resolved` (an absolute path without
    /// symbolic links) up to `/`: each must pass the rule, or be root's and sticky.
    func ancestorProblems(of resolved: String, file: String) -> [Problem] {
        var found: [Problem] = []
        var current = resolved
        while current != "/", let slash = current.lastIndex(of: "/") {
            current = slash == current.startIndex ? "/" : String(current[..<slash])
            var status = stat()
            guard stat(current, &status) == 0 else { continue }
            let mode = UInt32(status.st_mode), owner = UInt32(status.st_uid)
            if owner == 0 && mode & UInt32(S_ISVTX) != 0 { continue }  // /tmp: entries cannot be swapped by others
            found += problems(path: current, mode: mode, owner: owner, file: file)
        }
        return found
    }
}

extension FileIdentity {
    /// The StrictModes problems (errors) of the directory this identity describes, at `path`,
    /// attributed to the plugin `file`: the check a scan makes, for a loader given no record of
    /// the directory the scan saw (``ScannedPlugin/directory``), so that it still refuses to
    /// take a plugin's helper libraries from a directory other users can write.
    public func strictModesProblems(path: String, file: String) -> [Problem] {
        PermissionCheck(allowUnsafe: false).problems(path: path, mode: mode, owner: owner, file: file)
    }
}
