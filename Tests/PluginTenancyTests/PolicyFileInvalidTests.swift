import Glibc
import PluginHostCore
import PluginHostTestSupport
import PluginTenancy
import Testing

/// A policy document that must be rejected, and the JSON pointer its one problem must name.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    let json: String
    let pointer: String
    let why: String
    var testDescription: String { why }
}

@Suite("Policy files that are rejected (POLICY_INVALID, fail closed)")
struct PolicyFileInvalidTests {
    typealias F = TenancyFixtures

    static func tenant(_ members: String) -> String { #"{"tenants": [{"tenantId": "acme", \#(members)}]}"# }
    static func allowed(_ pattern: String) -> String { tenant(#""allowedNodeTypes": ["math.add", \#(pattern)]"#) }

    static let cases: [InvalidCase] = [
        InvalidCase(json: #"{"tenants": [], "tenant": []}"#, pointer: "/tenant", why: "unknown top-level key"),
        InvalidCase(json: #"{"defaultPolicy": {"allowNodeTypes": []}}"#, pointer: "/defaultPolicy/allowNodeTypes", why: "unknown defaultPolicy key"),
        InvalidCase(json: #"{"defaultPolicy": {"tenantId": "x"}}"#, pointer: "/defaultPolicy/tenantId", why: "tenantId in defaultPolicy"),
        InvalidCase(json: tenant(#""audit": true"#), pointer: "/tenants/0/audit", why: "unknown tenant key"),
        InvalidCase(json: #"{"tenants": {"tenantId": "acme"}}"#, pointer: "/tenants", why: "tenants not an array"),
        InvalidCase(json: #"{"defaultPolicy": []}"#, pointer: "/defaultPolicy", why: "defaultPolicy not an object"),
        InvalidCase(json: #"{"tenants": ["acme"]}"#, pointer: "/tenants/0", why: "tenant not an object"),
        InvalidCase(json: tenant(#""allowedNodeTypes": "math.*""#), pointer: "/tenants/0/allowedNodeTypes", why: "allow list not an array"),
        InvalidCase(json: tenant(#""restrictedNodeTypes": {}"#), pointer: "/tenants/0/restrictedNodeTypes", why: "restrict list not an array"),
        InvalidCase(json: allowed("7"), pointer: "/tenants/0/allowedNodeTypes/1", why: "pattern not a string"),
        InvalidCase(json: tenant(#""dataIsolation": true"#), pointer: "/tenants/0/dataIsolation", why: "dataIsolation not a string"),
        InvalidCase(json: tenant(#""dataIsolation": "Strict""#), pointer: "/tenants/0/dataIsolation", why: "dataIsolation wrong case"),
        InvalidCase(json: tenant(#""dataIsolation": "full""#), pointer: "/tenants/0/dataIsolation", why: "dataIsolation unknown value"),
        InvalidCase(json: #"{"defaultPolicy": {"dataIsolation": " strict"}}"#, pointer: "/defaultPolicy/dataIsolation", why: "dataIsolation with a space"),
        InvalidCase(json: tenant(#""auditLogging": "true""#), pointer: "/tenants/0/auditLogging", why: "auditLogging not a boolean"),
        InvalidCase(json: tenant(#""isolation": "sandbox""#), pointer: "/tenants/0/isolation", why: "isolation unknown value"),
        InvalidCase(json: tenant(#""isolation": true"#), pointer: "/tenants/0/isolation", why: "isolation not a string"),
        InvalidCase(json: tenant(#""limits": 512"#), pointer: "/tenants/0/limits", why: "limits not an object"),
        InvalidCase(json: tenant(#""limits": {"memoryMB": 512}"#), pointer: "/tenants/0/limits/memoryMB", why: "unknown limit"),
        InvalidCase(json: tenant(#""limits": {"memoryMb": 0}"#), pointer: "/tenants/0/limits/memoryMb", why: "limit below 1"),
        InvalidCase(json: tenant(#""limits": {"cpuSecondsPerCall": 1.5}"#), pointer: "/tenants/0/limits/cpuSecondsPerCall", why: "limit not whole"),
        InvalidCase(json: #"{"defaultPolicy": {"limits": {"outputBytes": "1MB"}}}"#, pointer: "/defaultPolicy/limits/outputBytes", why: "limit not a number"),
        InvalidCase(json: #"{"tenants": [{"allowedNodeTypes": []}]}"#, pointer: "/tenants/0", why: "missing tenantId"),
        InvalidCase(json: #"{"tenants": [{"tenantId": ""}]}"#, pointer: "/tenants/0/tenantId", why: "empty tenantId"),
        InvalidCase(json: #"{"tenants": [{"tenantId": 42}]}"#, pointer: "/tenants/0/tenantId", why: "tenantId not a string"),
        InvalidCase(json: #"{"tenants": [{"tenantId": "acme"}, {"tenantId": "beta"}, {"tenantId": "acme"}]}"#, pointer: "/tenants/2/tenantId", why: "duplicate tenantId"),
        InvalidCase(json: #"{"tenants": [], "auditLog": 3}"#, pointer: "/auditLog", why: "auditLog not a string"),
        InvalidCase(json: #"{"tenants": [], "auditLog": ""}"#, pointer: "/auditLog", why: "auditLog empty"),
    ]

    @Test("each malformed document is one POLICY_INVALID naming the pointer and the file", arguments: cases)
    func invalid(_ row: InvalidCase) throws {
        let (policy, problems) = try F.parse(row.json)
        #expect(policy == nil)
        #expect(problems.summary == ["POLICY_INVALID/error"])
        #expect(problems.first?.message.contains("`\(row.pointer)`") == true, "\(problems)")
        #expect(problems.first?.file == F.file)
    }

    static let badTenantIDs = [" acme", "acme ", "acme corp", "-acme", ".acme", "_acme", "\u{E1}cme", "a/b", "a:b", "acme\u{200B}", String(repeating: "a", count: 129)]

    @Test("a tenant id outside ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ is POLICY_INVALID", arguments: badTenantIDs)
    func badTenantID(id: String) throws {
        let (policy, problems) = TenantPolicySet.parse(["tenants": [["tenantId": .string(id)]]], file: F.file)
        #expect(policy == nil)
        #expect(problems.summary == ["POLICY_INVALID/error"])
        #expect(problems.first?.message.contains("`/tenants/0/tenantId`") == true)
    }

    @Test("tenant ids of the allowed shape are accepted", arguments: ["acme", "A", "0day", "a.b_c-D", String(repeating: "z", count: 128)])
    func goodTenantID(id: String) throws {
        let (policy, problems) = TenantPolicySet.parse(["tenants": [["tenantId": .string(id)]]], file: F.file)
        #expect(problems == [])
        #expect(try policy?.policy(for: id).get().tenantID == id)
    }

    static let badPatterns = [
        "*", "ma*", "math*", "math.?", "*.add", ".*", "math.*.add", "math.**", "Math.*", "Math.add", "math.add ",
        " math.add", "math.add\u{200B}", "\u{FF4D}ath.add", "math.", "", "math..add", "math.ad d", "math/add",
    ]

    @Test("a pattern that is not canonical is POLICY_INVALID naming the pointer and the pattern", arguments: badPatterns)
    func badPattern(pattern: String) throws {
        let document: JSONValue = ["tenants": [["tenantId": "acme", "restrictedNodeTypes": ["http.*", .string(pattern)]]]]
        let (policy, problems) = TenantPolicySet.parse(document, file: F.file)
        #expect(policy == nil)
        #expect(problems.summary == ["POLICY_INVALID/error"])
        let message = problems.first?.message ?? ""
        #expect(message.contains("`/tenants/0/restrictedNodeTypes/1` is \""))
        #expect(message.contains("which is not a node type pattern"))
    }

    @Test("the message for a bad pattern shows the hidden character")
    func badPatternShowsHiddenCharacter() throws {
        let (_, problems) = try F.parse(Self.allowed(#""math.add\u200b""#))
        #expect(problems.first?.message.contains(#""math.add\u{200B}""#) == true)
        #expect(problems.first?.message.contains("non-ASCII") == true)
    }

    @Test("every problem in a document is reported at once")
    func allProblemsAtOnce() throws {
        let json = #"{"tenants": [{"tenantId": "a b", "allowedNodeTypes": ["*"], "dataIsolation": "x"}], "extra": 1}"#
        let (policy, problems) = try F.parse(json)
        #expect(policy == nil)
        #expect(problems.summary == Array(repeating: "POLICY_INVALID/error", count: 4))
    }

    @Test("a document that is not an object is POLICY_INVALID", arguments: ["[]", "\"tenants\"", "null", "3"])
    func notAnObject(json: String) throws {
        let (policy, problems) = try F.parse(json)
        #expect(policy == nil)
        #expect(problems.summary == ["POLICY_INVALID/error"])
    }

    // MARK: Files on disk

    @Test("a file that is not JSON is POLICY_INVALID with where it broke")
    func notJSON() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("policy.json", "{\"tenants\": [")
        let (policy, problems) = TenantPolicySet.load(path: path)
        #expect(policy == nil)
        #expect(problems.summary == ["POLICY_INVALID/error"])
        #expect(problems.first?.message.hasPrefix("The policy file is not JSON") == true)
        #expect(problems.first?.file == path)
    }

    @Test("a missing file is POLICY_INVALID")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url("absent.json")
        let (policy, problems) = TenantPolicySet.load(path: path)
        #expect(policy == nil)
        #expect(problems.summary == ["POLICY_INVALID/error"])
        #expect(problems.first?.message.contains("could not be read (No such file or directory)") == true)
        #expect(problems.first?.file == path)
    }

    @Test("a directory or a FIFO is POLICY_INVALID, and the FIFO does not hang the read")
    func notRegularFile() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.url("fifo.json")
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [directory.path, fifo] {
            let (policy, problems) = TenantPolicySet.load(path: path)
            #expect(policy == nil)
            #expect(problems.summary == ["POLICY_INVALID/error"])
            #expect(problems.first?.message.contains("is not a regular file") == true)
        }
    }

    @Test("a key written twice is POLICY_INVALID: the policy must not depend on which copy wins")
    func duplicateKey() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("policy.json", #"{"tenants": [{"tenantId": "acme", "allowedNodeTypes": ["math.add"], "allowedNodeTypes": []}]}"#)
        let (policy, problems) = TenantPolicySet.load(path: path)
        #expect(policy == nil)
        #expect(problems.summary == ["POLICY_INVALID/error"])
        #expect(problems.first?.message.contains("`/tenants/0/allowedNodeTypes` is written more than once") == true)
    }

    @Test("a valid file loads, with a relative auditLog made absolute against the file's directory")
    func validFileLoads() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("conf/policy.json", #"{"auditLog": "logs/audit.jsonl", "tenants": [{"tenantId": "acme"}]}"#)
        let (policy, problems) = TenantPolicySet.load(path: path)
        #expect(problems == [])
        #expect(policy?.file == path)
        #expect(policy?.auditLogPath == directory.path + "/conf/logs/audit.jsonl")
        #expect(policy?.tenantIDs == ["acme"])
    }

    @Test("an absolute auditLog is kept as written")
    func absoluteAuditLog() throws {
        let policy = try F.policySet(#"{"auditLog": "/var/log/ph/audit.jsonl", "tenants": [{"tenantId": "acme"}]}"#)
        #expect(policy.auditLogPath == "/var/log/ph/audit.jsonl")
    }
}
