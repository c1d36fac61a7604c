import PluginDiscovery
import PluginHostCore
import PluginMetadata
import PluginRuntime
import PluginTenancy

/// The ``NodeCatalog`` of a real host: what `plugin-host validate` checks a workflow against.
///
/// Everything comes from the host's scan (the plugins' metadata, read without running plugin
/// code) and its tenant policy, so validating never loads or initializes a plugin:
/// - a node type is found when an accepted plugin declares it (its descriptor gives
///   `supportedVersions`); declared only by a rejected plugin, it is `NODE_TYPE_NOT_FOUND`
///   with the plugin's first error; unknown, it gets "did you mean" suggestions;
/// - the tenant is resolved first, exactly as at execution (`TENANT_UNKNOWN`), then the node
///   type is checked against the tenant's policy (`NODE_TYPE_DISABLED_FOR_TENANT`);
/// - parameters are checked against the node's schema, compiled once per node type;
/// - recovery fields are read by ``WorkflowRecovery``, the same reading `run` applies.
public struct HostNodeCatalog: NodeCatalog {
    public let host: PluginHost
    /// Node name → the node's JSON pointer in the file (`/nodes/3`), so recovery problems
    /// point at the exact spot; a node not listed is located by ``workflowNodes`` or, failing
    /// that, as `/nodes/<name>`. Keyed by bytes: `"é"` and `"e\u0301"` are two nodes.
    public let nodePointers: [UTF8Key: String]
    /// The workflow's node names indexed (``init(host:workflow:)``), each node's pointer made
    /// from its index when asked.
    private let workflowNodes: NodeNameIndex?
    /// The workflow's recovery defaults, read once rather than once per node.
    private let workflowRecovery: (settings: WorkflowSettings, reading: WorkflowRecovery)?
    private let schemas = SchemaTable()

    public init(host: PluginHost, nodePointers: [UTF8Key: String] = [:]) {
        self.host = host
        self.nodePointers = nodePointers
        self.workflowNodes = nil
        self.workflowRecovery = nil
    }

    /// The catalog for one workflow: its nodes' pointers known.
    public init(host: PluginHost, workflow: Workflow) {
        self.host = host
        self.nodePointers = [:]
        var duplicates: [(first: Int, repeated: Int)] = []
        self.workflowNodes = NodeNameIndex(names: workflow.nodes.map(\.name), duplicates: &duplicates)
        self.workflowRecovery = (workflow.settings, WorkflowRecovery(settings: workflow.settings))
    }

    public func describe(nodeType: String, tenant: String?) -> NodeCatalogEntry {
        // The policy the host applies at execution (single-tenant mode without a policy file).
        switch TenantPolicySet.resolve(host.policy, tenant: tenant) {
        case .failure(let problem):
            return .disallowed(problem)
        case .success(let policy):
            if let denied = policy.check(nodeType: nodeType) { return .disallowed(denied) }
        }
        switch host.lookup(nodeType: nodeType) {
        case .found(_, let descriptor):
            return .found(descriptor)
        case .rejected(let plugin):
            let reason = plugin.inspection.problems.first { $0.severity == .error }.map { "\($0.code): \($0.message)" }
                ?? "it was rejected"
            return .disallowed(Problem(
                .nodeTypeNotFound, .error,
                "\(nodeType) is provided only by \(plugin.path), which was rejected (\(reason)); fix that plugin or use another node type.",
                file: plugin.path, node: nodeType))
        case .notFound(let suggestions):
            return .notFound(suggestions: suggestions)
        }
    }

    public func validateParameters(nodeType: String, parameters: JSONValue) -> [ParameterViolation] {
        switch schemas.schema(for: nodeType, host: host) {
        case .success(nil):
            return []
        case .success(let schema?):
            return schema.validate(parameters).violations
        case .failure(let violation):
            return [violation]
        }
    }

    public func validateRecovery(node: WorkflowNode, settings: WorkflowSettings) -> [Problem] {
        let reading = workflowRecovery.flatMap { $0.settings == settings ? $0.reading : nil } ?? WorkflowRecovery(settings: settings)
        // Read once without the pointer: most nodes have no problem, and finding a node's
        // place (a lookup per node of a million) is needed only to word one.
        let problems = reading.recovery(for: node, pointer: "").1
        guard !problems.isEmpty else { return [] }
        let pointer = nodePointers[UTF8Key(node.name)] ?? workflowNodes?.index(of: node.name).map { "/nodes/\($0)" }
            ?? "/nodes/\(escapePointerToken(node.name))"
        return reading.recovery(for: node, pointer: pointer).1
    }

    public func validateRecovery(settings: WorkflowSettings) -> [Problem] {
        WorkflowRecovery(settings: settings).settingsProblems
    }
}

/// Compiled parameter schemas by node type, shared by the copies of one catalog.
///
/// A schema that passed the scan compiles; one that still does not is reported as a violation
/// of the whole parameters, so the node is refused rather than run unchecked.
final class SchemaTable: Sendable {
    /// Keyed by bytes, as the registry looks node types up.
    private let table = Locked<[UTF8Key: Result<ParameterSchema?, SchemaViolation>]>([:])

    func schema(for nodeType: String, host: PluginHost) -> Result<ParameterSchema?, SchemaViolation> {
        if let known = table.withLock({ $0[UTF8Key(nodeType)] }) { return known }
        let compiled: Result<ParameterSchema?, SchemaViolation>
        if case .found(_, let descriptor) = host.lookup(nodeType: nodeType), let raw = descriptor.schema {
            do throws(SchemaViolation) {
                compiled = .success(try ParameterSchema(raw))
            } catch {
                compiled = .failure(SchemaViolation(
                    path: "", message: "cannot be checked: the schema of \(nodeType) is unusable (\(error)); fix the plugin's metadata"))
            }
        } else {
            compiled = .success(nil)
        }
        table.withLock { $0[UTF8Key(nodeType)] = compiled }
        return compiled
    }
}
