/// "Did you mean …?" for node types: the known names within a small edit distance.
enum NameSuggestions {
    /// Up to `limit` names from `candidates` closest to `name`, closest first; only names within
    /// a third of the name's length in edits (at least 2), so wild guesses suggest nothing.
    static func closest(to name: String, among candidates: [String], limit: Int = 2) -> [String] {
        let target = Array(name.utf8)
        let threshold = max(2, target.count / 3)
        var scored: [(name: String, distance: Int)] = []
        for candidate in candidates {
            let d = distance(target, Array(candidate.utf8))
            if d <= threshold { scored.append((candidate, d)) }
        }
        scored.sort { lhs, rhs in lhs.distance != rhs.distance ? lhs.distance < rhs.distance : lhs.name < rhs.name }
        return scored.prefix(limit).map(\.name)
    }

    /// Levenshtein distance over bytes (node types are ASCII).
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
