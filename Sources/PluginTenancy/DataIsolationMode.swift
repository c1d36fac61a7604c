/// Whether the host rewrites a tenant's parameters to keep its data apart from other tenants'.
///
/// Written in a policy as `"dataIsolation": "none"` (the default when absent) or `"strict"`;
/// `"relaxed"`, the name policies written for other workflow services use for no isolation, is
/// read as `none`. Any other spelling, including another case, is `POLICY_INVALID`.
public enum DataIsolationMode: String, Sendable, Hashable, CaseIterable {
    /// Parameters reach the plugin as the caller wrote them.
    case none
    /// Every `filter` object in the parameters gets the tenant's id (see ``DataIsolation``).
    case strict

    /// The mode a policy's `dataIsolation` text names: a case's own name, or `"relaxed"` for
    /// ``none``; nil for anything else (compared byte for byte, no case folding).
    public init?(policyText text: String) {
        if text.utf8.elementsEqual("relaxed".utf8) { self = .none; return }
        self.init(rawValue: text)
    }
}
