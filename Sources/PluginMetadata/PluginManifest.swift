import PluginHostCore
import PluginSDK

/// How hard metadata is checked.
///
/// `strict` is for plugin authors' CI and production hosts: every documented field present,
/// unknown keys rejected. `loose` fills in defaults and turns format complaints into warnings,
/// but never relaxes safety (ABI, permissions, duplicates, node type names stay errors).
public enum ValidationMode: String, Sendable, Hashable, CaseIterable {
    case strict
    case loose
}

/// An ABI version, `major.minor`, as in the metadata's `"abi"` field and `ph_plugin`'s header.
public struct ABIVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: UInt16
    public var minor: UInt16

    public init(major: UInt16, minor: UInt16) {
        self.major = major
        self.minor = minor
    }

    /// The ABI this host implements (from `plugin_host/version.h`).
    public static let host = ABIVersion(major: UInt16(PH_ABI_VERSION_MAJOR), minor: UInt16(PH_ABI_VERSION_MINOR))

    /// Parses `"1.0"`; nil for anything else.
    public init?(_ text: String) {
        // Fast path for the usual spelling (digits, one dot, no leading zeros), read from the
        // bytes; anything else goes through the general rule below, unchanged.
        if let (major, minor) = Self.plainDigits(text) {
            self.init(major: major, minor: minor)
            return
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = UInt16(parts[0]), let minor = UInt16(parts[1]),
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && ($0 == "0" || !$0.hasPrefix("0")) }) else { return nil }
        self.init(major: major, minor: minor)
    }

    /// `MAJOR.MINOR` as plain ASCII digits without leading zeros, each fitting `UInt16`; nil
    /// for any other text (which the general rule then judges).
    private static func plainDigits(_ text: String) -> (UInt16, UInt16)? {
        var parts: (UInt32, UInt32) = (0, 0)
        var part = 0, digits = 0, value: UInt32 = 0, leadingZero = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard part == 0, digits > 0, !(leadingZero && digits > 1) else { return nil }
                parts.0 = value
                part = 1; digits = 0; value = 0
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if digits == 0 { leadingZero = byte == UInt8(ascii: "0") }
                value = value * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard value <= UInt32(UInt16.max) else { return nil }
            } else {
                return nil
            }
        }
        guard part == 1, digits > 0, !(leadingZero && digits > 1) else { return nil }
        parts.1 = value
        return (UInt16(parts.0), UInt16(parts.1))
    }

    /// The compatibility rule: same major, and a plugin minor no newer than the host's.
    public func canLoad(into host: ABIVersion = .host) -> Bool {
        major == host.major && minor <= host.minor
    }

    public var description: String { "\(major).\(minor)" }

    public static func < (lhs: ABIVersion, rhs: ABIVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }
}

/// A dependency on another plugin: its id and a semver range such as `^1.2.0`.
public struct PluginDependency: Sendable, Hashable {
    public var pluginID: String
    public var range: String

    public init(pluginID: String, range: String) {
        self.pluginID = pluginID
        self.range = range
    }
}

/// One node type a plugin provides, as declared in its metadata.
public struct NodeDescriptor: Sendable, Hashable {
    public var nodeType: String
    public var version: String
    public var category: String
    public var description: String
    public var requiredFields: [String]
    /// The parameter schema (the supported JSON Schema subset); nil only in loose mode.
    public var schema: JSONValue?
    public var supportedVersions: [Int]
    public var tags: [String]
    public var icon: String?
    public var experimental: Bool
    /// Set when the node is a C function called through libffi rather than through the
    /// plugin's `execute`.
    public var function: FunctionDeclaration?

    public init(
        nodeType: String, version: String = "1.0.0", category: String = "uncategorized",
        description: String = "", requiredFields: [String] = [], schema: JSONValue? = nil,
        supportedVersions: [Int] = [1], tags: [String] = [], icon: String? = nil, experimental: Bool = false,
        function: FunctionDeclaration? = nil
    ) {
        self.nodeType = nodeType
        self.version = version
        self.category = category
        self.description = description
        self.requiredFields = requiredFields
        self.schema = schema
        self.supportedVersions = supportedVersions
        self.tags = tags
        self.icon = icon
        self.experimental = experimental
        self.function = function
    }
}

/// A plugin's checked metadata: who it is, what ABI it needs, and the nodes it provides.
public struct PluginManifest: Sendable, Hashable {
    public var id: String
    public var name: String
    /// Semantic version text, checked to be valid semver 2.0.
    public var version: String
    public var abi: ABIVersion
    public var author: String?
    public var license: String?
    public var description: String
    /// Whether `execute` may run concurrently; otherwise the host serializes calls.
    public var threadSafe: Bool
    public var dependencies: [PluginDependency]
    public var nodes: [NodeDescriptor]
    /// A standalone manifest's library: a soname such as `libm.so.6` (found by the dynamic
    /// linker's search) or a path, relative ones resolved against the manifest's directory.
    /// nil for a plugin library's own metadata.
    public var library: String?

    public init(
        id: String, name: String, version: String, abi: ABIVersion, author: String? = nil,
        license: String? = nil, description: String = "", threadSafe: Bool = false,
        dependencies: [PluginDependency] = [], nodes: [NodeDescriptor] = [], library: String? = nil
    ) {
        self.id = id
        self.name = name
        self.version = version
        self.abi = abi
        self.author = author
        self.license = license
        self.description = description
        self.threadSafe = threadSafe
        self.dependencies = dependencies
        self.nodes = nodes
        self.library = library
    }
}

/// Which kind of file a manifest came from, which decides what it may and must declare.
public enum ManifestKind: Sendable, Hashable {
    /// Metadata of a plugin library (its ELF note or sidecar): `library` is not allowed, and
    /// nodes are served by the plugin's `execute` unless they declare a `function`.
    case pluginLibrary
    /// A standalone `<name>.plugin.json` exposing an existing C library: `library` is
    /// required and every node must be a function node (there is no plugin code to run).
    case standalone
}
