/// Whether the host rewrites a tenant's parameters to keep its data apart from other tenants'.
///
/// Written in a policy as `"dataIsolation": "none"` (the default when absent) or `"strict"`;
/// any other spelling, including another case, is `POLICY_INVALID`.
public enum DataIsolationMode: String, Sendable, Hashable, CaseIterable {
    /// Parameters reach the plugin as the caller wrote them.
    case none
    /// Every `filter` object in the parameters gets the tenant's id (see ``DataIsolation``).
    case strict
}
