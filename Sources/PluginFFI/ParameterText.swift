import PluginHostCore
import PluginMetadata

/// Binds a function's arguments straight from the parameters' JSON text, for the common case
/// of a flat object of numbers and booleans, without building a `JSONValue`.
///
/// This is the call path's fast lane (the performance goal is ≤ 1 µs per call including the
/// JSON mapping; parsing into a `JSONValue` alone cost more than the call). It understands only
/// what it can judge exactly: an object whose members are the declared parameters, each once,
/// with number, `true`, `false` or `null` values. Anything else (a string value, an escaped
/// key, nesting, a duplicate, an unknown or missing member, a syntax error) is `.fallback`:
/// the caller then takes the general path (``JSONParser`` and ``ArgumentConversion``), which
/// words every problem. Values are converted by the same ``ArgumentConversion``, so both lanes
/// accept and refuse exactly the same values with the same messages; integers are read
/// exactly from their digits, so a `uint64` up to its maximum arrives unrounded.
struct ParameterText {
    enum Outcome {
        /// Every argument slot is written.
        case bound
        /// Not a case this reader judges; use the general path.
        case fallback
        /// A value that does not map to its C type: the message completes "parameter `x` …".
        case refused(name: Int, reason: String)
    }

    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Reads the object, writing argument `i` (named `names[i]`, of `types[i]`) into `slots[i]`.
    /// `seen` has room for one flag per argument.
    mutating func bind(
        names: [[UInt8]], types: [CValueType], slots: UnsafeMutablePointer<UInt64>, seen: UnsafeMutablePointer<Bool>
    ) -> Outcome {
        seen.initialize(repeating: false, count: names.count)
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return .fallback }
        skipSpace()
        var found = 0
        if !take(UInt8(ascii: "}")) {
            while true {
                guard take(UInt8(ascii: "\"")) else { return .fallback }
                let keyStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return .fallback }
                guard let argument = match(keyStart, index, names), !seen[argument] else { return .fallback }
                index += 1
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return .fallback }
                skipSpace()
                guard let value = scalar() else { return .fallback }
                let slot = UnsafeMutableRawPointer(slots + argument)
                if case .unsigned(let large) = value {
                    guard types[argument] == .uint64 else {
                        return .refused(name: argument, reason: ArgumentConversion.store(.double(Double(large)), as: types[argument], into: slot) ?? "is out of range")
                    }
                    slot.storeBytes(of: large, as: UInt64.self)
                } else if case .json(let json) = value, let reason = ArgumentConversion.store(json, as: types[argument], into: slot) {
                    return .refused(name: argument, reason: reason)
                }
                seen[argument] = true
                found += 1
                skipSpace()
                if take(UInt8(ascii: ",")) { skipSpace(); continue }
                guard take(UInt8(ascii: "}")) else { return .fallback }
                break
            }
        }
        skipSpace()
        guard index == bytes.count, found == names.count else { return .fallback }
        return .bound
    }

    /// A scalar value: a JSON number, `true`, `false` or `null` (strings and containers: nil).
    private enum Scalar {
        case json(JSONValue)
        /// An integer above `Int64.max` that fits `UInt64`, kept exact.
        case unsigned(UInt64)
    }

    private mutating func scalar() -> Scalar? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "t"): return literal("true") ? .json(.bool(true)) : nil
        case UInt8(ascii: "f"): return literal("false") ? .json(.bool(false)) : nil
        case UInt8(ascii: "n"): return literal("null") ? .json(.null) : nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return nil
        }
    }

    /// A number by JSON's grammar. Integers are accumulated exactly; anything with a fraction
    /// or exponent (or too large for 64 bits) is read as a `Double` by Swift's C-locale parser.
    private mutating func number() -> Scalar? {
        let start = index
        let negative = take(UInt8(ascii: "-"))
        let digitsStart = index
        var magnitude: UInt64 = 0
        var overflow = false
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
            overflow = overflow || o1 || o2
            magnitude = sum
            index += 1
        }
        let digits = index - digitsStart
        guard digits > 0, !(digits > 1 && bytes[digitsStart] == UInt8(ascii: "0")) else { return nil }
        var integral = true
        if take(UInt8(ascii: ".")) {
            integral = false
            guard skipDigits() > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { return nil }
        }
        if integral && !overflow {
            if !negative && magnitude > UInt64(Int64.max) { return .unsigned(magnitude) }
            if !negative { return .json(.int(Int64(magnitude))) }
            if magnitude <= UInt64(Int64.max) + 1 { return .json(.int(Int64(truncatingIfNeeded: 0 &- magnitude))) }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return .json(.double(value))
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    /// The argument whose name is exactly the key bytes `start..<end`.
    private func match(_ start: Int, _ end: Int, _ names: [[UInt8]]) -> Int? {
        let length = end - start
        for (argument, name) in names.enumerated() where name.count == length {
            if name.withUnsafeBytes({ memcmpEqual($0, start) }) { return argument }
        }
        return nil
    }

    private func memcmpEqual(_ name: UnsafeRawBufferPointer, _ start: Int) -> Bool {
        for offset in 0..<name.count where name[offset] != bytes[start + offset] { return false }
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }
}
