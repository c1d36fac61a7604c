import PluginHostCore

/// A parsed tenant policy file: who may run what, how data is isolated, where audits go.
///
/// The file (every field is described in README.md, *Tenants*):
/// ```json
/// { "defaultPolicy": { "restrictedNodeTypes": ["http.*"] },
///   "auditLog": "/var/log/plugin-host/audit.jsonl",
///   "tenants": [ { "tenantId": "acme", "allowedNodeTypes": ["math.*", "string.upper"],
///                  "restrictedNodeTypes": [], "dataIsolation": "strict", "auditLogging": true } ] }
/// ```
/// Reading fails closed: any error (unknown key, wrong type, bad pattern, bad or repeated tenant
/// id, a key written twice) rejects the whole file, because a half-understood security policy
/// is worse than none. Warnings (`POLICY_INEFFECTIVE`) keep the file usable.
///
/// With no policy file at all the host is in single-tenant mode (see
/// ``TenantPolicySet/resolve(_:tenant:)``). With one, a tenant that is not listed gets
/// `defaultPolicy`, or `TENANT_UNKNOWN` when there is none. Tenant ids are compared exactly
/// (case-sensitive, byte for byte) and must match `^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`
/// (see ``TenantPolicySet/isValidTenantID(_:)``).
public struct TenantPolicySet: Sendable {
    /// The policy file (absolute), or nil when parsed from a value with no file.
    public let file: String?
    /// Listed tenants in file order; searched directly when there are few.
    private let tenantList: [TenantPolicy]
    /// Listed tenants by id, when there are too many to search directly.
    private let tenantIndex: [String: Int]?
    /// Up to this many tenants, comparing ids beats hashing one.
    private static let linearLimit = 8
    /// Tenant ids in file order.
    public let tenantIDs: [String]
    /// The policy for unlisted tenants (its ``TenantPolicy/tenantID`` is empty until applied).
    public let defaultPolicy: TenantPolicy?
    /// The top-level `auditLog` path, made absolute against the policy file's directory when
    /// written relative (no `~` expansion). See ``AuditLog/resolvePath(explicit:policySet:environment:)``
    /// for its precedence.
    public let auditLogPath: String?
    /// The `POLICY_INEFFECTIVE` warnings found while reading (the file still applies).
    public let warnings: [Problem]

    init(file: String?, tenants: [TenantPolicy], defaultPolicy: TenantPolicy?, auditLogPath: String?, warnings: [Problem]) {
        self.file = file
        self.tenantList = tenants
        if tenants.count > Self.linearLimit {
            var index: [String: Int] = [:]
            for (offset, tenant) in tenants.enumerated() { index[tenant.tenantID] = offset }
            self.tenantIndex = index
        } else {
            self.tenantIndex = nil
        }
        self.tenantIDs = tenants.map(\.tenantID)
        self.defaultPolicy = defaultPolicy
        self.auditLogPath = auditLogPath
        self.warnings = warnings
    }

    /// Reads and checks the policy file at `path`. The policy is nil when any problem is an
    /// error; problems hold every error and warning found, each naming the file and a JSON pointer.
    ///
    /// A file past one of `limits` (bytes, nesting, entries) is refused with that one problem
    /// (`POLICY_TOO_LARGE`, `JSON_TOO_DEEP`), read no further than the limit.
    public static func load(path: String, limits: InputLimits = InputLimits()) -> (policy: TenantPolicySet?, problems: [Problem]) {
        let file = PolicyFileReader.absolute(path)
        switch PolicyFileReader.readBytes(file, maximumBytes: limits.maximumPolicyBytes) {
        case .failure(let problem):
            return (nil, [problem])
        case .success(let bytes):
            let parsed: JSONParser.Result
            do {
                parsed = try JSONParser.parseReportingDuplicates(bytes, maximumDepth: limits.maximumJSONDepth)
            } catch {
                if error.exceededDepth != nil {
                    return (nil, [Problem(.jsonTooDeep, .error, "The policy file \(limits.tooDeep("document")) (\(error)).", file: file)])
                }
                return (nil, [Problem(.policyInvalid, .error, "The policy file is not JSON (\(error)); fix the syntax.", file: file)])
            }
            if let problem = PolicyFileReader.sizeProblem(parsed.value, limits: limits, file: file) { return (nil, [problem]) }
            var reader = PolicyFileReader(file: file)
            for pointer in parsed.duplicateKeys {
                reader.error("`\(pointer)` is written more than once; keep one (a policy must not depend on which copy wins).")
            }
            return reader.readDocument(parsed.value)
        }
    }

    /// Checks an already parsed policy document. `file` names it in problems and anchors a
    /// relative `auditLog` path (relative to the working directory when nil). More entries
    /// than `limits.maximumPolicyEntries` is `POLICY_TOO_LARGE` (the document's bytes and
    /// depth were for its parser to check).
    public static func parse(_ json: JSONValue, file: String?, limits: InputLimits = InputLimits()) -> (policy: TenantPolicySet?, problems: [Problem]) {
        let file = file.map(PolicyFileReader.absolute)
        if let problem = PolicyFileReader.sizeProblem(json, limits: limits, file: file) { return (nil, [problem]) }
        var reader = PolicyFileReader(file: file)
        return reader.readDocument(json)
    }

    /// The policy for `tenant`: its own entry, else the default policy applied to it, else
    /// `TENANT_UNKNOWN`. A missing, empty or malformed tenant id is `TENANT_UNKNOWN` too: with
    /// a policy file every request must say whose it is.
    public func policy(for tenant: String?) -> Result<TenantPolicy, Problem> {
        guard let tenant, !tenant.isEmpty else {
            return .failure(Problem(.tenantUnknown, .error, "A tenant policy is in use, so every request must name its tenant (`--tenant ID` on the command line, the `tenant` argument of the embedding API)\(knownTenants).", file: file))
        }
        if let policy = listed(tenant) { return .success(policy) }
        guard Self.isValidTenantID(tenant) else {
            return .failure(Problem(.tenantUnknown, .error, "Tenant \(NodeTypePattern.quoted(tenant)) is not a valid tenant id (1-128 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit); pass the id exactly as the policy file lists it.", file: file))
        }
        if let defaultPolicy { return .success(defaultPolicy.applied(to: tenant)) }
        return .failure(Problem(.tenantUnknown, .error, "Tenant \(tenant) is not in the policy file and the file has no defaultPolicy; add the tenant to `/tenants` or add a defaultPolicy\(knownTenants).", file: file))
    }

    /// The listed tenant whose id is `tenant` byte for byte. (Plain `==` would also equate
    /// canonically equivalent ids, such as a Kelvin sign for `K`; listed ids are ASCII, so the
    /// ASCII byte comparison refuses those.)
    @inline(__always)
    private func listed(_ tenant: String) -> TenantPolicy? {
        if let tenantIndex {
            guard let offset = tenantIndex[tenant], NodeTypePattern.sameBytes(ascii: tenantList[offset].tenantID, tenant) else { return nil }
            return tenantList[offset]
        }
        for policy in tenantList where NodeTypePattern.sameBytes(ascii: policy.tenantID, tenant) { return policy }
        return nil
    }

    /// The policy for `tenant` whether or not there is a policy file: with none (`set` nil), the
    /// host is in single-tenant mode and everything is allowed, tenant or not.
    public static func resolve(_ set: TenantPolicySet?, tenant: String?) -> Result<TenantPolicy, Problem> {
        guard let set else { return .success(.unrestricted(tenantID: tenant ?? "")) }
        return set.policy(for: tenant)
    }

    /// `^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`: ASCII only, so a tenant id that prints like another
    /// is another byte for byte, and safe to put in logs, paths and filters unescaped.
    public static func isValidTenantID(_ id: String) -> Bool {
        var count = 0
        for byte in id.utf8 {
            let alphanumeric = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            if count == 0 {
                guard alphanumeric else { return false }
            } else {
                guard alphanumeric || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") else { return false }
            }
            count += 1
            if count > 128 { return false }
        }
        return count > 0
    }

    /// ` (known tenants: a, b, …)`, or nothing when the file lists none.
    private var knownTenants: String {
        if tenantIDs.isEmpty { return "" }
        let shown = tenantIDs.prefix(5).joined(separator: ", ")
        return " (known tenants: " + (tenantIDs.count > 5 ? shown + ", …" : shown) + ")"
    }
}
