import PluginHostCore
import PluginTenancy
import Testing

@Suite("Policy files: isolation and limits")
struct PolicyIsolationTests {
    typealias F = TenancyFixtures

    @Test("isolation and limits are read per tenant and for the default policy; unset means the host decides")
    func read() throws {
        let set = try F.policySet(#"""
            {"defaultPolicy": {"isolation": "process", "limits": {"memoryMb": 512}},
             "tenants": [{"tenantId": "acme", "isolation": "none", "limits": {"outputBytes": 4096}},
                         {"tenantId": "plain"},
                         {"tenantId": "boxed", "isolation": "process", "limits": {"memoryMb": 256, "cpuSecondsPerCall": 5, "outputBytes": 1}}]}
            """#)
        let acme = try set.policy(for: "acme").get()
        #expect(acme.isolation == IsolationMode.none)
        #expect(acme.limits == ResourceLimits(outputBytes: 4096))
        let plain = try set.policy(for: "plain").get()
        #expect(plain.isolation == nil)
        #expect(plain.limits == nil)
        let boxed = try set.policy(for: "boxed").get()
        #expect(boxed.isolation == .process)
        #expect(boxed.limits == ResourceLimits(memoryMb: 256, cpuSecondsPerCall: 5, outputBytes: 1))
        let stranger = try set.policy(for: "stranger").get()
        #expect(stranger.isolation == .process)
        #expect(stranger.limits == ResourceLimits(memoryMb: 512))
    }

    @Test("memory or CPU limits with isolation none are a warning: only worker processes can enforce them")
    func limitsWithoutProcess() throws {
        let (policy, problems) = try F.parse(#"{"tenants": [{"tenantId": "acme", "isolation": "none", "limits": {"memoryMb": 512}}]}"#)
        #expect(policy != nil)
        #expect(problems.summary == ["POLICY_INEFFECTIVE/warning"])
        #expect(problems.first?.message.contains("`/tenants/0/limits`") == true)
        // outputBytes is the host's own check, so it is never ineffective.
        let (_, quiet) = try F.parse(#"{"tenants": [{"tenantId": "acme", "isolation": "none", "limits": {"outputBytes": 512}}]}"#)
        #expect(quiet.isEmpty)
    }

    @Test("a bad limit names its pointer and the allowed range")
    func badLimit() throws {
        let (policy, problems) = try F.parse(#"{"tenants": [{"tenantId": "acme", "limits": {"memoryMb": -1}}]}"#)
        #expect(policy == nil)
        #expect(problems.first?.code == .policyInvalid)
        #expect(problems.first?.message == "Tenant acme: `/tenants/0/limits/memoryMb` is -1; it must be a whole number from 1 to 2147483647.")
    }
}
