import PluginHostCore
import PluginHostTestSupport
import PluginTenancy
import Testing

/// ``InputLimits`` as the policy reader applies them: bytes and nesting of the file, and the
/// number of entries (tenants plus node type patterns), each inclusive.
@Suite("Policy input limits")
struct PolicyInputLimitTests {
    static let document = #"{"defaultPolicy":{"restrictedNodeTypes":["http.*"]},"tenants":[{"tenantId":"acme","allowedNodeTypes":["math.*","string.upper"]},{"tenantId":"beta"}]}"#
    /// One default pattern, two tenants, two allowed patterns.
    static let entries = 5

    @Test("bytes: a file of exactly the limit loads, one byte more is POLICY_TOO_LARGE with the limit")
    func bytes() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("policy.json", Self.document)
        let size = Self.document.utf8.count
        let (fits, fitProblems) = TenantPolicySet.load(path: file, limits: InputLimits(maximumPolicyBytes: size))
        #expect(fits != nil, "\(fitProblems)")
        let (over, problems) = TenantPolicySet.load(path: file, limits: InputLimits(maximumPolicyBytes: size - 1))
        #expect(over == nil)
        #expect(problems.map(\.code) == [.policyTooLarge])
        #expect(problems.first?.file == file)
        #expect(problems.first?.message.contains("has \(size) bytes, more than the limit of \(size - 1) (HostConfiguration.limits.maximumPolicyBytes)") == true,
                "\(problems)")
    }

    @Test("entries: exactly the limit is read, one fewer allowed is POLICY_TOO_LARGE, by file and by value")
    func entries() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("policy.json", Self.document)
        #expect(TenantPolicySet.load(path: file, limits: InputLimits(maximumPolicyEntries: Self.entries)).policy != nil)
        let (over, problems) = TenantPolicySet.load(path: file, limits: InputLimits(maximumPolicyEntries: Self.entries - 1))
        #expect(over == nil)
        #expect(problems.map(\.code) == [.policyTooLarge])
        #expect(problems.first?.message.contains("has 5 entries (tenants and node type patterns), more than the limit of 4 (HostConfiguration.limits.maximumPolicyEntries)") == true,
                "\(problems)")
        let value = try JSONParser.parse(Self.document)
        #expect(TenantPolicySet.parse(value, file: nil, limits: InputLimits(maximumPolicyEntries: Self.entries)).policy != nil)
        #expect(TenantPolicySet.parse(value, file: nil, limits: InputLimits(maximumPolicyEntries: Self.entries - 1)).problems.map(\.code) == [.policyTooLarge])
    }

    @Test("nesting: the depth limit is accepted, one level less is JSON_TOO_DEEP (not POLICY_INVALID)")
    func depth() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("policy.json", Self.document)
        // Root object, tenants array, tenant object, pattern array: 4 levels.
        #expect(TenantPolicySet.load(path: file, limits: InputLimits(maximumJSONDepth: 4)).policy != nil)
        let (over, problems) = TenantPolicySet.load(path: file, limits: InputLimits(maximumJSONDepth: 3))
        #expect(over == nil)
        #expect(problems.map(\.code) == [.jsonTooDeep])
        #expect(problems.first?.message.contains("deeper than the limit of 3 levels (HostConfiguration.limits.maximumJSONDepth)") == true, "\(problems)")
    }
}
