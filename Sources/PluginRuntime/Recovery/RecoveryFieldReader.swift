import PluginHostCore

/// Collects `RECOVERY_INVALID` problems while reading a `retry` object or an `onError` setting.
///
/// Every message starts with the JSON pointer of the value it is about (the manifest checker's
/// convention), so a person finds the exact spot in a long workflow file.
struct RecoveryFieldReader {
    /// The pointer of the object being read, e.g. `/nodes/2/retry`.
    let pointer: String
    private(set) var problems: [Problem] = []

    init(pointer: String) { self.pointer = pointer }

    /// The pointer of `key` inside the object (nil: the object itself); `key` may be a path
    /// such as `list/3` whose parts are already escaped.
    func location(_ key: String?) -> String {
        guard let key else { return pointer }
        return pointer + "/" + key
    }

    mutating func error(at key: String?, _ sentence: String) {
        problems.append(Problem(.recoveryInvalid, .error, "`\(location(key))` \(sentence)"))
    }

    mutating func warning(at key: String?, _ sentence: String) {
        problems.append(Problem(.recoveryInvalid, .warning, "`\(location(key))` \(sentence)"))
    }

    /// Reports every key of `object` not in `known`.
    mutating func rejectUnknownKeys(_ object: JSONObject, known: [String], what: String) {
        for key in object.keys where !known.contains(key) {
            error(at: escapePointerToken(key), "is not \(what): use one of \(known.joined(separator: ", ")); rename or remove it.")
        }
    }

    /// A finite number at `key`, or nil (reporting a wrong type) when it is something else.
    mutating func number(_ object: JSONObject, _ key: String, hint: String) -> Double? {
        guard let value = object[key] else { return nil }
        guard let number = value.doubleValue, number.isFinite else {
            error(at: key, "is \(Self.shown(value)): give \(hint).")
            return nil
        }
        return number
    }

    /// A value as a person should see it in a message: short JSON, or its type when long.
    static func shown(_ value: JSONValue) -> String {
        if case .double(let number) = value, !number.isFinite { return "a number out of range" }
        let text = JSONWriter.string(value)
        if text.utf8.count <= 40 { return text }
        switch value {
        case .array: return "an array"
        case .object: return "an object"
        default: return "a long \(value.typeName)"
        }
    }
}
