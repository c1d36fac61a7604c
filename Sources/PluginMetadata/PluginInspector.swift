import Glibc
import PluginELF
import PluginHostCore

/// Reads a plugin library's metadata from its file, without loading it, and validates it.
///
/// Scanning never runs plugin code, so the metadata comes from the ELF note that
/// `PH_PLUGIN_METADATA` embeds or, for plugins that cannot emit one, from the sidecar
/// `<file>.plugin.json`. The note wins when both exist: it is the copy `ph_plugin_entry` returns
/// and the loader compares against (METADATA_MISMATCH). Problems from validating a sidecar name
/// the sidecar, since that is the file to fix.
public enum PluginInspector {
    /// Appended to a library's path to find its sidecar manifest.
    public static let sidecarSuffix = ".plugin.json"

    /// Inspects the library at `path`. `fileDescriptor`/`fileSize` are an fd discovery already
    /// opened (and the size it saw), or nil to open `path` here. The fd is not closed.
    /// `sidecarExists` is false when the caller has just listed the directory and saw no
    /// `<file>.plugin.json`: the inspector then skips trying to open one, a failing path lookup
    /// that cost as much as the ELF read. nil (the default) or true: look for it.
    public static func inspect(
        path: String, fileDescriptor: Int32?, fileSize: Int?, mode: ValidationMode, sidecarExists: Bool? = nil
    ) -> PluginInspection {
        let elf: Result<ELFInspection, Problem>
        if let fileDescriptor {
            var size = fileSize ?? -1
            if size < 0 {
                var status = stat()
                guard fstat(fileDescriptor, &status) == 0 else {
                    let reason = String(cString: strerror(errno))
                    return PluginInspection(path: path, problems: [
                        Problem(.fileUnreadable, .error, "The library could not be examined (\(reason)): check that it is readable.", file: path),
                    ])
                }
                size = Int(status.st_size)
            }
            elf = ELFReader.inspect(fileDescriptor: fileDescriptor, fileSize: size, path: path)
        } else {
            elf = ELFReader.inspect(path: path)
        }
        let library: ELFInspection
        switch elf {
        case .failure(let problem): return PluginInspection(path: path, problems: [problem])
        case .success(let inspection): library = inspection
        }

        var inspection = PluginInspection(path: path)
        let sidecarPath = path + sidecarSuffix
        let sidecar = sidecarExists == false ? .absent : SidecarFile.read(sidecarPath)
        let metadataFile: String
        if let note = library.metadataNote.map(stripTrailingNULs) {
            guard note.count <= ELFReader.maximumMetadataSize else {
                inspection.problems.append(Problem(.metadataTooLarge, .error, "The embedded metadata is \(note.count) bytes, more than the \(ELFReader.maximumMetadataSize)-byte limit: shorten the descriptions or schemas.", file: path))
                return inspection
            }
            switch sidecar {
            case .absent:
                break
            case .found(let bytes):
                if let difference = metadataDifference(note, bytes) {
                    inspection.problems.append(Problem(.metadataSourcesDiffer, .warning, "The embedded metadata note and \(sidecarPath) differ (\(difference)); the note is used: delete the sidecar or make it match the note.", file: path))
                }
            case .failed(let problem):
                var warning = problem.with(severity: .warning)
                warning.message += " (The embedded note is used instead.)"
                inspection.problems.append(warning)
            }
            inspection.origin = .elfNote
            inspection.rawMetadata = note
            metadataFile = path
        } else {
            switch sidecar {
            case .absent:
                inspection.problems.append(Problem(.noMetadata, .error, "The library has no plugin metadata: embed it with PH_PLUGIN_METADATA or add \(sidecarPath).", file: path))
                return inspection
            case .failed(let problem):
                inspection.problems.append(problem)
                return inspection
            case .found(let bytes):
                inspection.origin = .sidecar(path: sidecarPath)
                inspection.rawMetadata = bytes
                metadataFile = sidecarPath
            }
        }

        let (manifest, problems) = ManifestValidator.validate(inspection.rawMetadata ?? [], mode: mode, file: metadataFile)
        inspection.manifest = manifest
        inspection.problems += problems
        if !library.exportsPluginEntry {
            inspection.problems.append(Problem(.entryMissing, .error, "The library does not export ph_plugin_entry: mark it PH_EXPORT and build with -fvisibility=hidden.", file: path))
        }
        return inspection
    }

    /// The note's bytes without the C string terminator (and any padding NULs).
    static func stripTrailingNULs(_ bytes: [UInt8]) -> [UInt8] {
        var end = bytes.count
        while end > 0 && bytes[end - 1] == 0 { end -= 1 }
        return end == bytes.count ? bytes : Array(bytes[..<end])
    }

    /// The same bytes, or the same JSON value (a sidecar may be formatted differently).
    /// Where the note and the sidecar first differ as JSON (formatting, key order and trailing
    /// whitespace are not differences), said for a message; nil when they agree.
    private static func metadataDifference(_ note: [UInt8], _ sidecar: [UInt8]) -> String? {
        if note == sidecar { return nil }
        guard let a = try? JSONParser.parse(note) else { return "the note is not JSON" }
        guard let b = try? JSONParser.parse(sidecar) else { return "the sidecar is not JSON" }
        guard let pointer = a.firstDifference(from: b) else { return nil }
        return pointer.isEmpty ? "at the top level" : "first at `\(pointer)`"
    }
}
