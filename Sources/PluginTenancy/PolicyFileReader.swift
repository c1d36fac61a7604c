import PluginHostCore

/// Turns a policy document into a ``TenantPolicySet``, collecting every problem at once.
///
/// Each problem names the JSON pointer it is about, in backticks, and the policy file, so
/// `policy check FILE` can print a list a person fixes in one pass. Any error withholds the
/// policy set (fail closed); warnings do not.
struct PolicyFileReader {
    let file: String?
    private(set) var problems: [Problem] = []
    private(set) var errorCount = 0

    static let topLevelKeys = ["defaultPolicy", "tenants", "auditLog"]
    static let policyKeys = ["allowedNodeTypes", "restrictedNodeTypes", "dataIsolation", "auditLogging", "isolation", "limits"]
    static let tenantKeys = ["tenantId"] + policyKeys

    init(file: String?) { self.file = file }

    /// The tenant whose entry is being read, once its id is known: every problem about the entry
    /// names it, so `policy check` on a file of hundreds of tenants says whose entry to fix.
    private var tenant: String? = nil

    mutating func error(_ message: String) {
        errorCount += 1
        problems.append(Problem(.policyInvalid, .error, naming(message), file: file))
    }

    mutating func warning(_ message: String) {
        problems.append(Problem(.policyIneffective, .warning, naming(message), file: file))
    }

    private func naming(_ message: String) -> String {
        tenant.map { "Tenant \($0): " + message } ?? message
    }

    mutating func readDocument(_ json: JSONValue) -> (policy: TenantPolicySet?, problems: [Problem]) {
        guard case .object(let root) = json else {
            error("The policy file holds \(json.typeName) at the top level; it must be an object with `tenants` and optionally `defaultPolicy` and `auditLog`.")
            return (nil, problems)
        }
        rejectUnknownKeys(root, allowed: Self.topLevelKeys, at: "")

        var defaultPolicy: TenantPolicy? = nil
        if let value = root["defaultPolicy"] {
            if case .object(let object) = value {
                rejectUnknownKeys(object, allowed: Self.policyKeys, at: "/defaultPolicy", hint: object["tenantId"] != nil ? " (the default policy applies to every unlisted tenant, so it has no tenantId)" : "")
                defaultPolicy = rules(object, at: "/defaultPolicy", tenantID: "", isDefault: true)
            } else {
                error("`/defaultPolicy` is \(value.typeName); it must be an object like {\"restrictedNodeTypes\": [\"http.*\"]}.")
            }
        }

        var tenants: [TenantPolicy] = []
        if let value = root["tenants"] {
            if case .array(let entries) = value {
                tenants = readTenants(entries)
            } else {
                error("`/tenants` is \(value.typeName); it must be an array of tenant objects.")
            }
        }

        let auditLogPath = readAuditLogPath(root["auditLog"])

        if root["tenants"] == nil || tenants.isEmpty, root["defaultPolicy"] == nil, !problems.containsError {
            warning("The policy lists no tenants and has no defaultPolicy, so every request is denied with TENANT_UNKNOWN; add tenants to `/tenants` or a `/defaultPolicy`.")
        }

        if problems.containsError { return (nil, problems) }
        let warnings = problems.filter { $0.severity == .warning }
        let set = TenantPolicySet(file: file, tenants: tenants, defaultPolicy: defaultPolicy, auditLogPath: auditLogPath, warnings: warnings)
        return (set, problems)
    }

    private mutating func readTenants(_ entries: [JSONValue]) -> [TenantPolicy] {
        var tenants: [TenantPolicy] = []
        var firstIndex: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            let base = "/tenants/\(index)"
            guard case .object(let object) = entry else {
                error("`\(base)` is \(entry.typeName); each tenant must be an object with a `tenantId`.")
                continue
            }
            let id = tenantID(object, at: base)
            tenant = id
            defer { tenant = nil }
            rejectUnknownKeys(object, allowed: Self.tenantKeys, at: base)
            guard let id else {
                _ = rules(object, at: base, tenantID: "", isDefault: false)  // still report its other problems
                continue
            }
            // Ids are ASCII by now, for which String == is byte equality.
            if let first = firstIndex[id] {
                error("`\(base)/tenantId` repeats the tenant \(id) already defined at `/tenants/\(first)`; merge the two entries.")
                _ = rules(object, at: base, tenantID: id, isDefault: false)
                continue
            }
            firstIndex[id] = index
            if let policy = rules(object, at: base, tenantID: id, isDefault: false) { tenants.append(policy) }
        }
        return tenants
    }

    private mutating func tenantID(_ object: JSONObject, at base: String) -> String? {
        guard let value = object["tenantId"] else {
            error("`\(base)` has no `tenantId`; add one (the id each request names: `--tenant` on the command line, `tenant` in the embedding API).")
            return nil
        }
        guard case .string(let id) = value else {
            error("`\(base)/tenantId` is \(value.typeName); it must be a string.")
            return nil
        }
        guard !id.isEmpty else {
            error("`\(base)/tenantId` is empty; give the tenant an id.")
            return nil
        }
        guard TenantPolicySet.isValidTenantID(id) else {
            error("`\(base)/tenantId` is \(NodeTypePattern.quoted(id)), which is not a valid tenant id: use 1 to 128 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit.")
            return nil
        }
        return id
    }

    /// The allow/restrict lists, isolation and auditing of a tenant or the default policy.
    /// Nil when any of them is in error (the problems say why).
    private mutating func rules(_ object: JSONObject, at base: String, tenantID: String, isDefault: Bool) -> TenantPolicy? {
        let errorsBefore = errorCount
        let allowed = patternList(object["allowedNodeTypes"], at: base + "/allowedNodeTypes")
        let restricted = patternList(object["restrictedNodeTypes"], at: base + "/restrictedNodeTypes")

        var isolation = DataIsolationMode.none
        if let value = object["dataIsolation"] {
            if case .string(let text) = value, let mode = DataIsolationMode(policyText: text) {
                isolation = mode
            } else {
                let shown = value.stringValue.map(NodeTypePattern.quoted) ?? value.typeName
                error("`\(base)/dataIsolation` is \(shown); it must be \"none\" (or its synonym \"relaxed\") or \"strict\".")
            }
        }
        var auditLogging = false
        if let value = object["auditLogging"] {
            if case .bool(let flag) = value { auditLogging = flag } else {
                error("`\(base)/auditLogging` is \(value.typeName); it must be true or false.")
            }
        }
        var placement: IsolationMode?
        if let value = object["isolation"] {
            if case .string(let text) = value, let mode = IsolationMode(rawValue: text) {
                placement = mode
            } else {
                let shown = value.stringValue.map(NodeTypePattern.quoted) ?? value.typeName
                error("`\(base)/isolation` is \(shown); it must be \"process\" (node calls run in worker processes) or \"none\" (in the host).")
            }
        }
        let limits = readLimits(object["limits"], at: base + "/limits")
        guard errorCount == errorsBefore else { return nil }

        checkEffect(allowed: allowed, restricted: restricted, at: base)
        if let limits, limits.memoryMb != nil || limits.cpuSecondsPerCall != nil, placement == IsolationMode.none {
            warning("`\(base)/limits` sets memoryMb or cpuSecondsPerCall, which only worker processes can enforce, but `\(base)/isolation` is \"none\"; set it to \"process\" or remove those limits.")
        }
        return TenantPolicy(
            tenantID: tenantID, allowedNodeTypes: allowed, restrictedNodeTypes: restricted,
            dataIsolation: isolation, auditLogging: auditLogging, isolation: placement, limits: limits,
            isDefaultPolicy: isDefault, policyFile: file)
    }

    /// Reads `limits` (see ``ResourceLimits/read(_:at:)``); absent is nil.
    private mutating func readLimits(_ value: JSONValue?, at base: String) -> ResourceLimits? {
        guard let value else { return nil }
        let (limits, errors) = ResourceLimits.read(value, at: base)
        for message in errors { error(message) }
        return limits
    }

    /// Reads a list of patterns; absent is an empty list.
    private mutating func patternList(_ value: JSONValue?, at base: String) -> [NodeTypePattern] {
        guard let value else { return [] }
        guard case .array(let entries) = value else {
            error("`\(base)` is \(value.typeName); it must be an array of node type patterns like [\"math.add\", \"http.*\"].")
            return []
        }
        var patterns: [NodeTypePattern] = []
        for (index, entry) in entries.enumerated() {
            guard case .string(let text) = entry else {
                error("`\(base)/\(index)` is \(entry.typeName); a node type pattern is a string like \"math.add\" or \"math.*\".")
                continue
            }
            guard let pattern = NodeTypePattern(text) else {
                error("`\(base)/\(index)` is \(NodeTypePattern.quoted(text)), which is not a node type pattern: \(NodeTypePattern.whyNotCanonical(text, isPattern: true)); write an exact node type like \"math.add\" or a prefix like \"math.*\".")
                continue
            }
            patterns.append(pattern)
        }
        return patterns
    }

    private mutating func readAuditLogPath(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        guard case .string(let path) = value, !path.isEmpty, !path.utf8.contains(0) else {
            error("`/auditLog` is \(value.stringValue == nil ? value.typeName : "an empty or NUL-containing string"); it must be the path of the audit log file.")
            return nil
        }
        if path.hasPrefix("/") { return path }
        let directory = file.map(PolicyFileReader.directory(of:)) ?? PolicyFileReader.currentDirectory()
        return directory == "/" ? "/" + path : directory + "/" + path
    }

    private mutating func rejectUnknownKeys(_ object: JSONObject, allowed: [String], at base: String, hint: String = "") {
        for key in object.keys where !allowed.contains(key) {
            let place = base.isEmpty ? "at the top level" : "in `\(base)`"
            error("`\(base)/\(escapePointerToken(key))` is not a policy key \(place)\(hint); the keys are \(allowed.joined(separator: ", ")) (check the spelling).")
        }
    }
}
