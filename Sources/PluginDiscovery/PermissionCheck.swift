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
}
