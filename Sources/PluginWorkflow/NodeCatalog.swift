import PluginHostCore
import PluginMetadata
import PluginRuntime

/// What validation needs to know about node types, supplied by the host.
///
/// This module never reaches plugins itself; the host implements this protocol over its
/// registry, tenant policies, schema validator and recovery rules, and tests implement it
/// with a table. `describe` is asked once per node type in one validation, the others once per
/// workflow node; never while running.
public protocol NodeCatalog: Sendable {
    /// Whether `nodeType` exists and `tenant` may use it (`tenant` nil: no tenant given).
    func describe(nodeType: String, tenant: String?) -> NodeCatalogEntry

    /// Every way `parameters` break `nodeType`'s schema, located by JSON pointer.
    ///
    /// Called only for node types ``describe(nodeType:tenant:)`` found. The workflow validator
    /// drops violations located at or inside a `$ref` (their values exist only at run time).
    func validateParameters(nodeType: String, parameters: JSONValue) -> [ParameterViolation]

    /// Problems with the node's own recovery fields (`retry`, `onError`, `fallbackNodeType`,
    /// `timeoutMs`), e.g. `RECOVERY_INVALID`; `settings` gives the inherited defaults.
    func validateRecovery(node: WorkflowNode, settings: WorkflowSettings) -> [Problem]

    /// Problems with the workflow-wide recovery defaults in `settings`, reported once.
    func validateRecovery(settings: WorkflowSettings) -> [Problem]
}

extension NodeCatalog {
    /// No workflow-wide recovery checks unless the host supplies them.
    public func validateRecovery(settings: WorkflowSettings) -> [Problem] { [] }
}

/// The catalog's answer about one node type.
public enum NodeCatalogEntry: Sendable {
    /// Known and allowed; the descriptor gives its supported versions.
    case found(NodeDescriptor)
    /// No loaded plugin provides it; `suggestions` are close names for "did you mean".
    case notFound(suggestions: [String])
    /// Known but not allowed (e.g. `NODE_TYPE_DISABLED_FOR_TENANT` or `TENANT_UNKNOWN`).
    case disallowed(Problem)
}
