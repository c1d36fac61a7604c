import PluginHostCore

/// One validation pass over a manifest: the mode, the file, and every problem found so far.
///
/// Field readers never stop at the first problem; they report and hand back either the value,
/// a default (loose mode) or nil, so one run lists everything a plugin author has to fix.
/// Pointers are built only when a problem is reported, to keep the valid path allocation-light.
struct ManifestCheck {
    let mode: ValidationMode
    let file: String?
    /// What kind of file the manifest came from (what it may and must declare).
    let kind: ManifestKind
    var problems: [Problem] = []

    /// How much a field matters.
    enum Presence {
        /// Needed in both modes (`id`, `version`, `abi`, `nodes`, `nodeType`).
        case required
        /// Needed in strict mode; loose mode warns and fills in a default.
        case strict
        /// May be left out in both modes (`author`, `license`, `icon`, `tags`, `experimental`).
        case optional
    }

    init(mode: ValidationMode, file: String?, kind: ManifestKind = .pluginLibrary) {
        self.mode = mode
        self.file = file
        self.kind = kind
    }

    // MARK: Reporting

    /// An error in both modes: safety rules and what dependency resolution depends on.
    mutating func error(_ code: ProblemCode, _ message: String, node: String? = nil) {
        problems.append(Problem(code, .error, message, file: file, node: node))
    }

    /// A format rule: an error in strict mode, a warning in loose mode.
    mutating func format(_ code: ProblemCode, _ message: String, node: String? = nil) {
        problems.append(Problem(code, mode == .strict ? .error : .warning, message, file: file, node: node))
    }

    mutating func report(_ code: ProblemCode, _ message: String, alwaysError: Bool, node: String?) {
        if alwaysError { error(code, message, node: node) } else { format(code, message, node: node) }
    }

    // MARK: Reading members

    /// `object[key]`, reporting META_MISSING_FIELD when it is absent and `presence` needs it.
    /// `fallback` names the loose-mode default in the warning.
    mutating func member(
        _ object: JSONObject, _ key: String, at base: String, _ presence: Presence,
        hint: String, fallback: String, node: String?
    ) -> JSONValue? {
        if let value = Self.value(of: key, in: object) { return value }
        let pointer = Self.pointer(base, key)
        switch presence {
        case .optional:
            break
        case .required:
            error(.metaMissingField, "`\(pointer)` is missing: add \(hint).", node: node)
        case .strict where mode == .strict:
            error(.metaMissingField, "`\(pointer)` is missing: add \(hint).", node: node)
        case .strict:
            format(.metaMissingField, "`\(pointer)` is missing, so \(fallback) is used: add \(hint).", node: node)
        }
        return nil
    }

    /// Reports that `value` at `pointer` is not what it must be (`code`, usually META_BAD_VALUE).
    mutating func wrong(
        _ code: ProblemCode, _ pointer: String, _ value: JSONValue, hint: String,
        fallback: String?, alwaysError: Bool, node: String?
    ) {
        if let fallback, !alwaysError, mode == .loose {
            format(code, "`\(pointer)` is \(Self.describe(value)), not \(hint), so \(fallback) is used: fix it.", node: node)
        } else {
            report(code, "`\(pointer)` is \(Self.describe(value)): it must be \(hint); fix it.", alwaysError: alwaysError, node: node)
        }
    }

    /// A non-empty string member (ASCII whitespace alone counts as empty); nil when absent or wrong.
    mutating func string(
        _ object: JSONObject, _ key: String, at base: String, _ presence: Presence,
        hint: String, fallback: String, node: String? = nil
    ) -> String? {
        guard let value = member(object, key, at: base, presence, hint: hint, fallback: fallback, node: node) else { return nil }
        if case .string(let text) = value, text.utf8.contains(where: { !Self.isASCIISpace($0) }) { return text }
        wrong(.metaBadValue, Self.pointer(base, key), value, hint: hint, fallback: fallback,
              alwaysError: presence == .required, node: node)
        return nil
    }

    /// A boolean member; nil when absent or wrong.
    mutating func bool(
        _ object: JSONObject, _ key: String, at base: String, _ presence: Presence, fallback: String, node: String? = nil
    ) -> Bool? {
        guard let value = member(object, key, at: base, presence, hint: "true or false", fallback: fallback, node: node) else {
            return nil
        }
        if case .bool(let flag) = value { return flag }
        wrong(.metaBadValue, Self.pointer(base, key), value, hint: "true or false", fallback: fallback,
              alwaysError: false, node: node)
        return nil
    }

    /// `object[key]` for a key the validator names: always ASCII, so a member can match only
    /// with the same UTF-8 length (canonical equivalence aside, an ASCII string equals only
    /// itself), and the subscript's general ASCII test can be skipped.
    static func value(of key: String, in object: JSONObject) -> JSONValue? {
        assert(key.utf8.allSatisfy { $0 < 0x80 }, "validator keys are ASCII")
        let length = key.utf8.count
        let members = object.members
        for index in members.indices where members[index].key.utf8.count == length && members[index].key == key {
            return members[index].value
        }
        return nil
    }

    // MARK: Text

    /// `base/key` as a JSON pointer.
    static func pointer(_ base: String, _ key: String) -> String {
        let plain = !key.utf8.contains { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }
        return base + "/" + (plain ? key : escapePointerToken(key))
    }

    /// Space, tab, CR or LF: what makes a required string blank.
    static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// A value as a message shows it: strings quoted and escaped (so invisible characters show),
    /// long ones cut; other values by type.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text.isEmpty ? "an empty string" : quoted(text)
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int, .double: return "the number \(value)"
        case .array(let array) where array.isEmpty: return "an empty array"
        case .array, .object:
            // Short values are clearer shown than described ("[0]"); long ones are not worth the noise.
            let text = JSONWriter.string(value)
            if text.count <= 40 { return text }
            if case .array = value { return "an array" }
            return "an object"
        }
    }

    /// `text` as a JSON string literal, at most 64 characters of it.
    static func quoted(_ text: String) -> String {
        let shown = text.count > 64 ? String(text.prefix(64)) + "…" : text
        return JSONWriter.string(.string(shown))
    }
}
