/// SplitMix64: a tiny, fast, seedable PRNG; one stream per household index.
///
/// Every household starts its own stream from `(seed, kabupaten, index)`, so any household can
/// be generated on its own (random access, parallel generation) and always comes out the same.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A stream for one item of a keyed family: the keys are mixed, so neighbouring indices
    /// give unrelated streams.
    init(_ a: UInt64, _ b: UInt64, _ c: UInt64) {
        state = SplitMix64.mix(SplitMix64.mix(a ^ 0x5851_F42D_4C95_7F2D) ^ b) ^ SplitMix64.mix(c &+ 0x9E37_79B9)
    }

    /// The SplitMix64 output function, usable as a stand-alone 64-bit hash.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound` (multiply-high; the bias is below 2^-40 for our bounds).
    @inline(__always)
    mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Uniform in `range`.
    @inline(__always)
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Uniform in `[0, 1)`.
    @inline(__always)
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability `p`.
    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// A uniformly chosen element.
    @inline(__always)
    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// A fixed discrete distribution over `0..<weights.count`, sampled with one random number.
struct Weighted: Sendable {
    private let thresholds: [Double]

    /// Relative weights; they need not sum to 1.
    init(_ weights: [Double]) {
        let total = weights.reduce(0, +)
        var running = 0.0
        thresholds = weights.map { weight in
            running += weight / total
            return running
        }
    }

    /// An index drawn with probability proportional to its weight.
    @inline(__always)
    func sample(_ random: inout SplitMix64) -> Int {
        let u = random.unit()
        for (index, threshold) in thresholds.enumerated() where u < threshold { return index }
        return thresholds.count - 1
    }
}
