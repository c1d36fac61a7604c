import PluginHostCore
import PluginMetadata

/// Whether a scanned file may go on to loading.
public enum PluginStatus: String, Sendable {
    /// No error (warnings allowed): the loader may open it.
    case ok
    /// At least one error: it is never loaded.
    case rejected
}

/// One matched file and everything the scan learned about it.
///
/// Every file that matched a pattern becomes exactly one `ScannedPlugin`, including FIFOs,
/// dangling links and duplicates, so a report accounts for everything in the directory.
public struct ScannedPlugin: Sendable {
    /// Absolute path as found by the walk (through any symlinked directories, not resolved).
    public var path: String
    /// The file's `stat` (through symlinks); nil when it could not be stat'ed.
    public var identity: FileIdentity?
    /// The `stat` of the directory that holds the file (for a symbolic link, its target's
    /// directory), exactly as the scan's permission check (StrictModes) saw it; nil when the
    /// scan did not get that far. The loader opens this directory and requires the same device,
    /// inode, mode and owner: the plugin's `$ORIGIN` is that open directory, so its helper
    /// libraries come from the directory the scan accepted (see `CheckedLibraryFile`).
    public var directory: FileIdentity?
    /// The inspector's findings plus the scan's own (permissions, duplicates, file type).
    public var inspection: PluginInspection
    /// `rejected` exactly when ``inspection`` holds an error.
    public var status: PluginStatus

    public init(path: String, identity: FileIdentity?, inspection: PluginInspection, directory: FileIdentity? = nil) {
        self.path = path
        self.identity = identity
        self.directory = directory
        self.inspection = inspection
        // Not `containsError`: that generic extension runs unspecialized across modules.
        self.status = inspection.problems.contains { $0.severity == .error } ? .rejected : .ok
    }

    /// The manifest, when the metadata could be read.
    public var manifest: PluginManifest? { inspection.manifest }
    /// Every problem for this file, errors and warnings.
    public var problems: [Problem] { inspection.problems }

    /// Adds a problem and keeps ``status`` in step with it.
    mutating func append(_ problem: Problem) {
        inspection.problems.append(problem)
        if problem.severity == .error { status = .rejected }
    }
}
