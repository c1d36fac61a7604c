import PluginHostCore

/// Node name → index of the first node with that name, built once per graph.
///
/// Why not just `[String: Int]`: building a 10 000-node graph looks a name up once per node
/// and twice per connection, and `Dictionary`'s seeded SipHash made those lookups half of
/// the runner's construction time. Node names are nearly always short ASCII, so when every
/// name is ASCII the index hashes bytes with FNV-1a into one flat open-addressing array
/// (a collision only lengthens a probe: every hit is confirmed byte for byte). A workflow with
/// any non-ASCII name uses a `Dictionary` keyed by ``UTF8Key``.
///
/// Names are the same when their UTF-8 bytes are: `"é"` and `"e\u0301"` are two nodes, as
/// they are two keys of the JSON object they came from (`String ==` would merge them).
struct NodeNameIndex: Sendable {
    private enum Storage: Sendable {
        /// Slots holding node indices (-1 is empty); a power of two, at most half full.
        case ascii(slots: [Int32], mask: Int)
        case general([UTF8Key: Int])
    }

    private let storage: Storage
    /// Each node's name, to confirm a probe's hit.
    private let names: [String]

    /// Indexes `names` (node order); `duplicates` gets (first, repeated) for each name seen before.
    init(names: [String], duplicates: inout [(first: Int, repeated: Int)]) {
        self.names = names
        let hashes = names.map(Self.asciiHash)
        guard !hashes.contains(nil) else {
            var dictionary: [UTF8Key: Int] = [:]
            dictionary.reserveCapacity(names.count)
            // One hash per name: the defaulted subscript stores `index` unless the name is taken.
            func stored(_ slot: inout Int) -> Int { slot }
            for index in names.indices {
                let first = stored(&dictionary[UTF8Key(names[index]), default: index])
                if first != index { duplicates.append((first, index)) }
            }
            storage = .general(dictionary)
            return
        }
        var capacity = 16
        while capacity < names.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        var slots = [Int32](repeating: -1, count: capacity)
        for index in names.indices {
            var slot = hashes[index]! & mask
            while true {
                let occupant = Int(slots[slot])
                if occupant < 0 {
                    slots[slot] = Int32(truncatingIfNeeded: index)
                    break
                }
                if String.sameUTF8(names[occupant], names[index]) {
                    duplicates.append((occupant, index))
                    break
                }
                slot = (slot + 1) & mask
            }
        }
        storage = .ascii(slots: slots, mask: mask)
    }

    /// The index of the first node named `name` (same UTF-8 bytes), nil when none is.
    func index(of name: String) -> Int? {
        switch storage {
        case .general(let dictionary):
            return dictionary[UTF8Key(name)]
        case .ascii(let slots, let mask):
            // A non-ASCII name has other bytes than every (all-ASCII) node name.
            guard let hash = Self.asciiHash(name) else { return nil }
            var slot = hash & mask
            while true {
                let occupant = Int(slots[slot])
                if occupant < 0 { return nil }
                if String.sameUTF8(names[occupant], name) { return occupant }
                slot = (slot + 1) & mask
            }
        }
    }

    /// FNV-1a over the UTF-8 bytes, finished with a multiply-xorshift so the low bits (the
    /// slot) depend on every byte; nil when the name is not all ASCII. One pass over the
    /// bytes in place (a small string's are copied to the stack by the standard library).
    @inline(__always)
    private static func asciiHash(_ name: String) -> Int? {
        func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            var high: UInt8 = 0
            for byte in bytes {
                high |= byte
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            guard high < 0x80 else { return nil }
            hash ^= hash >> 29
            hash = hash &* 0xbf58_476d_1ce4_e5b9
            return Int(truncatingIfNeeded: hash ^ (hash >> 32))
        }
        if let hashed = name.utf8.withContiguousStorageIfAvailable(hash) { return hashed }
        var copy = name
        return copy.withUTF8(hash)
    }
}
