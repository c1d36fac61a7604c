import PluginHostCore

/// Where a plugin's metadata came from.
public enum MetadataOrigin: Sendable, Hashable {
    /// The `plugin-host` ELF note embedded with `PH_PLUGIN_METADATA`.
    case elfNote
    /// A `<file>.plugin.json` beside the library.
    case sidecar(path: String)
    /// A standalone `<name>.plugin.json` naming an existing C library; the inspection's path
    /// is the manifest itself.
    case standaloneManifest
}

/// What the host learned about one plugin file without running any of its code.
public struct PluginInspection: Sendable {
    /// Absolute path of the library file (of the manifest, for a standalone manifest).
    public var path: String
    public var origin: MetadataOrigin?
    /// The metadata bytes exactly as found (trailing NULs removed), compared after loading
    /// against `ph_plugin.metadata_json` (METADATA_MISMATCH).
    public var rawMetadata: [UInt8]?
    /// The checked manifest; nil when the metadata could not be understood at all.
    public var manifest: PluginManifest?
    /// Every problem found, errors and warnings, in the order found.
    public var problems: [Problem]

    public init(path: String, origin: MetadataOrigin? = nil, rawMetadata: [UInt8]? = nil,
                manifest: PluginManifest? = nil, problems: [Problem] = []) {
        self.path = path
        self.origin = origin
        self.rawMetadata = rawMetadata
        self.manifest = manifest
        self.problems = problems
    }

    /// Loadable: a manifest exists and no problem is an error.
    public var isLoadable: Bool { manifest != nil && !problems.containsError }
}
