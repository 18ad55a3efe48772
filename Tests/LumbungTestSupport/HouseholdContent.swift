import Lumbung
import LumbungSynthetic

/// The generator's seeded PRNG, so property tests are reproducible (the seed is in the message).
public typealias SeededRandom = SplitMix64

extension Household {
    /// The household without store-assigned fields, for comparing content.
    public var content: Household {
        var copy = self
        copy.id = nil
        copy.updatedAt = nil
        return copy
    }
}
