import PluginHostCore

/// A parameter value taken from an upstream node's output: `{"$ref": "<node name>#<JSON pointer>"}`.
///
/// A reference is recognised only as the *entire* value of a parameter (at any depth, inside
/// objects and arrays), i.e. an object whose only member is `$ref`. The text splits at the
/// first `#`: the node name is before it (so a node whose name contains `#` cannot be
/// referenced) and an RFC 6901 pointer after it (`""` is the node's whole output).
public struct ParameterReference: Sendable, Hashable {
    /// Where the reference sits in the parameters, as an RFC 6901 pointer (e.g. `/filter/0/id`).
    public var path: String
    /// The same location as tokens, for substitution without re-parsing the pointer.
    public var pathTokens: [PathToken]
    /// The referenced node's name.
    public var node: String
    /// The pointer into that node's output.
    public var pointer: String

    /// One step into a JSON value: a member of an object or an element of an array.
    public enum PathToken: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// The reference as written, `Node#/pointer`.
    public var text: String { node + "#" + pointer }
}

/// Every reference in some parameters, and every malformed one.
public struct ParameterReferenceScan: Sendable {
    public var references: [ParameterReference] = []
    /// Malformed references as (pointer to the value, why it is malformed).
    public var malformed: [(path: String, reason: String)] = []

    /// Finds references in `parameters` in document order (members in order, then elements).
    ///
    /// The parameters object itself cannot be a reference: a reference stands for one
    /// parameter's value, so `{"$ref": …}` as the whole parameters is reported as malformed.
    public init(parameters: JSONValue) {
        var tokens: [ParameterReference.PathToken] = []
        if case .object(let object) = parameters, object.count == 1, object["$ref"] != nil {
            malformed.append((path: "", reason: "a $ref stands for one parameter's value, not for the whole parameters object"))
            return
        }
        if case .object(let object) = parameters {
            for member in object {
                tokens.append(.key(member.key))
                visit(member.value, &tokens)
                tokens.removeLast()
            }
        }
    }

    private mutating func visit(_ value: JSONValue, _ tokens: inout [ParameterReference.PathToken]) {
        switch value {
        case .object(let object):
            if let target = object["$ref"] {
                record(target, extraMembers: object.count - 1, tokens)
                return
            }
            for member in object {
                tokens.append(.key(member.key))
                visit(member.value, &tokens)
                tokens.removeLast()
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                tokens.append(.index(index))
                visit(element, &tokens)
                tokens.removeLast()
            }
        default:
            break
        }
    }

    private mutating func record(_ target: JSONValue, extraMembers: Int, _ tokens: [ParameterReference.PathToken]) {
        let path = Self.pointer(tokens)
        guard extraMembers == 0 else {
            malformed.append((path: path, reason: "an object with `$ref` must have no other members"))
            return
        }
        guard case .string(let text) = target else {
            malformed.append((path: path, reason: "`$ref` must be a string \"<node name>#<JSON pointer>\", not \(target.typeName)"))
            return
        }
        // Split at the scalar `#`, not the Character: `#` + a combining mark is one Character.
        let scalars = text.unicodeScalars
        guard let hash = scalars.firstIndex(of: "#") else {
            malformed.append((path: path, reason: "`$ref` \"\(text)\" has no `#`; write \"<node name>#<JSON pointer>\" such as \"Add#/result\""))
            return
        }
        let node = String(String.UnicodeScalarView(scalars[..<hash]))
        let pointer = String(String.UnicodeScalarView(scalars[scalars.index(after: hash)...]))
        guard !node.isEmpty else {
            malformed.append((path: path, reason: "`$ref` \"\(text)\" names no node before `#`"))
            return
        }
        guard pointer.isEmpty || pointer.utf8.first == UInt8(ascii: "/") else {
            malformed.append((path: path, reason: "`$ref` \"\(text)\" has a pointer that does not start with `/` (use \"\(node)#/\(pointer)\")"))
            return
        }
        references.append(ParameterReference(path: path, pathTokens: tokens, node: node, pointer: pointer))
    }

    /// The RFC 6901 pointer for a token path.
    static func pointer(_ tokens: [ParameterReference.PathToken]) -> String {
        var text = ""
        for token in tokens {
            switch token {
            case .key(let key): text += "/" + escapePointerToken(key)
            case .index(let index): text += "/" + String(index)
            }
        }
        return text
    }
}

extension JSONValue {
    /// This value with the `$ref` at each of `references` replaced by the value at the same
    /// position in `values`, in one walk.
    ///
    /// `references` must come from a scan of this very value (so they are in document order
    /// and every step exists); a step that does not exist leaves that place unchanged. Each
    /// object or array on the way to a reference is copied once, however many references it
    /// holds: replacing them one at a time copied a 100 000-element array once per element.
    func substituting(_ references: [ParameterReference], with values: [JSONValue]) -> JSONValue {
        precondition(references.count == values.count, "one value per reference")
        guard !references.isEmpty else { return self }
        return substituting(references, values, references.indices, depth: 0)
    }

    /// `range`: the references whose paths share this value's path (`depth` tokens long).
    private func substituting(
        _ references: [ParameterReference], _ values: [JSONValue], _ range: Range<Int>, depth: Int
    ) -> JSONValue {
        if references[range.lowerBound].pathTokens.count == depth { return values[range.lowerBound] }
        switch self {
        case .array(var elements):
            for group in Self.groups(references, range, depth: depth) {
                guard case .index(let index) = references[group.lowerBound].pathTokens[depth], elements.indices.contains(index) else { continue }
                elements[index] = elements[index].substituting(references, values, group, depth: depth + 1)
            }
            return .array(elements)
        case .object(let object):
            var members = object.members
            var position = 0
            for group in Self.groups(references, range, depth: depth) {
                guard case .key(let key) = references[group.lowerBound].pathTokens[depth] else { continue }
                // Document order: each group's member comes after the previous group's.
                let start = position
                while position < members.count && members[position].key != key { position += 1 }
                guard position < members.count else { position = start; continue }
                members[position].value = members[position].value.substituting(references, values, group, depth: depth + 1)
            }
            return .object(JSONObject(members))
        default:
            return self
        }
    }

    /// `range` split into runs of references that take the same step at `depth` (consecutive,
    /// since references are in document order).
    private static func groups(_ references: [ParameterReference], _ range: Range<Int>, depth: Int) -> [Range<Int>] {
        var groups: [Range<Int>] = []
        var start = range.lowerBound
        for index in range.dropFirst() where references[index].pathTokens.count <= depth
            || references[index].pathTokens[depth] != references[start].pathTokens[depth] {
            groups.append(start..<index)
            start = index
        }
        groups.append(start..<range.upperBound)
        return groups
    }
}
