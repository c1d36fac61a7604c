import PluginHostCore

extension ManifestCheck {
    /// The JSON Schema keywords the host's parameter validator enforces (see ``ParameterSchema``),
    /// plus the annotations `description` and `title`. Anything else is rejected rather than
    /// ignored: an author who wrote `oneOf` or `$ref` expects it enforced, and silently skipping it
    /// would let parameters the plugin never expected reach its code.
    static let schemaKeywords = KeySet([
        "type", "properties", "required", "additionalProperties", "enum", "const", "minimum", "maximum", "minLength",
        "maxLength", "pattern", "items", "minItems", "maxItems", "default", "description", "title",
    ])

    /// The seven JSON Schema type names.
    static let schemaTypes = KeySet(["null", "boolean", "object", "array", "number", "string", "integer"])

    /// Reads and checks a node's `schema`. A schema with problems is still returned (to show it
    /// and to check `requiredFields` against it); the problems are errors in both modes.
    mutating func schema(_ node: JSONObject, at base: String, node name: String?) -> JSONValue? {
        guard let value = member(node, "schema", at: base, .strict, hint: "a JSON Schema object for the node's parameters",
                                 fallback: "no schema (parameters are not checked)", node: name) else { return nil }
        guard case .object(let object) = value else {
            error(.metaBadSchema, "`\(base)/schema` is \(Self.describe(value)): it must be a JSON Schema object such as {\"type\": \"object\", \"properties\": {…}}; fix it.", node: name)
            return nil
        }
        let before = problems.count
        checkSchema(object, at: { base + "/schema" }, isRoot: true, node: name)
        if problems.count == before, Self.containsDefault(value) { checkDefaults(value, at: base, node: name) }
        return value
    }

    /// Reports each `default` that breaks its own schema: such a default would fail every call
    /// that relies on it, so it is a schema error found at scan time rather than at run time.
    /// Compiling costs more than the rest of the check, so only schemas with a default pay it.
    private mutating func checkDefaults(_ schema: JSONValue, at base: String, node: String?) {
        guard let compiled = try? ParameterSchema(schema) else { return }  // the checks above speak for it
        for violation in compiled.defaultViolations {
            error(.metaBadSchema, "`\(base)/schema\(violation.path)` \(violation.message): make the default satisfy its own schema, or remove it.", node: node)
        }
    }

    /// Whether any schema object in `value` has a `default` keyword.
    static func containsDefault(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let object):
            return object.members.contains { $0.key == "default" || containsDefault($0.value) }
        case .array(let elements):
            return elements.contains(where: containsDefault)
        default:
            return false
        }
    }

    /// Checks one schema object and, recursively, those inside `properties`, `items` and
    /// `additionalProperties`. Depth is bounded by the JSON parser's nesting limit.
    /// `pointer` builds the schema's JSON pointer; it runs only when a problem is reported, so
    /// a valid schema of any depth builds no pointer strings at all.
    private mutating func checkSchema(_ schema: JSONObject, at pointer: () -> String, isRoot: Bool, node: String?) {
        func bad(_ message: String) { error(.metaBadSchema, message, node: node) }
        for (key, value) in schema {
            // Built only when needed: most keywords are fine and need no pointer.
            var here: String { Self.pointer(pointer(), key) }
            switch key {
            case "type":
                let names: [String]? = switch value {
                case .string(let name): [name]
                case .array(let elements) where !elements.isEmpty:
                    elements.compactMap(\.stringValue).count == elements.count ? elements.compactMap(\.stringValue) : nil
                default: nil
                }
                guard let names, names.allSatisfy(Self.schemaTypes.contains), !Self.hasDuplicates(names) else {
                    bad("`\(here)` is \(Self.describe(value)): a type must be one of \(Self.schemaTypes.sorted().map { "\"\($0)\"" }.joined(separator: ", ")), or a non-empty array of distinct ones; fix it.")
                    continue
                }
                if isRoot && !names.contains("object") {
                    bad("`\(here)` is \(Self.describe(value)), but node parameters are always a JSON object: make the schema's type \"object\".")
                }
            case "properties":
                guard case .object(let properties) = value else {
                    bad("`\(here)` is \(Self.describe(value)): it must be an object mapping parameter names to schemas; fix it.")
                    continue
                }
                for (name, property) in properties {
                    subschema(property, at: { Self.pointer(Self.pointer(pointer(), key), name) }, node: node)
                }
            case "required":
                let names = value.arrayValue?.compactMap(\.stringValue)
                guard let names, names.count == value.arrayValue?.count, !Self.hasDuplicates(names) else {
                    bad("`\(here)` is \(Self.describe(value)): it must be an array of distinct property names; fix it.")
                    continue
                }
                let properties = schema["properties"]?.objectValue
                for (index, name) in names.enumerated() where properties?[name] == nil {
                    bad("`\(here)/\(index)` is \(Self.quoted(name)), which is not in `\(pointer())/properties`: add the property or remove it from \"required\".")
                }
            case "additionalProperties":
                if case .bool = value { continue }
                subschema(value, at: { here }, node: node)
            case "items":
                subschema(value, at: { here }, node: node)
            case "enum":
                guard case .array(let options) = value, !options.isEmpty else {
                    bad("`\(here)` is \(Self.describe(value)): it must be a non-empty array of the allowed values; fix it.")
                    continue
                }
            case "const", "default":
                continue
            case "minimum", "maximum":
                guard value.isNumber else {
                    bad("`\(here)` is \(Self.describe(value)): it must be a number; fix it.")
                    continue
                }
            case "minLength", "maxLength", "minItems", "maxItems":
                guard case .int(let count) = value, count >= 0 else {
                    bad("`\(here)` is \(Self.describe(value)): it must be a non-negative integer; fix it.")
                    continue
                }
            case "pattern":
                guard case .string(let pattern) = value else {
                    bad("`\(here)` is \(Self.describe(value)): it must be a regular expression string; fix it.")
                    continue
                }
                // The validator's own compiler: a pattern passes here exactly when it will run.
                if case .failure(let failure) = SchemaPattern.compile(pattern) {
                    bad("`\(here)` is \(Self.quoted(pattern)), which is not a pattern the host accepts: \(failure.message).")
                }
            case "description", "title":
                guard case .string = value else {
                    bad("`\(here)` is \(Self.describe(value)): it must be a string; fix it.")
                    continue
                }
            default:
                bad("`\(here)` uses the keyword \(Self.quoted(key)), which the host does not support: use only \(Self.schemaKeywords.sorted().joined(separator: ", ")), or remove it.")
            }
        }
        checkOrder(schema, "minimum", "maximum", at: pointer, node: node)
        checkOrder(schema, "minLength", "maxLength", at: pointer, node: node)
        checkOrder(schema, "minItems", "maxItems", at: pointer, node: node)
    }

    /// Whether a short list repeats a name (a quadratic scan beats hashing at these sizes),
    /// byte for byte: `"é"` and `"e\u0301"` are two property names.
    static func hasDuplicates(_ names: [String]) -> Bool {
        if names.count > 16 { return Set(names.map { UTF8Key($0) }).count != names.count }
        for i in names.indices where names[(i + 1)...].contains(where: { String.sameUTF8($0, names[i]) }) { return true }
        return false
    }

    /// A schema nested in another: must itself be a schema object.
    private mutating func subschema(_ value: JSONValue, at pointer: () -> String, node: String?) {
        guard case .object(let object) = value else {
            error(.metaBadSchema, "`\(pointer())` is \(Self.describe(value)): it must be a schema object such as {\"type\": \"string\"}; fix it.", node: node)
            return
        }
        checkSchema(object, at: pointer, isRoot: false, node: node)
    }

    /// A lower bound above its upper bound admits no value at all, which is never what was meant.
    private mutating func checkOrder(_ schema: JSONObject, _ lower: String, _ upper: String, at pointer: () -> String, node: String?) {
        guard let low = schema[lower]?.doubleValue, let high = schema[upper]?.doubleValue, low > high else { return }
        error(.metaBadSchema, "`\(pointer())` has \(lower) \(JSONWriter.formatDouble(low)) above \(upper) \(JSONWriter.formatDouble(high)), so no value is valid: fix the bounds.", node: node)
    }
}
