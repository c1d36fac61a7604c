import PluginHostCore

/// Checks plugin metadata JSON, strict or loose, against the manifest format (sdk/README.md,
/// *Metadata*).
///
/// Every problem is reported in one pass. What each rule costs in each mode:
///
/// | What is wrong                                        | Code                 | strict | loose                          |
/// |------------------------------------------------------|----------------------|--------|--------------------------------|
/// | not JSON / invalid UTF-8                             | METADATA_NOT_JSON    | error  | error (manifest nil)           |
/// | top level not an object                              | META_BAD_VALUE       | error  | error (manifest nil)           |
/// | a key repeated in one object                         | META_DUPLICATE_KEY   | error  | warning (last value used)      |
/// | a key the format does not define                     | META_UNKNOWN_KEY     | error  | warning (ignored)              |
/// | `id`, `version`, `abi`, `nodes`, `nodeType` missing  | META_MISSING_FIELD   | error  | error                          |
/// | any other non-optional field missing                 | META_MISSING_FIELD   | error  | warning, default filled        |
/// | wrong JSON type or empty string, optional fields too | META_BAD_VALUE       | error  | warning, default filled        |
/// | `id`/`abi`/`nodes`/`nodeType` of the wrong type      | META_BAD_VALUE       | error  | error                          |
/// | `nodes` empty                                        | META_BAD_VALUE       | error  | warning (nothing to load)      |
/// | `id` not reverse-DNS                                 | META_BAD_ID          | error  | error                          |
/// | plugin `version` not semver                          | META_BAD_SEMVER      | error  | error (dependencies need it)   |
/// | node `version` not semver                            | META_BAD_SEMVER      | error  | warning, "1.0.0"               |
/// | `abi` not "MAJOR.MINOR"                              | META_BAD_VALUE       | error  | error                          |
/// | `abi` cannot load into this host                     | ABI_INCOMPATIBLE     | error  | error                          |
/// | `dependencies` not an object, a bad dependency id    | META_BAD_VALUE/_ID   | error  | error (resolution needs them)  |
/// | a dependency range that does not parse               | META_BAD_RANGE       | error  | error (resolution needs them)  |
/// | `nodeType` not `^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$`  | META_BAD_NODE_TYPE   | error  | error                          |
/// | two nodes with one node type                         | DUPLICATE_NODE_TYPE  | error  | error                          |
/// | schema: unsupported keyword, malformed, bad pattern  | META_BAD_SCHEMA      | error  | error (a schema present is     |
/// | `requiredFields` naming a non-property               | META_BAD_SCHEMA      | error  | error  enforced, never skipped)|
/// | a schema `default` that breaks its own schema        | META_BAD_SCHEMA      | error  | error                          |
/// | `function` not an object, a bad `symbol`             | META_BAD_VALUE       | error  | error (wrong ABI is unsafe)    |
/// | `function` signature/params bad or mismatched        | META_BAD_SIGNATURE   | error  | error                          |
/// | `function` member missing                            | META_MISSING_FIELD   | error  | error                          |
/// | a function parameter missing from an explicit schema | META_BAD_SCHEMA      | error  | error                          |
/// | standalone: `library` missing, a node w/o `function` | META_MISSING_FIELD   | error  | error                          |
/// | plugin library metadata naming a `library`           | META_BAD_VALUE       | error  | warning (ignored)              |
///
/// A function node may leave out `schema` and `requiredFields`: the schema is derived from
/// the signature (``FunctionDeclaration/derivedSchema``), `requiredFields` is its `params`.
///
/// Loose defaults: `name` = the id, `description` "", `threadSafe` false (calls serialized),
/// `dependencies` none; per node `version` "1.0.0", `category` "uncategorized", `description` "",
/// `requiredFields` [], `schema` nil (parameters unchecked), `supportedVersions` [1], `tags` [],
/// `icon` nil, `experimental` false.
///
/// The manifest is returned whenever the top level is an object, so tools can show what a broken
/// plugin claims; fields that failed hold placeholders ("" and ABI 0.0), and nodes whose type is
/// missing, malformed or repeated are left out, so they can never reach a registry. Use it for
/// loading only when no problem is an error. `node:` is set on node problems once the node's type
/// is known to be valid (a malformed one is shown, escaped, in the message instead).
public enum ManifestValidator {
    /// Keys of the manifest object. `library` is reserved for standalone manifests.
    static let manifestKeys = KeySet([
        "id", "name", "version", "abi", "author", "license", "description", "threadSafe", "dependencies", "nodes",
        "library",
    ])

    /// Parses `bytes` as JSON and checks it as a manifest in `mode`; `file` goes into every problem.
    /// `kind` says whether the bytes are a plugin library's metadata or a standalone manifest.
    /// Returns the manifest (nil only when the bytes are not a JSON object) and all problems found.
    public static func validate(
        _ bytes: [UInt8], mode: ValidationMode, file: String?, kind: ManifestKind = .pluginLibrary
    ) -> (manifest: PluginManifest?, problems: [Problem]) {
        let parsed: JSONParser.Result
        do {
            parsed = try JSONParser.parseReportingDuplicates(bytes)
        } catch {
            // Never a byte of the file in the message: the "metadata" may be a sidecar that is a
            // link to a file the plugin's author should not be shown (the position is enough).
            let message = "The metadata is not JSON: \(error.reasonWithoutInput) at line \(error.line), column \(error.column); fix the JSON text."
            return (nil, [Problem(.metadataNotJSON, .error, message, file: file)])
        }
        var check = ManifestCheck(mode: mode, file: file, kind: kind)
        for pointer in parsed.duplicateKeys {
            check.format(.metaDuplicateKey, "`\(pointer)` appears more than once in its object (the last value is used): keep one.")
        }
        guard case .object(let root) = parsed.value else {
            check.error(.metaBadValue, "The metadata is \(ManifestCheck.describe(parsed.value)), not a JSON object: write the manifest as {\"id\": …, \"nodes\": […]}.")
            return (nil, check.problems)
        }
        let manifest = check.manifest(root)
        return (manifest, check.problems)
    }
}

extension ManifestCheck {
    /// Checks the top-level object and everything in it.
    mutating func manifest(_ root: JSONObject) -> PluginManifest {
        unknownKeys(root, known: ManifestValidator.manifestKeys, at: "", node: nil)
        let id = pluginID(root)
        let version = pluginVersion(root)
        let abi = abiVersion(root)
        let name = string(root, "name", at: "", .strict, hint: "a display name such as \"Math\"",
                          fallback: "the id") ?? id ?? ""
        let author = string(root, "author", at: "", .optional, hint: "the author's name as a string", fallback: "none")
        let license = string(root, "license", at: "", .optional, hint: "a license name such as \"MIT\"", fallback: "none")
        let description = string(root, "description", at: "", .strict, hint: "a one-sentence description of the plugin",
                                 fallback: "\"\"") ?? ""
        let threadSafe = bool(root, "threadSafe", at: "", .strict,
                              fallback: "false (calls into the plugin are serialized)") ?? false
        let dependencies = dependencies(root)
        let library = library(root)
        let nodes = nodes(root)
        return PluginManifest(
            id: id ?? "", name: name, version: version ?? "", abi: abi ?? ABIVersion(major: 0, minor: 0), author: author,
            license: license, description: description, threadSafe: threadSafe, dependencies: dependencies, nodes: nodes,
            library: library
        )
    }

    /// `library`: required in a standalone manifest (the file to open at load time), refused in
    /// a plugin library's metadata, where the library is the file itself.
    private mutating func library(_ root: JSONObject) -> String? {
        let hint = "the C library to expose, a soname such as \"libm.so.6\" or a path (relative to this manifest's directory)"
        guard kind == .standalone else {
            if Self.value(of: "library", in: root) != nil {
                format(.metaBadValue, "`/library` is only for a standalone <name>.plugin.json: a plugin library's metadata describes the library it is in; remove it.")
            }
            return nil
        }
        guard let library = string(root, "library", at: "", .required, hint: hint, fallback: "") else { return nil }
        guard !library.utf8.contains(0), library.utf8.count < 4_096 else {
            error(.metaBadValue, "`/library` is \(Self.quoted(library)): a library name must have no NUL character and be shorter than 4096 bytes; fix it.")
            return nil
        }
        return library
    }

    /// Reports every key of `object` outside `known`, suggesting the right spelling of a near miss.
    mutating func unknownKeys(_ object: JSONObject, known: KeySet, at base: String, node: String?) {
        for member in object.members where !known.contains(member.key) {
            let key = member.key
            var message = "`\(Self.pointer(base, key))` is not a manifest key: "
            if let match = known.first(where: { $0.lowercased() == key.lowercased() }) {
                message += "rename it to \"\(match)\"."
            } else {
                message += "remove it or fix its spelling (known keys: \(known.sorted().joined(separator: ", ")))."
            }
            format(.metaUnknownKey, message, node: node)
        }
    }

    private mutating func pluginID(_ root: JSONObject) -> String? {
        let hint = "a reverse-DNS id such as \"org.example.math\""
        guard let id = requiredString(root, "id", hint: hint) else { return nil }
        guard ManifestNames.isValidPluginID(id) else {
            error(.metaBadID, "`/id` is \(Self.quoted(id)): plugin ids are reverse-DNS, two or more lowercase labels of a-z, 0-9 and '-' joined by dots, such as \"org.example.math\"; rename it.")
            return nil
        }
        return id
    }

    private mutating func pluginVersion(_ root: JSONObject) -> String? {
        guard let version = requiredString(root, "version", hint: "a semantic version such as \"1.2.0\"") else { return nil }
        guard SemanticVersion(version) != nil else {
            error(.metaBadSemver, "`/version` is \(Self.quoted(version)): write a semantic version MAJOR.MINOR.PATCH such as \"1.2.0\" (dependency ranges are matched against it).")
            return nil
        }
        return version
    }

    /// Built once: interpolating the host ABI into the hint cost more than the whole check.
    private static let abiHint = "the ABI version string \"\(ABIVersion.host)\" (PH_ABI_VERSION_STRING)"

    private mutating func abiVersion(_ root: JSONObject) -> ABIVersion? {
        guard let text = requiredString(root, "abi", hint: Self.abiHint) else { return nil }
        guard let abi = ABIVersion(text) else {
            error(.metaBadValue, "`/abi` is \(Self.quoted(text)): write the ABI version as \"MAJOR.MINOR\", such as \"\(ABIVersion.host)\".")
            return nil
        }
        guard abi.canLoad(into: .host) else {
            error(.abiIncompatible, "`/abi` is \"\(abi)\" but this host implements ABI \(ABIVersion.host) (a plugin needs major \(ABIVersion.host.major) and minor at most \(ABIVersion.host.minor)): rebuild the plugin against this host's SDK.")
            return nil
        }
        return abi
    }

    /// A string needed in both modes; a value of another type is an error in both modes too.
    /// An empty string is passed on, for the field's own rule (bad id, bad semver) to name.
    private mutating func requiredString(_ root: JSONObject, _ key: String, hint: String) -> String? {
        guard let value = member(root, key, at: "", .required, hint: hint, fallback: "", node: nil) else { return nil }
        if case .string(let text) = value { return text }
        wrong(.metaBadValue, "/" + key, value, hint: hint, fallback: nil, alwaysError: true, node: nil)
        return nil
    }

    /// `dependencies`: plugin id → version range. Errors in both modes, since loading a plugin
    /// without a dependency it declared (or with the wrong version of it) is not safe.
    private mutating func dependencies(_ root: JSONObject) -> [PluginDependency] {
        let hint = "an object mapping plugin ids to version ranges, {} when there are none"
        guard let value = member(root, "dependencies", at: "", .strict, hint: hint, fallback: "no dependencies", node: nil) else {
            return []
        }
        guard case .object(let object) = value else {
            wrong(.metaBadValue, "/dependencies", value, hint: hint, fallback: nil, alwaysError: true, node: nil)
            return []
        }
        var result: [PluginDependency] = []
        for (key, range) in object {
            var pointer: String { Self.pointer("/dependencies", key) }
            var usable = true
            if !ManifestNames.isValidPluginID(key) {
                error(.metaBadID, "`\(pointer)` names the plugin \(Self.quoted(key)), which is not a reverse-DNS id such as \"org.example.string\": use the id the dependency declares.")
                usable = false
            }
            guard case .string(let text) = range else {
                error(.metaBadRange, "`\(pointer)` is \(Self.describe(range)): it must be a version range string such as \"^1.0.0\"; fix it.")
                continue
            }
            guard VersionRange(text) != nil else {
                error(.metaBadRange, "`\(pointer)` is \(Self.quoted(text)), which is not a version range: use a form such as \"^1.2.0\", \"~1.2.0\", \">=1.0.0 <2.0.0\" or \"1.2.3\".")
                continue
            }
            if usable { result.append(PluginDependency(pluginID: key, range: text)) }
        }
        return result
    }
}
