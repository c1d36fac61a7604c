import PluginHostCore
import PluginTenancy
import Testing

@Suite("Policy entries that have no effect (POLICY_INEFFECTIVE warnings)")
struct PolicyWarningTests {
    typealias F = TenancyFixtures

    @Test("a tenant with both lists gets one warning that its restrict list has no effect, and the policy still loads")
    func bothLists() throws {
        let (policy, problems) = try F.parse(#"{"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["math.add"], "restrictedNodeTypes": ["http.*"]}]}"#)
        #expect(problems.summary == ["POLICY_INEFFECTIVE/warning"])
        #expect(problems.first?.message == "Tenant acme: `/tenants/0/restrictedNodeTypes` has no effect because `/tenants/0/allowedNodeTypes` is not empty: the allow list alone decides; remove the restrict list, or empty the allow list to use it.")
        #expect(problems.first?.file == F.file)
        #expect(policy?.warnings == problems)
        // The allow list wins: http.get is denied, math.add allowed.
        let acme = try #require(try policy?.policy(for: "acme").get())
        #expect(acme.check(nodeType: "math.add") == nil)
        #expect(acme.check(nodeType: "http.get")?.code == .nodeTypeDisabledForTenant)
    }

    @Test("an entry both allowed and restricted is named: the allow list wins")
    func sameEntryInBothLists() throws {
        let (policy, problems) = try F.parse(#"{"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["math.*"], "restrictedNodeTypes": ["http.get", "math.div"]}]}"#)
        #expect(problems.summary == ["POLICY_INEFFECTIVE/warning", "POLICY_INEFFECTIVE/warning"])
        #expect(problems.last?.message == "Tenant acme: `/tenants/0/restrictedNodeTypes/1` (math.div) is also matched by `/tenants/0/allowedNodeTypes/0` (math.*), and the allow list wins, so it is allowed; remove it from one of the lists.")
        #expect(try policy?.policy(for: "acme").get().check(nodeType: "math.div") == nil)
    }

    @Test("a pattern repeated in one list is a warning at the repeat")
    func repeatedPattern() throws {
        let (policy, problems) = try F.parse(#"{"defaultPolicy": {"restrictedNodeTypes": ["http.*", "math.div", "http.*"]}}"#)
        #expect(policy != nil)
        #expect(problems.summary == ["POLICY_INEFFECTIVE/warning"])
        #expect(problems.first?.message == "`/defaultPolicy/restrictedNodeTypes/2` repeats http.* from `/defaultPolicy/restrictedNodeTypes/0`; remove the repeat.")
    }

    @Test("an entry covered by a broader one in the same list is a warning at the narrower entry, wherever it is")
    func coveredEntry() throws {
        for (list, narrow) in [(#"["math.*", "math.add"]"#, 1), (#"["math.add", "math.*"]"#, 0), (#"["math.x.*", "math.*"]"#, 0)] {
            let (policy, problems) = try F.parse(#"{"tenants": [{"tenantId": "acme", "restrictedNodeTypes": \#(list)}]}"#)
            #expect(policy != nil)
            #expect(problems.summary == ["POLICY_INEFFECTIVE/warning"], "\(list)")
            #expect(problems.first?.message.contains("`/tenants/0/restrictedNodeTypes/\(narrow)` (") == true, "\(list)")
            #expect(problems.first?.message.contains("is already matched by") == true)
        }
    }

    @Test("nested prefixes each name the first broader entry")
    func nestedPrefixes() throws {
        let (_, problems) = try F.parse(#"{"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["a.b.c.*", "a.*", "a.b.*", "a.b.c.d"]}]}"#)
        #expect(problems.map(\.message) == [
            "Tenant acme: `/tenants/0/allowedNodeTypes/0` (a.b.c.*) is already matched by `/tenants/0/allowedNodeTypes/1` (a.*); remove the narrower entry.",
            "Tenant acme: `/tenants/0/allowedNodeTypes/2` (a.b.*) is already matched by `/tenants/0/allowedNodeTypes/1` (a.*); remove the narrower entry.",
            "Tenant acme: `/tenants/0/allowedNodeTypes/3` (a.b.c.d) is already matched by `/tenants/0/allowedNodeTypes/0` (a.b.c.*); remove the narrower entry.",
        ])
    }

    @Test("math.* does not cover math or mathx.add, so those are not warned about")
    func notCovered() throws {
        let (_, problems) = try F.parse(#"{"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["math.*", "math", "mathx.add"]}]}"#)
        #expect(problems == [])
    }

    @Test("a policy with no tenants and no default denies everyone, and says so")
    func deniesEveryone() throws {
        for json in ["{}", #"{"tenants": []}"#] {
            let (policy, problems) = try F.parse(json)
            #expect(policy != nil)
            #expect(problems.summary == ["POLICY_INEFFECTIVE/warning"])
            #expect(problems.first?.message.contains("every request is denied with TENANT_UNKNOWN") == true)
        }
    }

    @Test("the documented example has no problems at all")
    func designExampleIsClean() throws {
        let (policy, problems) = try F.parse(F.withDefault)
        #expect(policy != nil)
        #expect(problems == [])
    }
}
