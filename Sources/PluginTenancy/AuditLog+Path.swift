#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import PluginHostCore

/// Where the audit log lives, and making sure its directory exists.
extension AuditLog {
    /// The audit log path to use, by precedence: an explicit path (an API parameter or CLI
    /// flag) > the policy file's top-level `auditLog` > `$XDG_STATE_HOME/plugin-host/audit.jsonl`
    /// (when `XDG_STATE_HOME` is set and absolute, as the XDG spec requires) >
    /// `$HOME/.local/state/plugin-host/audit.jsonl`. `AUDIT_FAILED` when none applies (no home).
    /// `environment` defaults to the process environment; tests pass their own.
    public static func resolvePath(
        explicit: String? = nil, policySet: TenantPolicySet? = nil, environment: [String: String]? = nil
    ) -> Result<String, Problem> {
        if let explicit, !explicit.isEmpty { return .success(PolicyFileReader.absolute(explicit)) }
        if let fromPolicy = policySet?.auditLogPath { return .success(fromPolicy) }
        func variable(_ name: String) -> String? {
            if let environment { return environment[name] }
            return getenv(name).map { String(cString: $0) }
        }
        if let state = variable("XDG_STATE_HOME"), state.hasPrefix("/") {
            return .success(join(state, "plugin-host/audit.jsonl"))
        }
        if let home = variable("HOME"), home.hasPrefix("/") {
            return .success(join(home, ".local/state/plugin-host/audit.jsonl"))
        }
        return .failure(Problem(.auditFailed, .error, "There is no place for the audit log: neither XDG_STATE_HOME nor HOME is an absolute path; set one, or set `auditLog` in the policy file."))
    }

    private static func join(_ directory: String, _ rest: String) -> String {
        directory.hasSuffix("/") ? directory + rest : directory + "/" + rest
    }

    /// Creates each missing directory above `path` with mode 0700 (the log may name tenants and
    /// what they ran); existing directories are left as they are. The corresponding C function
    /// is `mkdir`.
    static func makeParentDirectories(of path: String) throws(Problem) {
        try makeDirectory(PolicyFileReader.directory(of: path), for: path)
    }

    /// Makes `directory` and any missing ancestors; problems name the log `path`.
    private static func makeDirectory(_ directory: String, for path: String) throws(Problem) {
        guard directory != "/" else { return }
        var status = stat()
        if stat(directory, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else { throw failure(path, "cannot be created because \(directory) is not a directory", ENOTDIR) }
            return
        }
        try makeDirectory(PolicyFileReader.directory(of: directory), for: path)
        if mkdir(directory, 0o700) != 0 {
            let code = errno
            guard code == EEXIST else { throw failure(path, "cannot be created because its directory \(directory) could not be made", code) }
            return
        }
        // mkdir applies the umask; a directory we made must be exactly 0700 (not 0500 under
        // an odd umask, which would make the log uncreatable).
        _ = chmod(directory, 0o700)
    }

    /// Flushes the directory entry of a newly created log, so the file itself survives a
    /// crash and not only its contents. The corresponding C function is `fsync`.
    static func syncDirectory(of path: String) -> Problem? {
        let parent = PolicyFileReader.directory(of: path)
        let fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return failure(path, "has a directory that could not be opened to flush", errno) }
        defer { close(fd) }
        var result: Int32
        repeat { result = fsync(fd) } while result != 0 && errno == EINTR
        // Some file systems cannot fsync a directory (EINVAL); the file's own data is still
        // flushed on every record, so only a real I/O error is a failure.
        if result != 0, errno != EINVAL { return failure(path, "has a directory that could not be flushed to disk", errno) }
        return nil
    }
}
