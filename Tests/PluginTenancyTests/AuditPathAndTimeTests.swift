import PluginHostCore
import PluginTenancy
import Testing

@Suite("Where the audit log goes, and how its times are written")
struct AuditPathAndTimeTests {
    typealias F = TenancyFixtures

    static let environment = ["XDG_STATE_HOME": "/state", "HOME": "/home/u"]

    @Test("an explicit path wins over the policy file and the environment")
    func explicitWins() throws {
        let policy = try F.policySet(#"{"auditLog": "/from/policy.jsonl", "tenants": [{"tenantId": "a"}]}"#)
        let path = try AuditLog.resolvePath(explicit: "/explicit.jsonl", policySet: policy, environment: Self.environment).get()
        #expect(path == "/explicit.jsonl")
    }

    @Test("the policy file's auditLog wins over the environment")
    func policyFileNext() throws {
        let policy = try F.policySet(#"{"auditLog": "/from/policy.jsonl", "tenants": [{"tenantId": "a"}]}"#)
        #expect(try AuditLog.resolvePath(policySet: policy, environment: Self.environment).get() == "/from/policy.jsonl")
    }

    @Test("then $XDG_STATE_HOME/plugin-host/audit.jsonl")
    func xdgStateHome() throws {
        let policy = try F.policySet(#"{"tenants": [{"tenantId": "a"}]}"#)
        #expect(try AuditLog.resolvePath(policySet: policy, environment: Self.environment).get() == "/state/plugin-host/audit.jsonl")
    }

    @Test("then ~/.local/state/plugin-host/audit.jsonl, also when XDG_STATE_HOME is relative (the XDG spec says to ignore it)")
    func home() throws {
        #expect(try AuditLog.resolvePath(environment: ["HOME": "/home/u"]).get() == "/home/u/.local/state/plugin-host/audit.jsonl")
        #expect(try AuditLog.resolvePath(environment: ["XDG_STATE_HOME": "state", "HOME": "/home/u/"]).get() == "/home/u/.local/state/plugin-host/audit.jsonl")
    }

    @Test("with no explicit path, no policy path and no usable environment, it is AUDIT_FAILED")
    func nowhere() {
        #expect(AuditLog.resolvePath(environment: [:]).failure?.code == .auditFailed)
        #expect(AuditLog.resolvePath(environment: ["HOME": "relative"]).failure?.code == .auditFailed)
    }

    @Test("times are ISO 8601 UTC with milliseconds", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1_700_000_000_123, "2023-11-14T22:13:20.123Z"),
        (1_709_164_800_000, "2024-02-29T00:00:00.000Z"),
        (951_782_400_007, "2000-02-29T00:00:00.007Z"),
        (4_102_444_799_999, "2099-12-31T23:59:59.999Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
    ])
    func iso8601(milliseconds: Int64, expected: String) {
        #expect(AuditRecord.iso8601(milliseconds: milliseconds) == expected)
    }

    @Test("a new record's time is now")
    func nowIsNow() {
        let before = AuditRecord.nowMilliseconds()
        let record = AuditRecord(tenant: nil, nodeType: "a", pluginID: nil, pluginVersion: nil, status: "success", errorCode: nil, durationMs: 0, executionID: "e")
        let after = AuditRecord.nowMilliseconds()
        #expect(record.timeMilliseconds >= before && record.timeMilliseconds <= after)
        #expect(before > 1_700_000_000_000)
    }
}
