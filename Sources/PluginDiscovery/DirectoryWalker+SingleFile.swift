import Glibc
import PluginHostCore
import PluginMetadata

extension DirectoryWalker {
    /// Scans exactly the file at `path` with every check a directory scan makes (file type,
    /// permissions of the file and its directory, the sidecar, the ELF and metadata checks),
    /// without listing the directory: a worker process re-checks the one file it was asked to
    /// load, and a directory of thousands of files must not make that cost more.
    func walkSingleFile(_ path: String) {
        let slash = path.lastIndex(of: "/")
        let directoryPath = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = Array((slash.map { String(path[path.index(after: $0)...]) } ?? path).utf8CString)
        let descriptor: Int32
        switch directoryPath.withCString({ SystemCalls.openDirectory(in: AT_FDCWD, $0, follow: true) }) {
        case .success(let opened): descriptor = opened
        case .failure(let code):
            plugins.append(ScannedPlugin(path: path, identity: nil, inspection: PluginInspection(path: path, problems: [
                Problem(.fileUnreadable, .error, "the directory of \(path) cannot be opened (\(SystemCalls.describe(code)))", file: path),
            ])))
            return
        }
        defer { close(descriptor) }
        var inherited: [Problem] = []
        currentDirectory = nil
        if case .success(let status) = SystemCalls.status(of: descriptor) {
            inherited = permissions.problems(path: directoryPath, mode: UInt32(status.st_mode), owner: UInt32(status.st_uid), file: path)
            currentDirectory = FileIdentity(status)
        }
        inherited += symlinkedDirectoryProblems(directoryPath).map { $0.with(file: path) }
        // What the listing would have told: whether a sidecar is beside it, whether it is a
        // standalone manifest (a `.plugin.json` with no library of the stem's name).
        var sidecars: Set<[CChar]> = []
        let sidecar = Self.sidecarName(name)
        if case .success = SystemCalls.status(in: descriptor, sidecar, follow: true) { sidecars.insert(sidecar) }
        var isManifest = false
        let suffix = Self.sidecarSuffix.count - 1
        if name.count - 1 > suffix, Array(name[(name.count - 1 - suffix)..<(name.count - 1)]) == Array(Self.sidecarSuffix.dropLast()) {
            let stem = Array(name.dropLast(Self.sidecarSuffix.count)) + [0]
            if case .failure = SystemCalls.status(in: descriptor, stem, follow: false) { isManifest = true }
        }
        record(scanFile(in: descriptor, name, listedType: UInt8(DT_UNKNOWN), path: path, inherited: inherited,
                        sidecars: sidecars, isManifest: isManifest), path: path)
        flushPending()
    }
}
