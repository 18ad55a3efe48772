/// Members without a NIK in a region, by the reason a placeholder gives (``NIKPlaceholder``),
/// and those with none written: what `lumbung stats --nik-reasons` shows.
///
/// The counters count missing NIKs without their reasons, so this reads the households the
/// missing-NIK index lists (and no other), keeping one tally: memory stays the same at any size,
/// time follows the number of such households.
///
/// ```swift
/// let reasons = try store.read { tx in try tx.missingNIKReasons(wilayah: try KodeWilayah("32.16")) }
/// reasons.byReason[.under17]      // Count(households: 12, members: 15)
/// ```
public struct MissingNIKReasons: Hashable, Sendable {
    /// Each reason a placeholder gave: the households with such a member, and the members.
    public var byReason: [NIKPlaceholder: Count] = [:]
    /// Members with no NIK and no placeholder (an empty cell).
    public var unexplained = Count.zero

    public init() {}

    /// The rows in table order: each reason by digit, then `none_written`.
    public var rows: [(String, Count)] {
        NIKPlaceholder.allCases.compactMap { reason in byReason[reason].map { (reason.name, $0) } }
            + (unexplained.members > 0 ? [("none_written", unexplained)] : [])
    }
}

extension ReadTransaction {
    /// Tallies the members without a NIK in `wilayah` (nil: the whole store) by reason.
    public func missingNIKReasons(wilayah: KodeWilayah? = nil) throws -> MissingNIKReasons {
        try ensureValid()
        let query = HouseholdQuery(wilayah: wilayah, nikStatus: .missing)
        var tally = MissingNIKReasons()
        try scan(try plan(for: query), query: query, after: nil) { id, _, _ in
            guard let household = try household(id: id) else { return true }
            var members: [NIKPlaceholder: Int] = [:]
            var unexplained = 0
            for member in household.members {
                switch member.nik {
                case .placeholder(let reason): members[reason, default: 0] += 1
                case .missing: unexplained += 1
                case .valid, .invalid: break
                }
            }
            for (reason, count) in members { tally.byReason[reason, default: .zero] += Count(households: 1, members: count) }
            if unexplained > 0 { tally.unexplained += Count(households: 1, members: unexplained) }
            return true
        }
        return tally
    }
}
