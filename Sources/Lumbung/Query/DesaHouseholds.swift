import CLMDB

/// A desa's households as its primary (wilayah) index entries hold them, kept for a store
/// generation (``GenerationCache``, `Environment.desaHouseholds`): a search of a whole region
/// (a kecamatan sorted by KK) and a member search counted on the primary index (a kecamatan's
/// households with a child under 6) read these instead of the desa's index entries again.
struct DesaHouseholds {
    /// `id << 8 | members` of each household, in the primary index's order (ascending id).
    let entries: [UInt64]
    /// Each household's index summary (``IndexSummary/packed``), at its position in `entries`.
    let summaries: [UInt32]
    let lowest: UInt64
    let highest: UInt64
    let members: Int

    /// Appends to `matched` each household whose summary passes `test`, in order.
    func select(passing test: SummaryTest, into matched: inout [(id: HouseholdID, summary: IndexSummary)]) {
        for index in entries.indices {
            let summary = IndexSummary(packed: summaries[index])
            if test.matches(summary) { matched.append((HouseholdID(rawValue: entries[index] >> 8), summary)) }
        }
    }
}

extension ReadTransaction {
    /// Calls `body` with the code and households of each desa in the range of `plan` (of the
    /// primary index), in its order: as kept for `generation`, else read from the desa's
    /// entries and kept.
    func forEachDesaHouseholds(_ plan: QueryPlan, generation: Int, _ body: (UInt64, DesaHouseholds) throws -> Void) throws {
        let cursor = try txn.cursor(dbs[.wilayah])
        let end = Keys.secondaryKey(prefix: nil, desa: plan.upper)
        var more = try cursor.seek(Keys.secondaryKey(prefix: nil, desa: plan.lower))
        while more {
            let key = cursor.keyBytes
            guard key.lexicographicallyPrecedes(end) else { break }
            let desa = Keys.read(key, width: Keys.desaWidth)
            if let kept = environment.desaHouseholds.value(for: desa, generation: generation) {
                try body(desa, kept)
            } else {
                let count = try cursor.duplicateCount()
                var entries: [UInt64] = [], summaries: [UInt32] = []
                entries.reserveCapacity(count)
                summaries.reserveCapacity(count)
                var lowest = UInt64.max, highest: UInt64 = 0, members = 0
                let width = Keys.idWidth + Keys.summaryWidth
                _ = try cursor.forEachDuplicatePage { page in
                    var offset = 0
                    while offset + width <= page.count {
                        let (id, summary) = Keys.splitEntry(UnsafeRawBufferPointer(rebasing: page[offset..<(offset + width)]))
                        offset += width
                        let packed = summary?.packed ?? 0
                        let count = UInt64(packed & 0xFF)
                        entries.append(id.rawValue << 8 | count)
                        summaries.append(packed)
                        members += Int(count)
                        lowest = min(lowest, id.rawValue)
                        highest = max(highest, id.rawValue)
                    }
                    return true
                }
                let households = DesaHouseholds(entries: entries, summaries: summaries, lowest: lowest, highest: highest, members: members)
                environment.desaHouseholds.keep(households, size: entries.count, for: desa, generation: generation)
                try body(desa, households)
            }
            more = try cursor.move(MDB_NEXT_NODUP)
        }
    }

    /// The matches of `query` over `plan`'s range (of the primary index), a desa at a time, from
    /// what is kept for `generation`: each desa's households and summaries (``DesaHouseholds``)
    /// and, with member counts, its member verdicts (``MemberTally``). The same matches in the
    /// same order as ``scan(_:query:after:matchedMembers:_:)`` of that plan, but a loop over
    /// arrays in memory: no index cursor per entry, no call per entry; `body` gets a desa's
    /// matches at once (the list is reused for the next desa) and returns whether it has
    /// listed all it needs of the matches whose desil the query accepts: from then on, when the
    /// query's summary test looks at the desil alone, a desa's matches come counted (the
    /// third argument) instead of listed, where the kept verdicts can count them.
    func forEachDesaMatches(
        _ plan: QueryPlan, query: HouseholdQuery, generation: Int, matchedMembers: Bool,
        _ body: (UInt64, [(id: HouseholdID, summary: IndexSummary)], Count) throws -> Bool
    ) throws {
        precondition(plan.index.isPrimary, "kept desa households are the primary index's")
        let test = SummaryTest(query)
        var matched: [(id: HouseholdID, summary: IndexSummary)] = []
        guard !query.members.isEmpty else {
            try forEachDesaHouseholds(plan, generation: generation) { desa, households in
                matched.removeAll(keepingCapacity: true)
                households.select(passing: test, into: &matched)
                if !matched.isEmpty { _ = try body(desa, matched, Count()) }
            }
            return
        }
        try requireMemberIndex()
        let cursor = try txn.cursor(dbs[.member])
        var tally = MemberTally(query.members, on: query.ageDate, cache: (environment.memberTallies, generation))
        let countsMatched = matchedMembers && tally.selects
        let desilOnly = test.values(testingOnly: .desil)
        var listed = false
        try forEachDesaHouseholds(plan, generation: generation) { desa, households in
            matched.removeAll(keepingCapacity: true)
            if listed, let desilOnly,
               let counted = try tally.count(households, desa: desa, desil: desilOnly, countingSelected: countsMatched, cursor: cursor) {
                if counted.households > 0 { listed = try body(desa, matched, counted) }
                return
            }
            try tally.select(households, desa: desa, passing: test, countingSelected: countsMatched, cursor: cursor, into: &matched)
            if !matched.isEmpty { listed = try body(desa, matched, Count()) }
        }
    }
}
