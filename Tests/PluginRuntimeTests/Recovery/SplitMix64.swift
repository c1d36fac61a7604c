/// Vigna's SplitMix64: a tiny seeded generator, so jittered delays are exact, repeatable values
/// in tests. Its first output for seed 0 is 0xE220A8397B1DCDAF (the reference implementation's).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    /// How many values have been drawn, to prove when a computation draws none.
    private(set) var draws = 0

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        draws += 1
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
