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
        let allowIndex = PatternIndex(allowed)
        for (j, entry) in restricted.enumerated() {
            guard let i = allowIndex.firstCovering(entry) else { continue }
            warning("`\(restrictBase)/\(j)` (\(entry)) is also matched by `\(allowBase)/\(i)` (\(allowed[i])), and the allow list wins, so it is allowed; remove it from one of the lists.")
        }
    }

    /// Repeated entries, and entries a broader one in the same list already matches.
    private mutating func checkRedundancy(_ patterns: [NodeTypePattern], at listBase: String) {
        let index = PatternIndex(patterns)
        for (j, entry) in patterns.enumerated() {
            if let i = index.first[entry], i < j {
                warning("`\(listBase)/\(j)` repeats \(entry) from `\(listBase)/\(i)`; remove the repeat.")
            } else if let i = index.firstBroader(than: entry) {
                warning("`\(listBase)/\(j)` (\(entry)) is already matched by `\(listBase)/\(i)` (\(patterns[i])); remove the narrower entry.")
            }
        }
    }
}

/// Where each pattern of a list first occurs, so coverage is found in time linear in the
/// list (a generated policy with thousands of entries must not make `policy check` crawl).
private struct PatternIndex {
    var first: [NodeTypePattern: Int] = [:]

    init(_ patterns: [NodeTypePattern]) {
        for (index, pattern) in patterns.enumerated() where first[pattern] == nil { first[pattern] = index }
    }

    /// The first index of a pattern equal to `entry` or broader than it.
    func firstCovering(_ entry: NodeTypePattern) -> Int? {
        [first[entry], firstBroader(than: entry)].compactMap { $0 }.min()
    }

    /// The first index of a `prefix.*` strictly broader than `entry`: one whose stem is a
    /// proper dot-prefix of the entry's name (`math` for `math.add` or `math.x.*`).
    func firstBroader(than entry: NodeTypePattern) -> Int? {
        let name: String
        switch entry {
        case .exact(let exact): name = exact
        case .prefix(let stem): name = stem
        }
        var best: Int? = nil
        var bytes = name.utf8[...]
        while let dot = bytes.lastIndex(of: UInt8(ascii: ".")) {
            bytes = bytes[..<dot]
            if let index = first[.prefix(String(Substring(bytes)))] { best = min(best ?? index, index) }
        }
        return best
    }
}
