import CLMDB

/// Which index a query scans and the key ranges it covers there.
///
/// Every secondary index orders entries by (dimension value, desa, household id), so a query
/// scans one index over a few contiguous ranges and filters the rest on the entry's summary.
struct QueryPlan {
    typealias Index = IndexDimension

    let index: Index
    /// IndexDimension values to scan, in key order (empty for the wilayah index).
    let prefixes: [UInt8?]
    let lower: UInt64
    let upper: UInt64

    init(index: Index, prefixes: [UInt8?], wilayah: KodeWilayah?) {
        self.index = index
        self.prefixes = prefixes
        let range = wilayah?.packedRange ?? 0..<10_000_000_000
        lower = range.lowerBound
        upper = range.upperBound
    }

    func dbi(_ dbs: Environment.Databases) -> MDB_dbi { dbs[index] }

    /// Every plan that can answer the query: the wilayah index, then the index of each
    /// dimension the query asks for values of (not for "none": that has no entries).
    static func candidates(for query: HouseholdQuery) -> [QueryPlan] {
        var plans = [QueryPlan(index: .wilayah, prefixes: [nil], wilayah: query.wilayah)]
        for dimension in IndexDimension.allCases {
            guard let accepted = dimension.accepted(by: query), accepted & 1 == 0 else { continue }
            plans.append(QueryPlan(index: dimension, prefixes: IndexDimension.values(in: accepted), wilayah: query.wilayah))
        }
        return plans
    }

    /// The households this plan scans, from the counters.
    func estimate(_ counts: RegionCounts) -> Int {
        prefixes.reduce(0) { $0 + counts.count(index, value: $1 ?? 0).households }
    }

    /// What the scan costs, in primary index entries: an entry of another index looks its
    /// summary up in the primary index (a B-tree search), while the primary index's entries
    /// carry theirs and are read a page at a time.
    func cost(_ counts: RegionCounts) -> Int {
        estimate(counts) * (index.isPrimary ? 1 : Self.summaryLookupCost)
    }

    /// One summary look-up costs about as much as reading this many primary index entries.
    static let summaryLookupCost = 24
}

/// A position in a scan: the last (key, household id) returned.
struct ScanPosition: Hashable {
    var index: QueryPlan.Index
    var key: [UInt8]
    var id: UInt64

    /// `v1.` + hex of index, key length, key and id.
    var token: String {
        var bytes: [UInt8] = [index.rawValue, UInt8(key.count)] + key
        Keys.append(id, width: 5, to: &bytes)
        return "v1." + bytes.map { String($0, radix: 16).leftPadded(2) }.joined()
    }

    init(index: QueryPlan.Index, key: [UInt8], id: UInt64) {
        self.index = index
        self.key = key
        self.id = id
    }

    init(token: String) throws {
        let invalid = LumbungError(.cursorInvalid, field: "cursor", value: String(token.prefix(40)), rule: "the cursor is not one this store returned")
        guard token.hasPrefix("v1."), token.count % 2 == 1 else { throw invalid }
        var bytes: [UInt8] = []
        var digits = token.dropFirst(3)[...]
        while !digits.isEmpty {
            guard let byte = UInt8(digits.prefix(2), radix: 16) else { throw invalid }
            bytes.append(byte)
            digits = digits.dropFirst(2)
        }
        guard bytes.count >= 2, let index = QueryPlan.Index(rawValue: bytes[0]), bytes.count == 2 + Int(bytes[1]) + 5 else { throw invalid }
        self.index = index
        key = Array(bytes[2..<(2 + Int(bytes[1]))])
        id = bytes.suffix(5).withUnsafeBytes { Keys.read($0, width: 5) }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension ReadTransaction {
    /// Chooses the plan, by the counters. Where the scan's order shows in the answer (`ordered`:
    /// unsorted pages, `find`, `ids`), the one that scans the fewest households, as it always
    /// was, so answers keep their order; where it does not (totals, sorted searches), the one
    /// that costs least (``QueryPlan/cost(_:)``).
    func plan(for query: HouseholdQuery, ordered: Bool = true) throws -> QueryPlan {
        let both = try plans(for: query)
        return ordered ? both.ordered : both.cheapest
    }

    /// Both choices of ``plan(for:ordered:)``, from one read of the counters.
    func plans(for query: HouseholdQuery) throws -> (ordered: QueryPlan, cheapest: QueryPlan) {
        let candidates = QueryPlan.candidates(for: query)
        if candidates.count == 1 { return (candidates[0], candidates[0]) }
        let counts = try self.counts(wilayah: query.wilayah)
        return (candidates.min { $0.estimate(counts) < $1.estimate(counts) }!, candidates.min { $0.cost(counts) < $1.cost(counts) }!)
    }

    /// Calls `body` for each matching (id, summary, index key) in plan order, starting after
    /// `position`, until it returns false. The key's bytes are valid only during the call.
    /// With `matchedMembers`, a query whose member counts pick members out
    /// (``MemberCount/selectsMembers``) hands `body` a summary whose member count is the
    /// members that matched, not all of them (a member answer pages over those).
    func scan(_ plan: QueryPlan, query: HouseholdQuery, after position: ScanPosition?, matchedMembers: Bool = false, _ body: (HouseholdID, IndexSummary, UnsafeRawBufferPointer) throws -> Bool) throws {
        if dbs.lacks(plan.index) { return }
        let cursor = try txn.cursor(plan.dbi(dbs))
        let summaries = plan.index.isPrimary ? nil : try txn.cursor(dbs[.wilayah])
        if !query.members.isEmpty { try requireMemberIndex() }
        let tallies = generation.map { (tallies: environment.memberTallies, generation: $0) }
        var tally = query.members.isEmpty ? nil : MemberTally(query.members, on: query.ageDate, cache: tallies)
        let countsMatched = matchedMembers && tally?.selects == true
        let memberCursor = query.members.isEmpty ? nil : try txn.cursor(dbs[.member])
        let test = SummaryTest(query)
        // Entries a page at a time (DUPFIXED): an id (4 bytes), and in the primary index its summary.
        let width = Keys.idWidth + (plan.index.isPrimary ? Keys.summaryWidth : 0)
        for prefix in plan.prefixes {
            let start = Keys.secondaryKey(prefix: prefix, desa: plan.lower)
            let end = Keys.secondaryKey(prefix: prefix, desa: plan.upper)
            var found: Bool
            if let position, !position.key.lexicographicallyPrecedes(start) {
                // The prefix holds the position (resume after it) or lies wholly before it (skip).
                guard position.key.lexicographicallyPrecedes(end) else { continue }
                found = try resume(cursor, after: position)
            } else {
                found = try cursor.seek(start)
            }
            while found {
                let key = cursor.keyBytes
                guard key.lexicographicallyPrecedes(end) else { break }
                // A page starts before a resumed position: skip the ids up to it.
                let skipThrough = position.map { key.elementsEqual($0.key) ? $0.id : nil } ?? nil
                let desa = Keys.read(key, at: key.count - Keys.desaWidth, width: Keys.desaWidth)
                let more = try cursor.forEachDuplicatePage { page in
                    var offset = 0
                    while offset + width <= page.count {
                        defer { offset += width }
                        let id = HouseholdID(rawValue: Keys.read(page, at: offset, width: Keys.idWidth))
                        if let skipThrough, id.rawValue <= skipThrough { continue }
                        var summary = width > Keys.idWidth
                            ? IndexSummary(packed: UInt32(Keys.read(page, at: offset + Keys.idWidth, width: Keys.summaryWidth)))
                            : try self.summary(of: id, desaKey: UnsafeRawBufferPointer(rebasing: key.suffix(Keys.desaWidth)), in: summaries!)
                        if test.matches(summary), try tally?.matches(id: id, desa: desa, cursor: memberCursor!) ?? true {
                            if countsMatched { summary.members = UInt8(clamping: tally!.selected) }
                            guard try body(id, summary, key) else { return false }
                        }
                    }
                    return true
                }
                guard more else { return }
                found = try cursor.move(MDB_NEXT_NODUP)
            }
        }
    }

    /// The summary a household's wilayah index entry carries.
    private func summary(of id: HouseholdID, desaKey: UnsafeRawBufferPointer, in cursor: Cursor) throws -> IndexSummary {
        // The smallest wilayah entry of this id: its 4-byte id, then a zero summary.
        var floor = (id.rawValue << 32).bigEndian
        let positioned = try withUnsafeBytes(of: &floor) { try cursor.seek(desaKey, dup: $0) }
        guard positioned, case let (found, summary?) = Keys.splitEntry(cursor.valueBytes), found == id else {
            throw LumbungError(.recordCorrupt, field: "idx.wilayah", value: id.description, rule: "an index entry has no wilayah entry; run check", householdID: id)
        }
        return summary
    }

    /// Positions after the last returned (key, id): later ids under that key, then later keys.
    private func resume(_ cursor: Cursor, after position: ScanPosition) throws -> Bool {
        let next = Keys.entry(HouseholdID(rawValue: position.id + 1), position.index.isPrimary ? .floor : nil)
        if try cursor.seek(position.key, dup: next) { return true }
        guard try cursor.seek(position.key) else { return false }
        return cursor.keyBytes.elementsEqual(position.key) ? try cursor.move(MDB_NEXT_NODUP) : true
    }

    /// One page of households matching `query`, in a stable order. Pass the returned cursor to
    /// get the next page; pages stay stable while other writes happen between them.
    public func find(_ query: HouseholdQuery, after cursor: String? = nil, limit: Int = 100) throws -> HouseholdPage {
        try ensureValid()
        try query.validate()
        let limit = max(1, min(limit, 10_000))
        let position = try cursor.map(ScanPosition.init(token:))
        let plan: QueryPlan
        if let position {
            plan = QueryPlan.candidates(for: query).first { $0.index == position.index }
                ?? { QueryPlan(index: position.index, prefixes: [], wilayah: nil) }()
            guard !plan.prefixes.isEmpty else {
                throw LumbungError(.cursorInvalid, field: "cursor", rule: "the cursor belongs to a different query")
            }
        } else {
            plan = try self.plan(for: query)
        }
        var households: [Household] = []
        var last: ScanPosition?
        var more = false
        try scan(plan, query: query, after: position) { id, _, key in
            if households.count == limit {
                more = true
                return false
            }
            guard let household = try household(id: id) else { return true }
            households.append(household)
            last = ScanPosition(index: plan.index, key: Array(key), id: id.rawValue)
            return true
        }
        return HouseholdPage(households: households, nextCursor: more ? last?.token : nil)
    }

    /// Ids of every household matching `query`, in scan order, without decoding records.
    public func ids(matching query: HouseholdQuery) throws -> [HouseholdID] {
        try ensureValid()
        try query.validate()
        var ids: [HouseholdID] = []
        try scan(try plan(for: query), query: query, after: nil) { id, _, _ in
            ids.append(id)
            return true
        }
        return ids
    }

    /// How many households (and their members) match `query`, when the counters can tell: a query
    /// on at most one dimension, if its counters count households' members and each household
    /// counts under at most one of the values asked for, and with no member counts. Nil otherwise.
    func countFromCounters(_ query: HouseholdQuery) throws -> Count? {
        guard query.members.isEmpty else { return nil }
        let filters = IndexDimension.allCases.compactMap { dimension in dimension.accepted(by: query).map { (dimension, $0) } }
        if filters.isEmpty { return try counts(wilayah: query.wilayah).total }
        guard filters.count == 1, case let (dimension, accepted)? = filters.first, accepted & 1 == 0, dimension.countsHouseholdMembers,
              dimension.isSingleValued || accepted.nonzeroBitCount == 1 else { return nil }
        let counts = try self.counts(wilayah: query.wilayah)
        return IndexDimension.values(in: accepted).reduce(into: Count()) { $0 += counts.count(dimension, value: $1) }
    }

    /// How many households (and their members) match `query`. A query on at most one of
    /// status, program or desil reads the counters; a combined one (or one on NIK status) scans an index.
    public func count(_ query: HouseholdQuery) throws -> Count {
        try ensureValid()
        try query.validate()
        if let counted = try countFromCounters(query) { return counted }
        var total = Count()
        try scan(try plan(for: query, ordered: false), query: query, after: nil) { _, summary, _ in
            total.households += 1
            total.members += Int(summary.members)
            return true
        }
        return total
    }
}
