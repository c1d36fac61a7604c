import PluginHostCore

/// Strict data isolation: the tenant id goes into every `filter` object of a node's parameters.
///
/// Plugins that query shared stores take their selection from a `filter` object; the host
/// writes `"tenantId": "<tenant>"` into each one so a tenant can only ever select its own rows,
/// whatever the workflow says. The rules, all enforced before any plugin code runs:
/// - A `filter` is the value of a member whose key is exactly `filter` (case-sensitive), at any
///   depth: inside objects, inside arrays, and inside other filters (`{"filter": {"filter": {}}}`
///   gets the id at both levels).
/// - A filter that already has `tenantId` equal to the tenant (as a string) is left as it is;
///   any other `tenantId` value (another tenant, `null`, a number, an object) is a
///   `TENANT_VIOLATION` naming the JSON pointer, never silently overwritten.
/// - **Every object under a filter is a filter too**: the objects of an array of filters
///   (`{"filter": [{…}, {…}]}`) and nested clauses (`{"filter": {"$or": [{"a": 1}, {"b": 2}]}}`)
///   each get the tenant id, at any depth, so no clause of a selection can reach past the tenant.
///   (Operator objects such as `{"$gt": 3}` get it as well: a plugin that reads filters strictly
///   must tolerate the extra member; it cannot be told apart from a clause.)
/// - A `filter` whose value is a string, a number, a boolean or null is left untouched: it has
///   nowhere to put a tenant id, and the plugin's parameter schema decides whether it is
///   acceptable.
/// Values that hold no `filter` are returned without being copied.
public enum DataIsolation {
    /// The key that names a filter object.
    public static let filterKey = "filter"
    /// The member written into each filter.
    public static let tenantKey = "tenantId"

    /// `parameters` with `tenant` injected into every filter object, or `TENANT_VIOLATION`.
    public static func apply(tenant: String, to parameters: JSONValue) -> Result<JSONValue, Problem> {
        // Most parameters hold no filter: find that out without allocating anything.
        guard containsFilter(parameters) else { return .success(parameters) }
        var path: [PathStep] = []
        do {
            return .success(try rewrite(parameters, tenant: tenant, path: &path) ?? parameters)
        } catch {
            return .failure(error)
        }
    }

    /// Whether a `filter` key occurs anywhere in `value`.
    private static func containsFilter(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let object):
            for member in object.members {
                if member.key == filterKey || containsFilter(member.value) { return true }
            }
            return false
        case .array(let elements):
            for element in elements where containsFilter(element) { return true }
            return false
        default:
            return false
        }
    }

    enum PathStep {
        case key(String)
        case index(Int)
    }

    /// The rewritten value, or nil when nothing under `value` changed (so nothing is copied).
    private static func rewrite(_ value: JSONValue, tenant: String, path: inout [PathStep]) throws(Problem) -> JSONValue? {
        switch value {
        case .object(let object):
            return try rewriteMembers(of: object, tenant: tenant, path: &path).map(JSONValue.object)
        case .array(let elements):
            var copy: [JSONValue]? = nil
            for (index, element) in elements.enumerated() {
                path.append(.index(index))
                defer { path.removeLast() }
                if let changed = try rewrite(element, tenant: tenant, path: &path) {
                    if copy == nil { copy = elements }
                    copy![index] = changed
                }
            }
            return copy.map(JSONValue.array)
        default:
            return nil
        }
    }

    /// Walks the members of `object`, turning the value of each `filter` member into a filter.
    private static func rewriteMembers(of object: JSONObject, tenant: String, path: inout [PathStep]) throws(Problem) -> JSONObject? {
        var copy: JSONObject? = nil
        for member in object {
            path.append(.key(member.key))
            defer { path.removeLast() }
            let changed = member.key == filterKey
                ? try isolateFilterValue(member.value, tenant: tenant, path: &path)
                : try rewrite(member.value, tenant: tenant, path: &path)
            if let changed {
                if copy == nil { copy = object }
                copy![member.key] = changed
            }
        }
        return copy
    }

    /// A filter's value: every object in it, at any depth, is a filter (nil: nothing changed).
    private static func isolateFilterValue(_ value: JSONValue, tenant: String, path: inout [PathStep]) throws(Problem) -> JSONValue? {
        switch value {
        case .object(let filter):
            return try isolateFilter(filter, tenant: tenant, path: &path).map(JSONValue.object)
        case .array(let elements):
            var copy: [JSONValue]? = nil
            for (index, element) in elements.enumerated() {
                path.append(.index(index))
                defer { path.removeLast() }
                if let changed = try isolateFilterValue(element, tenant: tenant, path: &path) {
                    if copy == nil { copy = elements }
                    copy![index] = changed
                }
            }
            return copy.map(JSONValue.array)
        default:
            return nil
        }
    }

    /// One filter object: its members' objects are filters too; then check or add `tenantId`.
    private static func isolateFilter(_ filter: JSONObject, tenant: String, path: inout [PathStep]) throws(Problem) -> JSONObject? {
        var result: JSONObject? = nil
        for member in filter where !(member.key == tenantKey) {
            path.append(.key(member.key))
            defer { path.removeLast() }
            if let changed = try isolateFilterValue(member.value, tenant: tenant, path: &path) {
                if result == nil { result = filter }
                result![member.key] = changed
            }
        }
        if let existing = filter[tenantKey] {
            guard case .string(let id) = existing, NodeTypePattern.sameBytes(id, tenant) else {
                path.append(.key(tenantKey))
                defer { path.removeLast() }
                throw violation(existing, tenant: tenant, pointer: pointer(path))
            }
        } else {
            if result == nil { result = filter }
            result![tenantKey] = .string(tenant)
        }
        return result
    }

    private static func violation(_ existing: JSONValue, tenant: String, pointer: String) -> Problem {
        let found: String
        if case .string(let other) = existing { found = "tenant \(NodeTypePattern.quoted(other))" } else { found = existing.typeName + " " + JSONWriter.string(existing) }
        return Problem(
            .tenantViolation, .error,
            "The parameters set `\(pointer)` to \(found), but this execution runs for tenant \(tenant) with strict data isolation; remove that tenantId (the host adds the right one) or run as that tenant.")
    }

    private static func pointer(_ path: [PathStep]) -> String {
        var out = ""
        for step in path {
            switch step {
            case .key(let key): out += "/" + escapePointerToken(key)
            case .index(let index): out += "/\(index)"
            }
        }
        return out
    }
}
