/// A small fixed set of ASCII names (manifest keys, schema keywords, type names) that answers
/// `contains` without hashing.
///
/// Validation asks "is this key known?" for every member of every manifest object; hashing each
/// key (SipHash) cost more than the rest of the check. Every name here is ASCII, and an ASCII
/// string is canonically equivalent only to itself, so a key can equal a name only if their
/// UTF-8 lengths match: comparing lengths first skips almost every string comparison, with the
/// same answer `Set<String>.contains` gives (Swift's `==` is canonical equivalence).
struct KeySet: Sendable {
    let names: [String]
    /// `names[i].utf8.count`, kept apart so the scan touches only integers.
    private let lengths: [Int]

    init(_ names: [String]) {
        precondition(names.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } }, "KeySet holds ASCII names only")
        self.names = names
        self.lengths = names.map(\.utf8.count)
    }

    func contains(_ key: String) -> Bool {
        let length = key.utf8.count
        for index in lengths.indices where lengths[index] == length && names[index] == key { return true }
        return false
    }

    /// The names in byte order, for messages listing them.
    func sorted() -> [String] { names.sorted() }

    /// The first name satisfying `predicate`, in declaration order.
    func first(where predicate: (String) -> Bool) -> String? { names.first(where: predicate) }
}
