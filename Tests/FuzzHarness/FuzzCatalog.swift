import PluginHostCore
import PluginMetadata
import PluginRuntime
import PluginWorkflow

/// The node types the workflow fuzz target validates against: a few real schemas (required
/// fields, bounds, a pattern, nested objects and arrays) compiled by the host's schema compiler,
/// and one tenant that may not use one of them, so the fuzzer reaches every validation rule.
struct FuzzCatalog: NodeCatalog {
    static let shared = FuzzCatalog()

    let descriptors: [String: NodeDescriptor]
    let schemas: [String: ParameterSchema]

    init() {
        let sources: [(String, String)] = [
            ("math.add", #"{"type":"object","required":["a","b"],"properties":{"a":{"type":"number"},"b":{"type":"number"}},"additionalProperties":false}"#),
            ("string.upper", #"{"type":"object","required":["text"],"properties":{"text":{"type":"string","maxLength":64,"pattern":"^[a-z ]*$"}}}"#),
            ("demo.items", #"{"type":"object","properties":{"items":{"type":"array","maxItems":8,"items":{"type":"object","properties":{"n":{"type":"integer","minimum":0,"default":1}}}},"mode":{"enum":["fast","slow"],"default":"fast"}}}"#),
        ]
        var descriptors: [String: NodeDescriptor] = [:]
        var schemas: [String: ParameterSchema] = [:]
        for (nodeType, source) in sources {
            guard let json = try? JSONParser.parse(source), let schema = try? ParameterSchema(json) else {
                fatalError("the fuzz catalog's schema for \(nodeType) does not compile")
            }
            descriptors[nodeType] = NodeDescriptor(nodeType: nodeType, schema: json, supportedVersions: [1, 2])
            schemas[nodeType] = schema
        }
        self.descriptors = descriptors
        self.schemas = schemas
    }

    func describe(nodeType: String, tenant: String?) -> NodeCatalogEntry {
        guard let descriptor = descriptors[nodeType] else {
            return .notFound(suggestions: descriptors.keys.filter { $0.hasPrefix(nodeType.prefix(3)) }.sorted())
        }
        if tenant == "restricted" && nodeType == "string.upper" {
            return .disallowed(Problem(.nodeTypeDisabledForTenant, .error, "Tenant restricted may not use \(nodeType).", node: nodeType))
        }
        return .found(descriptor)
    }

    func validateParameters(nodeType: String, parameters: JSONValue) -> [ParameterViolation] {
        schemas[nodeType]?.validate(parameters).violations ?? []
    }

    func validateRecovery(node: WorkflowNode, settings: WorkflowSettings) -> [Problem] { [] }
}
