import PluginHostCore
import PluginTenancy
import Testing

/// One row of the tenant matrix: who asks, for what, and whether it may run.
struct MatrixCase: Sendable, CustomTestStringConvertible {
    let tenant: String
    let nodeType: String
    let allowed: Bool
    var testDescription: String { "\(tenant) → \(nodeType): \(allowed ? "allowed" : "denied")" }
}

@Suite("Tenant policies: who may run which node type")
struct TenantMatrixTests {
    typealias F = TenancyFixtures

    static let matrix: [MatrixCase] = [
        // Allow list only: exactly what it matches.
        MatrixCase(tenant: "allow-only", nodeType: "math.add", allowed: true),
        MatrixCase(tenant: "allow-only", nodeType: "math.add.extra", allowed: true),
        MatrixCase(tenant: "allow-only", nodeType: "string.upper", allowed: true),
        MatrixCase(tenant: "allow-only", nodeType: "string.lower", allowed: false),
        MatrixCase(tenant: "allow-only", nodeType: "mathx.add", allowed: false),
        MatrixCase(tenant: "allow-only", nodeType: "math", allowed: false),
        MatrixCase(tenant: "allow-only", nodeType: "string.upper.x", allowed: false),
        MatrixCase(tenant: "allow-only", nodeType: "http.get", allowed: false),
        // Restrict list only: everything but what it matches.
        MatrixCase(tenant: "restrict-only", nodeType: "http.get", allowed: false),
        MatrixCase(tenant: "restrict-only", nodeType: "http.get.json", allowed: false),
        MatrixCase(tenant: "restrict-only", nodeType: "math.div", allowed: false),
        MatrixCase(tenant: "restrict-only", nodeType: "http", allowed: true),
        MatrixCase(tenant: "restrict-only", nodeType: "httpx.get", allowed: true),
        MatrixCase(tenant: "restrict-only", nodeType: "math.add", allowed: true),
        MatrixCase(tenant: "restrict-only", nodeType: "math.div.safe", allowed: true),
        // Both lists: the allow list alone decides.
        MatrixCase(tenant: "both", nodeType: "math.add", allowed: true),
        MatrixCase(tenant: "both", nodeType: "math.mul", allowed: false),
        MatrixCase(tenant: "both", nodeType: "http.get", allowed: false),
        MatrixCase(tenant: "both", nodeType: "string.upper", allowed: false),
        // Neither list: everything canonical.
        MatrixCase(tenant: "neither", nodeType: "http.get", allowed: true),
        MatrixCase(tenant: "neither", nodeType: "x", allowed: true),
    ]

    @Test("each tenant gets exactly what its lists say", arguments: matrix)
    func matrixCase(_ row: MatrixCase) throws {
        let policy = try F.policy(F.matrix, tenant: row.tenant)
        let problem = policy.check(nodeType: row.nodeType)
        #expect(policy.isAllowed(nodeType: row.nodeType) == row.allowed)
        if row.allowed {
            #expect(problem == nil)
        } else {
            #expect(problem?.code == .nodeTypeDisabledForTenant)
            #expect(problem?.severity == .error)
            #expect(problem?.node == row.nodeType)
            #expect(problem?.file == F.file)
        }
    }

    @Test("a denial by the allow list names the allowed patterns")
    func allowListDenialMessage() throws {
        let problem = try F.policy(F.matrix, tenant: "allow-only").check(nodeType: "http.get")
        #expect(problem?.message == "Node type http.get is not allowed for tenant allow-only: it matches none of the allowed node types (math.*, string.upper); use an allowed node type or add it to the tenant's allowedNodeTypes.")
    }

    @Test("a denial by the restrict list names the pattern that matched")
    func restrictListDenialMessage() throws {
        let problem = try F.policy(F.matrix, tenant: "restrict-only").check(nodeType: "http.get.json")
        #expect(problem?.message.contains("restricted for tenant restrict-only by the pattern http.*") == true)
    }

    static let nameTricks = [
        "Math.add", "MATH.ADD", "math.add ", " math.add", "math.add\u{200B}", "\u{FF4D}ath.add", "math.*", "*", "",
        "math.ad d", "math.add\n", "math.a\u{301}dd", "math..add", "math.", ".math", "math/add", "math.add\0",
    ]

    @Test("a non-canonical node type is denied even for a tenant that allows everything", arguments: nameTricks)
    func nameTrickDeniedWhenEverythingAllowed(nodeType: String) throws {
        let problem = try F.policy(F.matrix, tenant: "neither").check(nodeType: nodeType)
        #expect(problem?.code == .nodeTypeDisabledForTenant)
        #expect(problem?.message.contains("is not a canonical node type") == true)
    }

    @Test("a non-canonical node type cannot slip past a restrict list", arguments: nameTricks)
    func nameTrickDeniedBesideRestrictList(nodeType: String) throws {
        let policy = try F.policy(F.matrix, tenant: "restrict-only")
        #expect(policy.check(nodeType: nodeType)?.code == .nodeTypeDisabledForTenant)
        #expect(!policy.isAllowed(nodeType: nodeType))
    }

    @Test("a non-canonical node type is never matched loosely by an allow list", arguments: nameTricks)
    func nameTrickNotMatchedByAllowList(nodeType: String) throws {
        #expect(try F.policy(F.matrix, tenant: "allow-only").check(nodeType: nodeType)?.code == .nodeTypeDisabledForTenant)
    }

    @Test("the message makes an invisible character visible")
    func invisibleCharacterShown() throws {
        let problem = try F.policy(F.matrix, tenant: "neither").check(nodeType: "math.add\u{200B}")
        #expect(problem?.message.hasPrefix("Node type \"math.add\\u{200B}\" is not a canonical node type (it contains non-ASCII characters") == true)
    }

    @Test("an unlisted tenant gets the default policy, applied under its own id")
    func unlistedTenantGetsDefault() throws {
        let policy = try F.policy(F.withDefault, tenant: "globex")
        #expect(policy.tenantID == "globex")
        #expect(policy.isDefaultPolicy)
        #expect(policy.check(nodeType: "math.add") == nil)
        #expect(policy.check(nodeType: "http.get")?.code == .nodeTypeDisabledForTenant)
        #expect(policy.check(nodeType: "http.get")?.message.contains("tenant globex (default policy)") == true)
        #expect(policy.dataIsolation == .none)
        #expect(!policy.auditLogging)
    }

    @Test("a listed tenant gets its own policy, not the default")
    func listedTenantGetsOwnPolicy() throws {
        let policy = try F.policy(F.withDefault, tenant: "acme")
        #expect(policy.tenantID == "acme")
        #expect(!policy.isDefaultPolicy)
        #expect(policy.dataIsolation == .strict)
        #expect(policy.auditLogging)
        #expect(policy.allowedNodeTypes.patterns == [.prefix("math"), .exact("string.upper")])
        #expect(policy.check(nodeType: "http.get")?.code == .nodeTypeDisabledForTenant)
    }

    @Test("an unlisted tenant without a default policy is TENANT_UNKNOWN")
    func unknownTenantWithoutDefault() throws {
        let problem = try F.policySet(F.matrix).policy(for: "globex").failure
        #expect(problem?.code == .tenantUnknown)
        #expect(problem?.file == F.file)
        #expect(problem?.message.contains("Tenant globex is not in the policy file and the file has no defaultPolicy") == true)
    }

    @Test("tenant ids are compared exactly: case differs, so the tenant is unknown")
    func tenantIDCaseSensitive() throws {
        #expect(try F.policySet(F.matrix).policy(for: "Allow-Only").failure?.code == .tenantUnknown)
        #expect(try F.policySet(F.matrix).policy(for: "k1").failure?.code == .tenantUnknown)
    }

    @Test("a look-alike tenant id that Swift's == equates (Kelvin sign) never gets the listed tenant's policy")
    func kelvinSignTenant() throws {
        #expect("\u{212A}1" == "K1")  // canonical equivalence: why ids compare as bytes
        let set = try F.policySet(F.matrix)
        #expect(try set.policy(for: "K1").get().tenantID == "K1")
        #expect(set.policy(for: "\u{212A}1").failure?.code == .tenantUnknown)
    }

    @Test("a malformed tenant id is TENANT_UNKNOWN even when there is a default policy", arguments: ["acme ", "ac me", "-acme", "acme\u{200B}", String(repeating: "a", count: 129)])
    func malformedTenantID(tenant: String) throws {
        let problem = try F.policySet(F.withDefault).policy(for: tenant).failure
        #expect(problem?.code == .tenantUnknown)
        #expect(problem?.message.contains("is not a valid tenant id") == true)
    }

    @Test("with a policy file, a missing or empty tenant id is TENANT_UNKNOWN asking for --tenant", arguments: [nil, ""] as [String?])
    func missingTenant(tenant: String?) throws {
        let problem = try F.policySet(F.withDefault).policy(for: tenant).failure
        #expect(problem?.code == .tenantUnknown)
        #expect(problem?.message.contains("`--tenant ID` on the command line, the `tenant` argument of the embedding API") == true)
    }

    @Test("without a policy file the host is single-tenant: everything allowed, tenant or not", arguments: [nil, "", "anyone"] as [String?])
    func singleTenantMode(tenant: String?) throws {
        let policy = try TenantPolicySet.resolve(nil, tenant: tenant).get()
        #expect(policy.check(nodeType: "http.get") == nil)
        #expect(policy.check(nodeType: "anything.at.all") == nil)
        #expect(policy.dataIsolation == .none)
        #expect(!policy.auditLogging)
    }

    @Test("resolve with a policy set defers to it")
    func resolveWithPolicy() throws {
        let set = try F.policySet(F.matrix)
        #expect(TenantPolicySet.resolve(set, tenant: nil).failure?.code == .tenantUnknown)
        #expect(try TenantPolicySet.resolve(set, tenant: "both").get().tenantID == "both")
    }

    @Test("with many tenants (the indexed lookup) each still gets exactly its own policy")
    func manyTenants() throws {
        let tenants = (0..<40).map { #"{"tenantId": "t\#($0)", "allowedNodeTypes": ["node.n\#($0)"]}"# }
        let set = try F.policySet(#"{"tenants": [\#(tenants.joined(separator: ","))]}"#)
        for index in [0, 17, 39] {
            let policy = try set.policy(for: "t\(index)").get()
            #expect(policy.tenantID == "t\(index)")
            #expect(policy.check(nodeType: "node.n\(index)") == nil)
            #expect(policy.check(nodeType: "node.n\((index + 1) % 40)")?.code == .nodeTypeDisabledForTenant)
        }
        #expect(set.policy(for: "t40").failure?.code == .tenantUnknown)
        #expect(set.policy(for: "T1").failure?.code == .tenantUnknown)
    }

    @Test("a tenant that is not in the file is told the known tenants")
    func unknownTenantMessage() throws {
        let problem = try F.policySet(#"{"tenants": [{"tenantId": "acme"}, {"tenantId": "beta"}]}"#).policy(for: "gamma").failure
        #expect(problem?.message == "Tenant gamma is not in the policy file and the file has no defaultPolicy; add the tenant to `/tenants` or add a defaultPolicy (known tenants: acme, beta).")
    }

    @Test("the tenant ids are listed in file order")
    func tenantIDsInOrder() throws {
        #expect(try F.policySet(F.matrix).tenantIDs == ["allow-only", "restrict-only", "both", "neither", "K1"])
    }
}
