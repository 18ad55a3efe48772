/// The first matches in a secondary index's order, kept while a scan of the primary index
/// counts every match: an unsorted member search whose desil index orders the answer while
/// the wilayah index is cheaper to scan gets its page and its total from one scan.
///
/// A single-valued dimension's index orders its entries by (value, desa, id) and the primary
/// index by (desa, id), so the matches a primary scan meets with one value arrive in the
/// secondary index's order for that value, and that index's order is these lists one value
/// after another. Keeping each value's first `prefix` matches gives that index's first
/// `prefix` without scanning it (each of its entries costs a summary look-up).
///
/// ```swift
/// var page = OrderedPrefix(.desil, prefix: 50)!
/// page.append(match, summary)   // each match, in primary scan order
/// page.matches                  // what the desil index's scan would have found first
/// ```
struct OrderedPrefix {
    let dimension: IndexDimension
    let prefix: Int
    /// Each value's first matches (at its value's position), at most `prefix` each.
    private var byValue: [[HouseholdMatch]] = Array(repeating: [], count: 64)

    /// Nil unless `dimension` is a secondary index whose households hold one value each.
    init?(_ dimension: IndexDimension, prefix: Int) {
        guard dimension.isSingleValued, !dimension.isPrimary else { return nil }
        self.dimension = dimension
        self.prefix = prefix
    }

    /// A match of the primary scan, in its order.
    @inline(__always)
    mutating func append(_ match: HouseholdMatch, _ summary: IndexSummary) {
        let values = dimension.values(summary)
        // No value: no entry in the index. A query ordered by it accepts none such.
        guard values != 0 else { return }
        let value = values.trailingZeroBitCount
        if byValue[value].count < prefix { byValue[value].append(match) }
    }

    /// Whether every further match with one of `values` (a bitmask of `dimension`'s values)
    /// would leave the page as it is: each such value's list is full (value 0, none, has no
    /// list). False for another dimension.
    func isFull(_ dimension: IndexDimension, values: UInt64) -> Bool {
        guard dimension == self.dimension else { return false }
        var bits = values & ~1
        while bits != 0 {
            if byValue[bits.trailingZeroBitCount].count < prefix { return false }
            bits &= bits - 1
        }
        return true
    }

    /// The first `prefix` matches in the index's order: value by value.
    var matches: [HouseholdMatch] {
        var all: [HouseholdMatch] = []
        for list in byValue where all.count < prefix { all += list.prefix(prefix - all.count) }
        return all
    }
}
