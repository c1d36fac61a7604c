import PluginHostCore
import PluginMetadata

/// What one tenant may run, and how its executions are isolated and audited.
///
/// The rule: a non-empty allow list alone decides ("allow list wins"); otherwise a node type
/// is allowed unless the restrict list matches it. A requested node type that is not canonical
/// is always denied, whatever the lists say, so a look-alike name can never slip past a
/// restrict list or be matched loosely by an allow list. ``check(nodeType:)`` is on the hot
/// path of every execution: it allocates only when it denies.
public struct TenantPolicy: Sendable, Hashable {
    /// The tenant this policy is applied to (for a default policy, the tenant that asked).
    public let tenantID: String
    /// True when the tenant is not listed in the file and got its `defaultPolicy`.
    public let isDefaultPolicy: Bool
    /// The rules, shared by every copy: handing out a policy per execution costs one retain.
    private let rules: Rules

    /// The immutable rules of one policy entry.
    final class Rules: Sendable, Hashable {
        let allowed: NodeTypePatternList
        let restricted: NodeTypePatternList
        let dataIsolation: DataIsolationMode
        let auditLogging: Bool
        let isolation: IsolationMode?
        let limits: ResourceLimits?
        let policyFile: String?

        init(
            allowed: NodeTypePatternList, restricted: NodeTypePatternList, dataIsolation: DataIsolationMode, auditLogging: Bool,
            isolation: IsolationMode?, limits: ResourceLimits?, policyFile: String?
        ) {
            self.allowed = allowed
            self.restricted = restricted
            self.dataIsolation = dataIsolation
            self.auditLogging = auditLogging
            self.isolation = isolation
            self.limits = limits
            self.policyFile = policyFile
        }

        static func == (lhs: Rules, rhs: Rules) -> Bool {
            lhs === rhs || (lhs.allowed == rhs.allowed && lhs.restricted == rhs.restricted && lhs.dataIsolation == rhs.dataIsolation
                && lhs.auditLogging == rhs.auditLogging && lhs.isolation == rhs.isolation && lhs.limits == rhs.limits
                && lhs.policyFile == rhs.policyFile)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(allowed)
            hasher.combine(restricted)
            hasher.combine(dataIsolation)
            hasher.combine(auditLogging)
            hasher.combine(isolation)
            hasher.combine(limits)
            hasher.combine(policyFile)
        }
    }

    public var allowedNodeTypes: NodeTypePatternList { rules.allowed }
    public var restrictedNodeTypes: NodeTypePatternList { rules.restricted }
    /// No allow or restrict list: every canonical node type is allowed, so a caller that knows
    /// a name is canonical may skip ``check(nodeType:)``.
    public var allowsEveryCanonicalNodeType: Bool { rules.allowed.isEmpty && rules.restricted.isEmpty }
    public var dataIsolation: DataIsolationMode { rules.dataIsolation }
    /// Whether each execution for this tenant must leave an audit record (see ``AuditLog``).
    public var auditLogging: Bool { rules.auditLogging }
    /// Where this tenant's node calls run; nil leaves it to the host (`--isolation`, the
    /// embed options).
    public var isolation: IsolationMode? { rules.isolation }
    /// What this tenant's worker processes may use; nil leaves it to the host.
    public var limits: ResourceLimits? { rules.limits }
    /// The policy file the rules came from, named in the problems this policy reports.
    public var policyFile: String? { rules.policyFile }

    public init(
        tenantID: String,
        allowedNodeTypes: [NodeTypePattern] = [],
        restrictedNodeTypes: [NodeTypePattern] = [],
        dataIsolation: DataIsolationMode = .none,
        auditLogging: Bool = false,
        isolation: IsolationMode? = nil,
        limits: ResourceLimits? = nil,
        isDefaultPolicy: Bool = false,
        policyFile: String? = nil
    ) {
        self.tenantID = tenantID
        self.isDefaultPolicy = isDefaultPolicy
        self.rules = Rules(
            allowed: NodeTypePatternList(allowedNodeTypes), restricted: NodeTypePatternList(restrictedNodeTypes),
            dataIsolation: dataIsolation, auditLogging: auditLogging, isolation: isolation, limits: limits, policyFile: policyFile)
    }

    private init(tenantID: String, isDefaultPolicy: Bool, rules: Rules) {
        self.tenantID = tenantID
        self.isDefaultPolicy = isDefaultPolicy
        self.rules = rules
    }

    /// The same rules applied to another tenant (how a default policy is handed out).
    func applied(to tenant: String) -> TenantPolicy {
        TenantPolicy(tenantID: tenant, isDefaultPolicy: true, rules: rules)
    }

    /// Whether `nodeType` may run for this tenant; the allocation-free form of ``check(nodeType:)``.
    /// `knownCanonical`: the caller has established that `nodeType` is a canonical name (a
    /// registered node type's name, checked once at registration), so it is not checked again.
    @inline(__always)
    public func isAllowed(nodeType: String, knownCanonical: Bool = false) -> Bool {
        guard knownCanonical || ManifestNames.isValidNodeType(nodeType) else { return false }
        if !rules.allowed.isEmpty { return rules.allowed.matches(canonical: nodeType) }
        return !rules.restricted.matches(canonical: nodeType)
    }

    /// Nil when `nodeType` may run for this tenant, else a `NODE_TYPE_DISABLED_FOR_TENANT`
    /// problem that says which rule denied it.
    public func check(nodeType: String, knownCanonical: Bool = false) -> Problem? {
        if isAllowed(nodeType: nodeType, knownCanonical: knownCanonical) { return nil }
        return denial(nodeType)
    }

    /// The problem for a denied node type (off the hot path: only built when denying).
    private func denial(_ nodeType: String) -> Problem {
        let who = isDefaultPolicy ? "tenant \(tenantID) (default policy)" : "tenant \(tenantID)"
        let reason: String
        if !ManifestNames.isValidNodeType(nodeType) {
            reason = "Node type \(NodeTypePattern.quoted(nodeType)) is not a canonical node type (\(NodeTypePattern.whyNotCanonical(nodeType, isPattern: false))), so it is denied for \(who); request it by its exact lowercase name, as `plugin-host scan` lists it."
        } else if !allowedNodeTypes.isEmpty {
            let listed = Self.summary(allowedNodeTypes.patterns)
            reason = "Node type \(nodeType) is not allowed for \(who): it matches none of the allowed node types (\(listed)); use an allowed node type or add it to the tenant's allowedNodeTypes."
        } else {
            let pattern = restrictedNodeTypes.firstMatch(nodeType)?.description ?? nodeType
            reason = "Node type \(nodeType) is restricted for \(who) by the pattern \(pattern) in restrictedNodeTypes; use another node type or change the tenant's policy."
        }
        return Problem(.nodeTypeDisabledForTenant, .error, reason, file: policyFile, node: nodeType)
    }

    /// Parameters as the plugin must see them: unchanged with data isolation `none`, with the
    /// tenant id in every `filter` object when `strict` (`TENANT_VIOLATION` on a conflict).
    public func isolate(parameters: JSONValue) -> Result<JSONValue, Problem> {
        guard dataIsolation == .strict else { return .success(parameters) }
        return DataIsolation.apply(tenant: tenantID, to: parameters)
    }

    /// A policy that allows everything, isolates nothing and audits nothing: single-tenant
    /// mode, used when there is no policy file.
    public static func unrestricted(tenantID: String = "") -> TenantPolicy {
        TenantPolicy(tenantID: tenantID)
    }

    /// Up to five patterns, then a count, so a long list cannot swamp the message.
    private static func summary(_ patterns: [NodeTypePattern]) -> String {
        let shown = patterns.prefix(5).map(\.description).joined(separator: ", ")
        return patterns.count > 5 ? shown + ", and \(patterns.count - 5) more" : shown
    }
}
