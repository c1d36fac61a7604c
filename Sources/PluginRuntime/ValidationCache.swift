import PluginHostCore
import PluginMetadata
import Synchronization

/// Remembers the outcome of validating a node's parameters, so a repeated call (a workflow
/// run many times, a node called in a loop) skips the schema walk, its patterns and its defaults.
///
/// A bounded LRU: at most `capacity` entries; adding one to a full cache evicts the least
/// recently used. Entries live in arrays linked by index, so a get or a put is O(1) with no
/// allocation per entry. One `Mutex` guards the state; the key is hashed and the schema walked
/// outside it, so threads only queue for the table itself.
///
/// Keys are (node type, parameters), compared exactly on every hit, not just by hash: member
/// order, `2` versus `2.0` and canonically equivalent strings (`é` versus `e` + U+0301) all
/// make different keys, because the validated parameters handed to the plugin keep the
/// caller's exact form and a string's length in scalars can differ between such forms.
/// The schema is not part of the key: a node type must keep one schema for the cache's life
/// (call ``removeAll()`` when plugins are reloaded).
///
/// Memory stays bounded: parameters larger than `maximumParameterBytes` (string bytes plus
/// 8 per value, measured while hashing) are validated but never stored. Validating them
/// costs about what hashing and comparing them would, so the cache would not pay for them.
public final class ValidationCache: Sendable {
    public typealias Outcome = (parameters: JSONValue, violations: [SchemaViolation])

    /// Most entries kept; 0 disables caching (every call validates).
    public let capacity: Int
    /// Largest parameters stored, in approximate bytes.
    public let maximumParameterBytes: Int
    private let state: Locked<State>

    public init(capacity: Int = 4096, maximumParameterBytes: Int = 4096) {
        precondition(capacity >= 0, "a cache capacity cannot be negative")
        precondition(maximumParameterBytes >= 0, "a size limit cannot be negative")
        self.capacity = capacity
        self.maximumParameterBytes = maximumParameterBytes
        state = Locked(State(capacity: capacity))
    }

    /// The outcome of `schema.validate(parameters)`, from the cache when this exact call was
    /// seen recently.
    ///
    /// Only schemas for which caching pays (``ParameterSchema/isWorthCaching``: a `pattern`
    /// or a `default`) use the table; any other call is validated directly, takes no lock and
    /// counts as neither hit nor miss, since a lookup would cost more than the check.
    public func validated(nodeType: String, parameters: JSONValue, schema: ParameterSchema) -> Outcome {
        do {
            return try validated(nodeType: nodeType, parameters: parameters, schema: schema, deadline: nil)
        } catch {
            preconditionFailure("validation without a deadline cannot run out of time")
        }
    }

    /// ``validated(nodeType:parameters:schema:)`` bounded by `deadline` (a
    /// ``WallClock/monotonicNanoseconds()`` time; nil: no limit), as
    /// ``ParameterSchema/validate(_:deadline:)``. A validation stopped by its deadline has no
    /// outcome, so nothing is stored (it still counts as a miss); a cached outcome is returned
    /// whatever the time, since it costs nothing.
    public func validated(
        nodeType: String, parameters: JSONValue, schema: ParameterSchema, deadline: UInt64?
    ) throws(ValidationDeadlinePassed) -> Outcome {
        guard schema.isWorthCaching else { return try schema.validate(parameters, deadline: deadline) }
        guard capacity > 0, let key = Key(nodeType: nodeType, parameters: parameters, limit: maximumParameterBytes) else {
            state.withLock { $0.misses &+= 1 }
            return try schema.validate(parameters, deadline: deadline)
        }
        if let outcome = state.withLock({ $0.lookup(key) }) { return outcome }
        let outcome = try schema.validate(parameters, deadline: deadline)
        state.withLock { $0.insert(key, outcome) }
        return outcome
    }

    /// Counters since creation (not reset by ``removeAll()``) and the current entry count.
    public var statistics: (hits: UInt64, misses: UInt64, evictions: UInt64, entries: Int) {
        state.withLock { ($0.hits, $0.misses, $0.evictions, $0.index.count) }
    }

    /// Forgets every entry, e.g. when a node type's schema may have changed.
    public func removeAll() {
        state.withLock { $0.removeAll() }
    }
}

extension ValidationCache {
    /// (node type, parameters) with its hash computed once, outside the lock.
    struct Key: Hashable, Sendable {
        let nodeType: String
        let parameters: JSONValue
        let hash: Int

        /// Nil when the parameters are larger than `limit` approximate bytes.
        init?(nodeType: String, parameters: JSONValue, limit: Int) {
            var hasher = KeyHasher()
            hasher.combine(nodeType)
            var budget = limit
            guard Self.hash(parameters, into: &hasher, budget: &budget) else { return nil }
            self.nodeType = nodeType
            self.parameters = parameters
            hash = hasher.value
        }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }

        static func == (lhs: Key, rhs: Key) -> Bool {
            lhs.hash == rhs.hash && sameBytes(lhs.nodeType, rhs.nodeType) && same(lhs.parameters, rhs.parameters)
        }

        /// Feeds `value` to `hasher` in order (member order matters, as in ``same(_:_:)``),
        /// spending `budget`; false as soon as it runs out.
        private static func hash(_ value: JSONValue, into hasher: inout KeyHasher, budget: inout Int) -> Bool {
            budget -= 8
            guard budget >= 0 else { return false }
            switch value {
            case .null: hasher.combine(word: 0)
            case .bool(let b): hasher.combine(word: b ? 2 : 1)
            case .int(let i): hasher.combine(word: 3); hasher.combine(word: UInt64(bitPattern: i))
            case .double(let d): hasher.combine(word: 4); hasher.combine(word: d.bitPattern)
            case .string(let s):
                budget -= s.utf8.count
                guard budget >= 0 else { return false }
                hasher.combine(s)
            case .array(let elements):
                hasher.combine(word: 6 | UInt64(elements.count) << 8)
                for element in elements where !hash(element, into: &hasher, budget: &budget) { return false }
            case .object(let object):
                hasher.combine(word: 7 | UInt64(object.count) << 8)
                for member in object.members {
                    budget -= member.key.utf8.count
                    guard budget >= 0 else { return false }
                    hasher.combine(member.key)
                    guard hash(member.value, into: &hasher, budget: &budget) else { return false }
                }
            }
            return true
        }

        /// Exactly the same JSON: same cases, same bytes, same member order.
        static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
            switch (a, b) {
            case (.null, .null): return true
            case (.bool(let x), .bool(let y)): return x == y
            case (.int(let x), .int(let y)): return x == y
            case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
            case (.string(let x), .string(let y)): return sameBytes(x, y)
            case (.array(let x), .array(let y)):
                guard x.count == y.count else { return false }
                if sameStorage(x, y) { return true }
                for index in x.indices where !same(x[index], y[index]) { return false }
                return true
            case (.object(let x), .object(let y)):
                guard x.count == y.count else { return false }
                if sameStorage(x.members, y.members) { return true }
                for (m, n) in zip(x.members, y.members) where !sameBytes(m.key, n.key) || !same(m.value, n.value) {
                    return false
                }
                return true
            default: return false
            }
        }

        /// Whether two arrays share one buffer, so they hold the same elements: a buffer both
        /// reference is never changed in place (copy on write), so the answer holds for nested
        /// values too. A caller that passes the same parameters again is matched in O(1).
        @inline(__always)
        private static func sameStorage<Element>(_ a: [Element], _ b: [Element]) -> Bool {
            a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
        }

        /// Same UTF-8 bytes (`String ==` would equate canonically equivalent strings).
        @inline(__always)
        private static func sameBytes(_ a: String, _ b: String) -> Bool { String.sameUTF8(a, b) }
    }

    /// A fast seeded hash of a key's bytes, computed once per call outside the lock.
    ///
    /// `Hasher` (SipHash) costs a library call per value; this mixes whole 8-byte words with a
    /// 64×64→128-bit multiply (the wyhash step). It is seeded per process, so which inputs
    /// collide cannot be worked out in advance, and a collision only costs a comparison:
    /// `==` checks the whole key, and the dictionary re-hashes the result with `Hasher`.
    struct KeyHasher {
        private static let seed = UInt64.random(in: .min ... .max)
        private var state = KeyHasher.seed

        var value: Int { Int(truncatingIfNeeded: Self.mix(state, 0x2D35_8DCC_AA6C_78A5)) }

        @inline(__always)
        private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let product = a.multipliedFullWidth(by: b)
            return product.high ^ product.low
        }

        @inline(__always)
        mutating func combine(word: UInt64) {
            state = Self.mix(state ^ word, 0xE703_7ED1_A0B4_28DB)
        }

        /// The string's length, then its UTF-8 bytes eight at a time.
        mutating func combine(_ string: String) {
            let count = string.utf8.count
            combine(word: 5 | UInt64(count) << 8)
            let done: Void? = string.utf8.withContiguousStorageIfAvailable { bytes in
                let raw = UnsafeRawBufferPointer(bytes)
                var offset = 0
                while offset + 8 <= count {
                    combine(word: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    offset += 8
                }
                if offset < count {
                    var tail: UInt64 = 0
                    for index in offset..<count { tail = tail << 8 | UInt64(raw[index]) }
                    combine(word: tail)
                }
            }
            if done == nil {
                for byte in string.utf8 { combine(word: UInt64(byte)) }
            }
        }
    }

    /// The LRU table: `index` finds a slot, `entries` hold keys, outcomes and the links of a
    /// doubly linked list from most (`head`) to least (`tail`) recently used. A full table
    /// reuses the tail's slot, so `entries` never grows past the capacity.
    struct State: Sendable {
        struct Entry: Sendable {
            var key: Key
            var outcome: Outcome
            var newer: Int
            var older: Int
        }

        let capacity: Int
        var index: [Key: Int] = [:]
        var entries: [Entry] = []
        var head = -1
        var tail = -1
        var hits: UInt64 = 0
        var misses: UInt64 = 0
        var evictions: UInt64 = 0

        init(capacity: Int) { self.capacity = capacity }

        mutating func lookup(_ key: Key) -> Outcome? {
            guard let slot = index[key] else {
                misses &+= 1
                return nil
            }
            hits &+= 1
            moveToFront(slot)
            return entries[slot].outcome
        }

        mutating func insert(_ key: Key, _ outcome: Outcome) {
            if let slot = index[key] {
                // Another thread validated the same call meanwhile; keep one entry.
                entries[slot].outcome = outcome
                moveToFront(slot)
                return
            }
            let slot: Int
            if entries.count < capacity {
                slot = entries.count
                entries.append(Entry(key: key, outcome: outcome, newer: -1, older: -1))
            } else {
                slot = tail
                unlink(slot)
                index.removeValue(forKey: entries[slot].key)
                evictions &+= 1
                entries[slot] = Entry(key: key, outcome: outcome, newer: -1, older: -1)
            }
            index[key] = slot
            linkAtFront(slot)
        }

        mutating func removeAll() {
            index.removeAll()
            entries.removeAll()
            head = -1
            tail = -1
        }

        private mutating func moveToFront(_ slot: Int) {
            guard slot != head else { return }
            unlink(slot)
            linkAtFront(slot)
        }

        private mutating func unlink(_ slot: Int) {
            let newer = entries[slot].newer, older = entries[slot].older
            if newer >= 0 { entries[newer].older = older } else { head = older }
            if older >= 0 { entries[older].newer = newer } else { tail = newer }
            entries[slot].newer = -1
            entries[slot].older = -1
        }

        private mutating func linkAtFront(_ slot: Int) {
            entries[slot].older = head
            entries[slot].newer = -1
            if head >= 0 { entries[head].newer = slot }
            head = slot
            if tail < 0 { tail = slot }
        }

        /// Keys from most to least recently used (for tests).
        func keysByRecency() -> [Key] {
            var keys: [Key] = []
            var slot = head
            while slot >= 0 {
                keys.append(entries[slot].key)
                slot = entries[slot].older
            }
            return keys
        }
    }

    /// Node types and parameters from most to least recently used; lets tests see LRU order.
    public var recencyOrder: [(nodeType: String, parameters: JSONValue)] {
        state.withLock { $0.keysByRecency().map { ($0.nodeType, $0.parameters) } }
    }
}
