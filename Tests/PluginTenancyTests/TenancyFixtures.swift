import PluginHostCore
import PluginTenancy

/// Policy documents and helpers shared by the tenancy suites.
enum TenancyFixtures {
    /// The file name problems are attributed to when a test parses text directly.
    static let file = "/etc/plugin-host/policy.json"

    /// One tenant per shape of the rule, no default policy.
    static let matrix = """
        { "tenants": [
            { "tenantId": "allow-only", "allowedNodeTypes": ["math.*", "string.upper"] },
            { "tenantId": "restrict-only", "restrictedNodeTypes": ["http.*", "math.div"] },
            { "tenantId": "both", "allowedNodeTypes": ["math.add"], "restrictedNodeTypes": ["string.*"] },
            { "tenantId": "neither", "allowedNodeTypes": [], "restrictedNodeTypes": [] },
            { "tenantId": "K1" }
        ] }
        """

    /// The example of README.md's *Tenants* (without `auditLog`): a default policy that
    /// restricts http, and one strict tenant.
    static let withDefault = """
        { "defaultPolicy": { "restrictedNodeTypes": ["http.*"] },
          "tenants": [ { "tenantId": "acme", "allowedNodeTypes": ["math.*", "string.upper"],
                         "restrictedNodeTypes": [], "dataIsolation": "strict", "auditLogging": true } ] }
        """

    /// Parses `text` as a policy document attributed to ``file``.
    static func parse(_ text: String, file: String? = TenancyFixtures.file) throws -> (policy: TenantPolicySet?, problems: [Problem]) {
        TenantPolicySet.parse(try JSONParser.parse(text), file: file)
    }

    /// A policy set that must have parsed without errors.
    static func policySet(_ text: String) throws -> TenantPolicySet {
        let (policy, problems) = try parse(text)
        guard let policy else { throw FixtureError("policy did not parse: \(problems)") }
        return policy
    }

    /// The policy for `tenant`, which must resolve.
    static func policy(_ text: String, tenant: String) throws -> TenantPolicy {
        try policySet(text).policy(for: tenant).get()
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Result {
    /// The failure, or nil on success (so tests can `#expect` on the problem directly).
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension Array where Element == Problem {
    /// Each problem as `CODE/severity`, the shape most tests compare.
    var summary: [String] { map { "\($0.code.rawValue)/\($0.severity.rawValue)" } }
}
