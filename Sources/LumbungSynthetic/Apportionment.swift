/// Splitting a whole number of households over regions in proportion to their weights.
public enum Apportionment {
    /// Largest-remainder (Hamilton) apportionment: shares of `total` proportional to `weights`
    /// that sum to exactly `total`. Each region first gets the floor of its exact quota; the
    /// units left over go to the largest remainders, ties to the earlier region, so the result
    /// is deterministic. All weights zero (or none positive): everything to the first region.
    ///
    /// ```swift
    /// Apportionment.largestRemainder(total: 10, weights: [5, 3, 2, 1])   // [4, 3, 2, 1]
    /// ```
    public static func largestRemainder(total: Int, weights: [Int]) -> [Int] {
        precondition(total >= 0, "total must not be negative")
        precondition(weights.allSatisfy { $0 >= 0 }, "weights must not be negative")
        guard !weights.isEmpty else { return [] }
        let sum = weights.reduce(0, +)
        guard sum > 0 else { return [total] + Array(repeating: 0, count: weights.count - 1) }
        // Exact integer arithmetic: quota = total × weight / sum, remainder kept as a numerator.
        var shares = [Int](repeating: 0, count: weights.count)
        var remainders: [(numerator: Int, index: Int)] = []
        remainders.reserveCapacity(weights.count)
        var given = 0
        for (index, weight) in weights.enumerated() {
            let (quotient, remainder) = total.multipliedFullWidth(by: weight)
            let (share, left) = sum.dividingFullWidth((quotient, remainder))
            shares[index] = share
            given += share
            remainders.append((left, index))
        }
        remainders.sort { $0.numerator != $1.numerator ? $0.numerator > $1.numerator : $0.index < $1.index }
        for position in 0..<(total - given) { shares[remainders[position].index] += 1 }
        return shares
    }
}
