/// The `POLICY_INEFFECTIVE` warnings: entries that are valid but change nothing.
///
/// A policy author who writes a restrict list beside an allow list, or `math.add` beside
/// `math.*`, believes the extra entry does something; it does not, and the next edit made on
/// that belief may open a hole. These are warnings, not errors: the policy still means exactly
/// what the rule says.
extension PolicyFileReader {
    mutating func checkEffect(allowed: [NodeTypePattern], restricted: [NodeTypePattern], at base: String) {
        let allowBase = base + "/allowedNodeTypes", restrictBase = base + "/restrictedNodeTypes"
        checkRedundancy(allowed, at: allowBase)
        checkRedundancy(restricted, at: restrictBase)
        guard !allowed.isEmpty, !restricted.isEmpty else { return }
        warning("`\(restrictBase)` has no effect because `\(allowBase)` is not empty: the allow list alone decides; remove the restrict list, or empty the allow list to use it.")
        for (j, entry) in restricted.enumerated() {
            guard let i = allowed.firstIndex(where: { $0.covers(entry) }) else { continue }
            warning("`\(restrictBase)/\(j)` (\(entry)) is also matched by `\(allowBase)/\(i)` (\(allowed[i])), and the allow list wins, so it is allowed; remove it from one of the lists.")
        }
    }

    /// Repeated entries, and entries a broader one in the same list already matches.
    private mutating func checkRedundancy(_ patterns: [NodeTypePattern], at listBase: String) {
        for (j, entry) in patterns.enumerated() {
            if let i = patterns[..<j].firstIndex(of: entry) {
                warning("`\(listBase)/\(j)` repeats \(entry) from `\(listBase)/\(i)`; remove the repeat.")
            } else if let i = patterns.indices.first(where: { $0 != j && patterns[$0] != entry && patterns[$0].covers(entry) }) {
                warning("`\(listBase)/\(j)` (\(entry)) is already matched by `\(listBase)/\(i)` (\(patterns[i])); remove the narrower entry.")
            }
        }
    }
}
