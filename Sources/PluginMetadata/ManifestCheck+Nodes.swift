import PluginHostCore

extension ManifestCheck {
    /// Keys of a node object. `function` declares a libffi function node.
    static let nodeKeys = KeySet([
        "nodeType", "version", "category", "description", "requiredFields", "schema", "supportedVersions", "tags",
        "icon", "experimental", "function",
    ])

    /// Checks `nodes`, returning the nodes whose type is valid and unique within the plugin.
    mutating func nodes(_ root: JSONObject) -> [NodeDescriptor] {
        let hint = "a non-empty array of node objects, each with at least a \"nodeType\""
        guard let value = member(root, "nodes", at: "", .required, hint: hint, fallback: "", node: nil) else { return [] }
        guard case .array(let elements) = value else {
            wrong(.metaBadValue, "/nodes", value, hint: hint, fallback: nil, alwaysError: true, node: nil)
            return []
        }
        if elements.isEmpty {
            format(.metaBadValue, "`/nodes` is empty, so the plugin provides nothing: declare at least one node.")
        }
        var result: [NodeDescriptor] = []
        result.reserveCapacity(elements.count)
        /// `elements` index of each node in `result`, to name the first of a repeated type.
        var resultIndices: [Int] = []
        resultIndices.reserveCapacity(elements.count)
        /// Built only for many nodes; a handful are compared directly.
        var firstIndex: [String: Int]? = nil
        for (index, element) in elements.enumerated() {
            // Short enough to stay a small (unallocated) string; no generic interpolation.
            let base = "/nodes/" + String(index)
            guard case .object(let object) = element else {
                error(.metaBadValue, "`\(base)` is \(Self.describe(element)): each node must be an object with at least a \"nodeType\"; fix it.")
                continue
            }
            guard let node = node(object, at: base) else { continue }
            if result.count >= 16 && firstIndex == nil {
                firstIndex = Dictionary(zip(result.lazy.map(\.nodeType), resultIndices), uniquingKeysWith: { first, _ in first })
            }
            let first: Int? = if let firstIndex {
                firstIndex[node.nodeType]
            } else {
                result.indices.first { result[$0].nodeType == node.nodeType }.map { resultIndices[$0] }
            }
            if let first {
                error(.duplicateNodeType, "`\(base)/nodeType` repeats \"\(node.nodeType)\" from `/nodes/\(first)`: each node type may be declared once; rename or remove one.", node: node.nodeType)
                continue
            }
            firstIndex?[node.nodeType] = index
            result.append(node)
            resultIndices.append(index)
        }
        return result
    }

    /// Checks one node; nil when its type is missing or malformed (its other fields are still
    /// checked, so every problem is reported at once).
    private mutating func node(_ object: JSONObject, at base: String) -> NodeDescriptor? {
        let nodeType = self.nodeType(object, at: base)
        let name = nodeType  // problems name the node only once its type is known to be valid
        unknownKeys(object, known: Self.nodeKeys, at: base, node: name)
        var node = NodeDescriptor(nodeType: nodeType ?? "")
        node.version = nodeVersion(object, at: base, node: name) ?? node.version
        node.category = string(object, "category", at: base, .strict, hint: "a category such as \"math\"",
                               fallback: "\"uncategorized\"", node: name) ?? node.category
        node.description = string(object, "description", at: base, .strict, hint: "a one-sentence description of the node",
                                  fallback: "\"\"", node: name) ?? node.description
        // A function node's schema and requiredFields may be left out: both follow from the
        // signature. Its declaration is read first so a derived schema can stand in.
        let functionValue = Self.value(of: "function", in: object)
        if let functionValue { node.function = function(functionValue, at: base, node: name) }
        if functionValue == nil, kind == .standalone {
            error(.metaMissingField, "`\(base)/function` is missing: a standalone manifest has no plugin code, so each node must declare the C function it calls ({\"symbol\", \"signature\", \"params\"}).", node: name)
        }
        let isFunction = functionValue != nil
        let requiredFields = stringArray(object, "requiredFields", at: base, isFunction ? .optional : .strict,
                                         hint: "an array of parameter names, [] when there are none", fallback: "[]", node: name)
        if isFunction && Self.value(of: "schema", in: object) == nil {
            node.schema = node.function?.derivedSchema
        } else {
            node.schema = schema(object, at: base, node: name)
            if let schema = node.schema, let function = node.function { checkParams(function, against: schema, at: base, node: name) }
        }
        if let requiredFields {
            checkRequiredFields(requiredFields, against: node.schema, at: base, node: name)
            node.requiredFields = requiredFields
        } else if let function = node.function {
            node.requiredFields = function.params
        }
        node.supportedVersions = supportedVersions(object, at: base, node: name) ?? node.supportedVersions
        node.tags = stringArray(object, "tags", at: base, .optional, hint: "an array of strings", fallback: "no tags",
                                node: name) ?? node.tags
        node.icon = string(object, "icon", at: base, .optional, hint: "an icon name as a string", fallback: "no icon", node: name)
        node.experimental = bool(object, "experimental", at: base, .optional, fallback: "false", node: name) ?? false
        return nodeType.map { _ in node }
    }

    private mutating func nodeType(_ object: JSONObject, at base: String) -> String? {
        let hint = "a lowercase node type such as \"math.add\""
        guard let value = member(object, "nodeType", at: base, .required, hint: hint, fallback: "", node: nil) else { return nil }
        guard case .string(let nodeType) = value else {
            wrong(.metaBadValue, base + "/nodeType", value, hint: hint, fallback: nil, alwaysError: true, node: nil)
            return nil
        }
        guard ManifestNames.isValidNodeType(nodeType) else {
            error(.metaBadNodeType, "`\(base)/nodeType` is \(Self.describe(.string(nodeType))): node types are lowercase ASCII like \"math.add\" (a letter first, then a-z, 0-9, '_' or '-', dot-separated segments, no spaces); rename it.")
            return nil
        }
        return nodeType
    }

    private mutating func nodeVersion(_ object: JSONObject, at base: String, node: String?) -> String? {
        let hint = "a semantic version such as \"1.0.0\""
        guard let version = string(object, "version", at: base, .strict, hint: hint, fallback: "\"1.0.0\"", node: node) else {
            return nil
        }
        guard SemanticVersion(version) != nil else {
            wrong(.metaBadSemver, base + "/version", .string(version), hint: "a semantic version MAJOR.MINOR.PATCH such as \"1.0.0\"",
                  fallback: "\"1.0.0\"", alwaysError: false, node: node)
            return nil
        }
        return version
    }

    /// An array of strings (`requiredFields`, `tags`); nil when absent or wrong.
    private mutating func stringArray(
        _ object: JSONObject, _ key: String, at base: String, _ presence: Presence, hint: String, fallback: String, node: String?
    ) -> [String]? {
        guard let value = member(object, key, at: base, presence, hint: hint, fallback: fallback, node: node) else { return nil }
        if case .array(let elements) = value {
            let strings = elements.compactMap(\.stringValue)
            if strings.count == elements.count { return strings }
        }
        wrong(.metaBadValue, Self.pointer(base, key), value, hint: hint, fallback: fallback, alwaysError: false, node: node)
        return nil
    }

    private mutating func supportedVersions(_ object: JSONObject, at base: String, node: String?) -> [Int]? {
        let hint = "a non-empty array of positive integers such as [1]"
        guard let value = member(object, "supportedVersions", at: base, .strict, hint: hint, fallback: "[1]", node: node) else {
            return nil
        }
        if case .array(let elements) = value, !elements.isEmpty {
            let versions = elements.compactMap { element -> Int? in
                guard case .int(let number) = element, number > 0, number <= Int64(Int32.max) else { return nil }
                return Int(number)
            }
            if versions.count == elements.count { return versions }
        }
        wrong(.metaBadValue, base + "/supportedVersions", value, hint: hint, fallback: "[1]", alwaysError: false, node: node)
        return nil
    }

    /// Every `requiredFields` entry must be a property of the schema, or no parameters could
    /// ever be valid (or the requirement would be checked against nothing).
    private mutating func checkRequiredFields(_ fields: [String], against schema: JSONValue?, at base: String, node: String?) {
        guard let schema else { return }  // no usable schema: already reported
        let properties = schema["properties"]?.objectValue
        for (index, field) in fields.enumerated() where properties?[field] == nil {
            error(.metaBadSchema, "`\(base)/requiredFields/\(index)` is \(Self.quoted(field)), which is not a property of `\(base)/schema`: add it to the schema's \"properties\" or remove it here.", node: node)
        }
    }
}
