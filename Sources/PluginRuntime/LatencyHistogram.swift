/// Latency distribution in log-linear buckets (the HdrHistogram idea, small): constant memory,
/// constant-time recording, percentiles to within ~6% whatever the range.
///
/// A value `v` nanoseconds falls in bucket `(exponent, mantissa)` where `exponent` is the
/// position of its highest bit and `mantissa` the next 4 bits, so each power of two is split
/// into 16 sub-buckets. Values up to 2^40 ns (~18 minutes) are tracked; larger ones clamp.
struct LatencyHistogram: Sendable {
    private static let subBucketBits = 4
    private static let subBuckets = 1 << subBucketBits
    private static let maxExponent = 40
    private static let bucketCount = (maxExponent - subBucketBits + 2) * subBuckets
    private var counts = [UInt64](repeating: 0, count: bucketCount)
    private(set) var total: UInt64 = 0
    private(set) var sum: UInt64 = 0
    private(set) var max: UInt64 = 0

    mutating func record(nanoseconds value: UInt64) {
        counts[Self.index(of: value)] += 1
        total += 1
        sum &+= value
        if value > max { max = value }
    }

    /// The value at `percentile` (0–100), as the upper bound of its bucket; 0 when empty.
    func value(atPercentile percentile: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let rank = UInt64((percentile / 100 * Double(total)).rounded(.up))
        var seen: UInt64 = 0
        for (index, count) in counts.enumerated() where count > 0 {
            seen += count
            if seen >= Swift.max(rank, 1) {
                // The last bucket also holds every clamped value: its only honest bound is max.
                return index == Self.bucketCount - 1 ? max : Swift.min(Self.upperBound(of: index), max)
            }
        }
        return max
    }

    var mean: Double { total == 0 ? 0 : Double(sum) / Double(total) }

    static func index(of value: UInt64) -> Int {
        guard value >= UInt64(subBuckets) else { return Int(value) }
        let exponent = Swift.min(63 - value.leadingZeroBitCount, maxExponent)
        if value >> UInt64(maxExponent + 1) > 0 { return bucketCount - 1 }
        let mantissa = Int((value >> UInt64(exponent - subBucketBits)) & UInt64(subBuckets - 1))
        return (exponent - subBucketBits + 1) * subBuckets + mantissa
    }

    /// The largest value that maps to bucket `index`.
    static func upperBound(of index: Int) -> UInt64 {
        guard index >= subBuckets else { return UInt64(index) }
        let exponent = index / subBuckets + subBucketBits - 1
        let mantissa = UInt64(index % subBuckets)
        let base = (UInt64(subBuckets) | mantissa) << UInt64(exponent - subBucketBits)
        return base + (UInt64(1) << UInt64(exponent - subBucketBits)) - 1
    }
}
