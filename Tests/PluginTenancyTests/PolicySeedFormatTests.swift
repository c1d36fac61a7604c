import PluginHostCore
import PluginTenancy
import Testing

/// Policies written in the shape other workflow services use, and problems that say whose
/// entry they are about.
@Suite("Policy files: the seed format and tenant-named problems")
struct PolicySeedFormatTests {
    static func parse(_ text: String) throws -> (policy: TenantPolicySet?, problems: [Problem]) {
        TenantPolicySet.parse(try JSONParser.parse(text), file: "/policies/p.json")
    }

    @Test("\"dataIsolation\": \"relaxed\" is read as none; other spellings stay invalid")
    func relaxedIsNone() throws {
        let (policy, problems) = try Self.parse(#"{"tenants":[{"tenantId":"acme","dataIsolation":"relaxed"}]}"#)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try #require(policy).policy(for: "acme").get().dataIsolation == .none)
        for spelling in ["Relaxed", "relaxed ", "loose"] {
            let (refused, problems) = try Self.parse(#"{"tenants":[{"tenantId":"acme","dataIsolation":""# + spelling + #""}]}"#)
            #expect(refused == nil)
            #expect(problems.map(\.code) == [.policyInvalid])
            #expect(problems.first?.message.contains("it must be \"none\" (or its synonym \"relaxed\") or \"strict\"") == true, "\(problems)")
        }
    }

    @Test("every problem of a tenant's entry names the tenant")
    func problemsNameTheTenant() throws {
        let (_, problems) = try Self.parse(#"""
            {"tenants":[
              {"tenantId":"acme","dataIsolation":"total","auditLogging":"yes","colour":1},
              {"tenantId":"beta","allowedNodeTypes":["math.*"],"restrictedNodeTypes":["math.div"]},
              {"tenantId":"acme"}
            ]}
            """#)
        let acme = problems.filter { $0.message.hasPrefix("Tenant acme: ") }
        let beta = problems.filter { $0.message.hasPrefix("Tenant beta: ") }
        #expect(acme.count == 4, "dataIsolation, auditLogging, the unknown key, the repeat: \(problems)")
        #expect(!beta.isEmpty && beta.allSatisfy { $0.code == .policyIneffective }, "the allow list wins over the restrict list: \(problems)")
        #expect(problems.count == acme.count + beta.count, "no tenant problem without its tenant: \(problems)")
    }

    @Test("a request without a tenant is told how to name one on both the CLI and the embedding API")
    func noCLIAdviceOnly() throws {
        let (policy, _) = try Self.parse(#"{"tenants":[{"tenantId":"acme"}]}"#)
        guard case .failure(let problem) = try #require(policy).policy(for: nil) else {
            Issue.record("a request without a tenant was allowed")
            return
        }
        #expect(problem.code == .tenantUnknown)
        #expect(problem.message.contains("`--tenant ID` on the command line, the `tenant` argument of the embedding API"))
    }
}
