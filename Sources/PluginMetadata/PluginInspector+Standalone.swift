import Glibc
import PluginHostCore

extension PluginInspector {
    /// Inspects a standalone manifest, a `<name>.plugin.json` that exposes an existing C
    /// library as function nodes. Only the manifest is read: the library it names is not
    /// opened, or even looked for, until the plugin is loaded, so scanning stays free of other
    /// people's code.
    ///
    /// `fileDescriptor` is the manifest as discovery opened it (not closed here), or nil to open
    /// `path` here (non-blocking, so a FIFO cannot hang the scan). Every problem names `path`.
    public static func inspectStandalone(path: String, fileDescriptor: Int32?, mode: ValidationMode) -> PluginInspection {
        let outcome: SidecarFile.Outcome
        if let fileDescriptor {
            outcome = SidecarFile.read(descriptor: fileDescriptor, path: path, label: "The manifest")
        } else {
            var fd: Int32
            repeat { fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) } while fd < 0 && errno == EINTR
            guard fd >= 0 else {
                let reason = String(cString: strerror(errno))
                return PluginInspection(path: path, problems: [
                    Problem(.fileUnreadable, .error, "The manifest \(path) could not be opened (\(reason)): check that it exists and is readable.", file: path),
                ])
            }
            defer { close(fd) }
            outcome = SidecarFile.read(descriptor: fd, path: path, label: "The manifest")
        }
        let bytes: [UInt8]
        switch outcome {
        case .found(let found): bytes = found
        case .failed(let problem): return PluginInspection(path: path, problems: [problem])
        case .absent: return PluginInspection(path: path, problems: [
            Problem(.fileUnreadable, .error, "The manifest \(path) could not be read: check that it exists.", file: path),
        ])
        }
        let (manifest, problems) = ManifestValidator.validate(bytes, mode: mode, file: path, kind: .standalone)
        return PluginInspection(path: path, origin: .standaloneManifest, rawMetadata: bytes, manifest: manifest, problems: problems)
    }
}
