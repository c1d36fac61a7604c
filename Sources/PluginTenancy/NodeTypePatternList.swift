import PluginMetadata

/// An allow or restrict list, precompiled for the per-execution check.
///
/// The check runs on every node execution (the dispatch goal is a few hundred nanoseconds for
/// tenant check, lookup and call), so the patterns are split once into exact names and prefix
/// stems: a match is a few byte comparisons, with no allocation and no string splitting. Exact
/// names go in a hash set only when there are many; a short list is faster compared directly.
/// The patterns are also kept in file order for messages.
public struct NodeTypePatternList: Sendable, Hashable {
    /// The patterns in the order the policy file lists them.
    public let patterns: [NodeTypePattern]
    private let exactNames: [String]
    private let exactNameSet: Set<String>?
    private let prefixStems: [String]

    /// Above this many exact names, a set lookup beats comparing each.
    private static let linearLimit = 8

    public init(_ patterns: [NodeTypePattern]) {
        self.patterns = patterns
        var exact: [String] = [], stems: [String] = []
        for pattern in patterns {
            switch pattern {
            case .exact(let name): if !exact.contains(name) { exact.append(name) }
            case .prefix(let stem): if !stems.contains(stem) { stems.append(stem) }
            }
        }
        exactNames = exact
        exactNameSet = exact.count > Self.linearLimit ? Set(exact) : nil
        prefixStems = stems
    }

    public var isEmpty: Bool { patterns.isEmpty }

    /// Whether any pattern matches `nodeType`, compared byte for byte. A non-canonical
    /// `nodeType` matches nothing.
    public func matches(_ nodeType: String) -> Bool {
        ManifestNames.isValidNodeType(nodeType) && matches(canonical: nodeType)
    }

    /// ``matches(_:)`` for a node type already known to be canonical (the per-execution path,
    /// which has checked it once for both lists).
    @inline(__always)
    func matches(canonical nodeType: String) -> Bool {
        if let exactNameSet {
            // Set lookup uses ==, exact here: both sides are canonical ASCII.
            if exactNameSet.contains(nodeType) { return true }
        } else {
            for name in exactNames where NodeTypePattern.sameBytes(ascii: name, nodeType) { return true }
        }
        for stem in prefixStems where NodeTypePattern.hasPrefixStem(canonical: nodeType, stem) { return true }
        return false
    }

    /// The first pattern, in file order, that matches `nodeType` (for messages; not hot).
    public func firstMatch(_ nodeType: String) -> NodeTypePattern? {
        patterns.first { $0.matches(nodeType) }
    }
}
