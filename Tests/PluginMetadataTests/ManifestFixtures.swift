import PluginHostCore
import PluginMetadata

/// Manifests for the validator tests: one that is valid in strict mode, and ways to break it.
enum ManifestFixtures {
    /// Valid in strict mode, using every optional field once.
    static let valid: JSONValue = [
        "id": "org.example.math", "name": "Math", "version": "1.2.0", "abi": "1.0", "author": "Example",
        "license": "MIT", "description": "Arithmetic nodes.", "threadSafe": true,
        "dependencies": ["org.example.string": "^1.0.0"],
        "nodes": [
            [
                "nodeType": "math.add", "version": "1.0.0", "category": "math", "description": "Adds a and b.",
                "requiredFields": ["a", "b"],
                "schema": [
                    "type": "object",
                    "properties": ["a": ["type": "number"], "b": ["type": "number", "minimum": 0]],
                    "required": ["a", "b"], "additionalProperties": false,
                ],
                "supportedVersions": [1, 2], "tags": ["arithmetic"], "icon": "plus", "experimental": false,
            ],
            [
                "nodeType": "math.negate", "version": "2.0.0-beta.1", "category": "math", "description": "Negates x.",
                "requiredFields": [],
                "schema": ["type": "object", "properties": ["x": ["type": ["number", "null"]]]],
                "supportedVersions": [1],
            ],
        ],
    ]

    /// Only what loose mode requires.
    static let minimal: JSONValue = [
        "id": "org.example.min", "version": "0.1.0", "abi": "1.0", "nodes": [["nodeType": "min.node"]],
    ]

    /// `value` with the member at `pointer` replaced by `newValue`, or removed when it is nil.
    static func editing(_ value: JSONValue, _ pointer: String, _ newValue: JSONValue?) -> JSONValue {
        let tokens = pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        return edit(value, tokens[...], newValue)
    }

    private static func edit(_ value: JSONValue, _ tokens: ArraySlice<String>, _ newValue: JSONValue?) -> JSONValue {
        guard let token = tokens.first else { return newValue ?? .null }
        let rest = tokens.dropFirst()
        switch value {
        case .object(var object):
            if rest.isEmpty { object[token] = newValue } else { object[token] = edit(object[token] ?? [:], rest, newValue) }
            return .object(object)
        case .array(var array):
            let index = Int(token)!
            if rest.isEmpty {
                if let newValue { array[index] = newValue } else { array.remove(at: index) }
            } else {
                array[index] = edit(array[index], rest, newValue)
            }
            return .array(array)
        default:
            fatalError("cannot edit through \(value)")
        }
    }

    static func validate(_ value: JSONValue, _ mode: ValidationMode) -> (manifest: PluginManifest?, problems: [Problem]) {
        ManifestValidator.validate(JSONWriter.bytes(value), mode: mode, file: "/plugins/libmath.so")
    }

    static func validate(_ text: String, _ mode: ValidationMode) -> (manifest: PluginManifest?, problems: [Problem]) {
        ManifestValidator.validate(Array(text.utf8), mode: mode, file: "/plugins/libmath.so")
    }
}

/// A problem reduced to what the tests assert: its code and severity.
struct Found: Hashable, CustomStringConvertible {
    var code: ProblemCode
    var severity: Severity
    init(_ code: ProblemCode, _ severity: Severity) {
        self.code = code
        self.severity = severity
    }
    var description: String { "\(code)/\(severity)" }
}

extension Array where Element == Problem {
    var found: [Found] { map { Found($0.code, $0.severity) } }
}
