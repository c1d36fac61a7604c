/// How much of each document the host reads it accepts: the caps that keep a mistaken or
/// hostile input (a workflow of ten million nodes, JSON nested a million deep, a "policy" that
/// is a disk image) from costing unbounded time, memory or stack.
///
/// One struct for every reader, so the workflow parser, the policy reader, the CLI and the
/// embedding API refuse with the same codes and the same wording. It lives in the core because
/// both `PluginTenancy` (policies) and `PluginWorkflow` read with it; ``HostConfiguration`` holds
/// the host's copy as `limits`. Each refusal has its own code and names the limit and the
/// field that raises it:
///
/// | field | default | code |
/// |---|---|---|
/// | ``maximumWorkflowNodes`` | 1 000 000 | `WORKFLOW_TOO_LARGE` |
/// | ``maximumWorkflowConnections`` | 4 000 000 | `WORKFLOW_TOO_LARGE` |
/// | ``maximumWorkflowBytes`` | 256 MiB | `WORKFLOW_TOO_LARGE` |
/// | ``maximumJSONDepth`` | 256 | `JSON_TOO_DEEP` |
/// | ``maximumPolicyBytes`` | 16 MiB | `POLICY_TOO_LARGE` |
/// | ``maximumPolicyEntries`` | 100 000 | `POLICY_TOO_LARGE` |
///
/// The defaults are far above any real input (validating a million-node workflow takes
/// seconds) and far below what hurts the host. A limit is inclusive: a workflow of exactly
/// ``maximumWorkflowNodes`` nodes is accepted.
public struct InputLimits: Sendable, Hashable {
    /// The most nodes a workflow may have.
    public var maximumWorkflowNodes: Int
    /// The most connections (targets listed under `connections`) a workflow may have.
    public var maximumWorkflowConnections: Int
    /// The largest workflow document, in bytes of JSON text.
    public var maximumWorkflowBytes: Int
    /// The deepest nesting of arrays and objects in any JSON document the host reads for a
    /// caller: workflows, policies, the embedding API's JSON arguments.
    public var maximumJSONDepth: Int
    /// The largest policy document, in bytes of JSON text.
    public var maximumPolicyBytes: Int
    /// The most entries in a policy: tenants plus every node type pattern in every allow and
    /// restrict list (the default policy's included).
    public var maximumPolicyEntries: Int

    public init(
        maximumWorkflowNodes: Int = 1_000_000, maximumWorkflowConnections: Int = 4_000_000,
        maximumWorkflowBytes: Int = 256 << 20, maximumJSONDepth: Int = JSONParser.maximumDepth,
        maximumPolicyBytes: Int = 16 << 20, maximumPolicyEntries: Int = 100_000
    ) {
        self.maximumWorkflowNodes = maximumWorkflowNodes
        self.maximumWorkflowConnections = maximumWorkflowConnections
        self.maximumWorkflowBytes = maximumWorkflowBytes
        self.maximumJSONDepth = maximumJSONDepth
        self.maximumPolicyBytes = maximumPolicyBytes
        self.maximumPolicyEntries = maximumPolicyEntries
    }

    /// The sentence of a refusal: "the workflow has 1200000 nodes, more than the limit of
    /// 1000000 (HostConfiguration.limits.maximumWorkflowNodes); split it or raise the limit".
    ///
    /// `field` is the ``InputLimits`` property, so the reader knows exactly what to raise
    /// (the CLI flag and embed option of the same name are listed in the README).
    public static func exceeded(_ subject: String, has count: Int, _ unit: String, limit: Int, field: String, advice: String) -> String {
        "\(subject) has \(count) \(unit), more than the limit of \(limit) (HostConfiguration.limits.\(field)); \(advice) or raise the limit"
    }

    /// The refusal of JSON nested deeper than ``maximumJSONDepth``, for the document `subject`.
    public func tooDeep(_ subject: String) -> String {
        "\(subject) nests arrays and objects deeper than the limit of \(maximumJSONDepth) levels (HostConfiguration.limits.maximumJSONDepth); flatten it or raise the limit"
    }
}
