import CLMDB

/// The member index `idx.member` (``IndexDimension/member``): one entry per member, keyed by the
/// household's desa (5 bytes), its duplicate (9 bytes, sorted) the member's birth date
/// (``CalendarDate/ordinal``, 17 bits; ``noBirth`` when unknown) and position in the household
/// (7 bits, so twins stay two entries) in 3 bytes, ``MemberFacts`` (2) and the household id (4).
/// About 9 bytes a member: 36 MB for 4M members.
///
/// Birth dates, not ages, are stored, so an age range is a range of duplicates and nothing is
/// rewritten as the calendar moves. A query walks one desa's entries at a time
/// (``MemberTally``): memory is bounded by the largest desa, whatever the store's size.
enum MemberIndex {
    static let entryWidth = 9
    /// The birth ordinal of a member without a birth date: past every real date (2200-12-31 is
    /// 127,834), in no age range.
    static let noBirth = 0x1_FFFF

    /// A member's duplicate as a big-endian integer of ``entryWidth`` bytes.
    @inline(__always)
    static func entry(birth: Int, facts: MemberFacts, id: UInt64, position: Int) -> UInt128 {
        UInt128(UInt32(truncatingIfNeeded: birth) & 0x1_FFFF) << 55 | UInt128(position & 0x7F) << 48
            | UInt128(facts.bits) << 32 | UInt128(id & 0xFFFF_FFFF)
    }

    /// Calls `body` with each member's duplicate, in member order.
    @inline(__always)
    static func forEachEntry(_ household: Household, _ body: (UInt128) throws -> Void) rethrows {
        let id = household.id!.rawValue
        // By index: a loop variable would copy (retain and release) each member.
        for position in household.members.indices {
            try body(entry(
                birth: household.members[position].birthDate?.ordinal ?? noBirth, facts: MemberFacts(household.members[position]),
                id: id, position: position))
        }
    }

    static func bytes(_ entry: UInt128) -> [UInt8] { Keys.be(wide: entry, width: entryWidth) }

    /// (birth ordinal, facts, household id) of a stored duplicate (at `offset` of a page of them).
    @inline(__always)
    static func split(_ value: UnsafeRawBufferPointer, at offset: Int = 0) -> (birth: Int, facts: MemberFacts, id: UInt32) {
        (Int(Keys.read(value, at: offset, width: 3) >> 7), MemberFacts(bits: UInt16(Keys.read(value, at: offset + 3, width: 2))),
         UInt32(Keys.read(value, at: offset + 5, width: 4)))
    }

    /// Where the household id sits in an entry (key, then duplicate), for check reports.
    static let idOffset = Keys.desaWidth + 5
}

/// A ``MemberCondition`` made ready for the index walk: the birth-ordinal range its ages mean on
/// the reference date, and its verdict on every one of the 65,536 ``MemberFacts`` values (one
/// bit each), so a member costs one range test and one bit test.
struct CompiledMemberCondition {
    let births: ClosedRange<Int>?
    let matchesNothing: Bool
    private let table: [UInt64]

    init(_ condition: MemberCondition, on date: CalendarDate) {
        // Ages and birth days are both birth-ordinal ranges; a condition holds both.
        var range: ClosedRange<Int>? = nil
        var empty = false
        if let ages = condition.ages {
            if let ordinals = date.birthOrdinals(forAges: ages) { range = ordinals } else { empty = true }
        }
        if let days = condition.births {
            let ordinals = days.lowerBound.ordinal...days.upperBound.ordinal
            if let current = range {
                let (low, high) = (max(current.lowerBound, ordinals.lowerBound), min(current.upperBound, ordinals.upperBound))
                if low <= high { range = low...high } else { empty = true }
            } else {
                range = ordinals
            }
        }
        if let current = range, !empty {
            // Ordinals outside the index's (before its epoch, or the no-birth mark) match no one.
            let (low, high) = (max(current.lowerBound, 0), min(current.upperBound, MemberIndex.noBirth - 1))
            if low <= high { range = low...high } else { empty = true }
        }
        births = empty ? nil : range
        matchesNothing = empty
        table = Self.table(condition)
    }

    /// The verdicts of a condition on every facts value: 65,536 tests, so kept for the
    /// conditions searches ask for again (a handful: PKH components, "a child under 6"). The
    /// test ignores ages and births, so they are not part of the key.
    private static func table(_ condition: MemberCondition) -> [UInt64] {
        var key = condition
        key.ages = nil
        key.births = nil
        if let known = tables.withLock({ $0[key] }) { return known }
        var table = [UInt64](repeating: 0, count: 1024)
        for bits in 0...Int(UInt16.max) where key.matches(MemberFacts(bits: UInt16(bits))) {
            table[bits >> 6] |= 1 << UInt64(bits & 63)
        }
        tables.withLock { known in
            // Bounded: a process that sees many distinct conditions starts the cache afresh.
            if known.count >= Self.tablesKept { known.removeAll() }
            known[key] = table
        }
        return table
    }

    private static let tables = Locked<[MemberCondition: [UInt64]]>([:])
    /// Tables kept (8 KiB each).
    static let tablesKept = 64

    @inline(__always)
    func matches(birth: Int, facts: MemberFacts) -> Bool {
        if matchesNothing { return false }
        if let births, !births.contains(birth) { return false }
        let bits = Int(facts.bits)
        return table[bits >> 6] & 1 << UInt64(bits & 63) != 0
    }
}

/// Counts, household by household, the members of one desa meeting each of a query's
/// ``MemberCount`` conditions, reading `idx.member` only, and keeps each counted household's
/// verdict (whether it has every count, and how many members a selecting count picked out).
/// The verdicts of the last desa are kept, so a scan in desa order walks each desa's members once.
///
/// A desa's verdicts are a list sorted by household id, and a scan asks for ids in ascending
/// order within a desa, so each look-up steps forward from the last (a binary search when an
/// id comes before it): no hashing per member or per household. In a read transaction a
/// desa's verdicts are kept for the store generation (``GenerationCache``), so the next search
/// of the same counts there reads them instead of walking the desa's members again; the counts'
/// ranges are part of that key, so a verdict is all a search needs of a household's tally.
struct MemberTally {
    /// What a desa's verdicts depend on besides the data: the desa, the counts (conditions and
    /// ranges) and the day ages are reckoned on.
    struct Key: Hashable {
        let desa: UInt64
        let counts: [MemberCount]
        let date: CalendarDate
    }

    /// A desa's households with a member tallied and their verdicts, as kept for a generation.
    struct Tallies {
        /// Households with a member tallied (every other household has every count 0), ascending.
        var ids: [UInt32] = []
        /// For each of `ids`: the members meeting a selecting count, or ``rejected`` when the
        /// household fails a count.
        var picked: [UInt16] = []
        /// The households of `ids` with every count, as the desa's kept households hold them
        /// (nil until a search over those, ``select(_:desa:passing:countingSelected:cursor:into:)``,
        /// derives them).
        var accepted: Accepted?
    }

    /// A desa's households with every count, when only a household with a member tallied can
    /// have them: a search over kept desa households walks these alone, in order, instead of
    /// every household of the desa (most have no member tallied).
    struct Accepted {
        /// As ``DesaHouseholds/entries``: `id << 8 | members`, ascending.
        var entries: [UInt64] = []
        /// Each household's index summary (``IndexSummary/packed``).
        var summaries: [UInt32] = []
        /// Each household's members meeting a selecting count.
        var picked: [UInt16] = []
        /// The households by desil (the bit of ``IndexDimension/matchValues(_:)``: 0 none) and
        /// their members, so a search that tests the desil alone and lists no more matches
        /// counts the desa from these.
        var byDesil = [Count](repeating: Count(), count: 16)
        /// The members meeting a selecting count of the households of each desil.
        var pickedByDesil = [Int](repeating: 0, count: 16)
    }

    /// The verdict of a household that fails a count (a household has at most
    /// ``Household/maxMembers`` members, so no real count reaches it).
    static let rejected = UInt16.max

    private let counts: [MemberCount]
    private let date: CalendarDate
    /// Where verdicts are kept, and this read's generation (nil: a write transaction).
    private let cache: (tallies: GenerationCache<Key, Tallies>, generation: Int)?
    private let compiled: [CompiledMemberCondition]
    /// The birth range every condition lies in (nil: some condition takes any birth).
    private let births: ClosedRange<Int>?
    /// Which counts pick members out (``MemberCount/selectsMembers``).
    private let selecting: [Bool]
    /// Whether a household with no member tallied matches (every count accepts 0).
    private let zeroMatches: Bool
    /// Each count's range as tally lanes, so a household's tally is tested at once.
    private let bounds: Bounds
    private var desa: UInt64 = .max
    /// The last desa's verdicts.
    private var kept = Tallies()
    /// Where the last look-up ended in `kept.ids`.
    private var next = 0
    /// (household id << 32 | lanes met) of each member met while loading, reused.
    private var met: [UInt64] = []
    /// The radix sort's second buffer, reused.
    private var sorting: [UInt64] = []
    /// The members meeting a selecting count in the household last matched (all of them when
    /// no count selects: the caller keeps the summary's count then).
    private(set) var selected = 0
    var selects: Bool { selecting.contains(true) }

    init(_ counts: [MemberCount], on date: CalendarDate, cache: (tallies: GenerationCache<Key, Tallies>, generation: Int)? = nil) {
        self.counts = counts
        self.date = date
        self.cache = cache
        compiled = counts.map { CompiledMemberCondition($0.condition, on: date) }
        selecting = counts.map(\.selectsMembers)
        zeroMatches = counts.allSatisfy { $0.count.contains(0) }
        bounds = Bounds(counts)
        var births: ClosedRange<Int>? = nil
        var any = false
        for condition in compiled where !condition.matchesNothing {
            guard let range = condition.births else { any = true; continue }
            births = births.map { min($0.lowerBound, range.lowerBound)...max($0.upperBound, range.upperBound) } ?? range
        }
        self.births = any ? nil : births
    }

    /// Whether household `id` of `desa` has every count its query asks for.
    mutating func matches(id: HouseholdID, desa: UInt64, cursor: Cursor) throws -> Bool {
        if desa != self.desa { try load(desa, cursor: cursor) }
        let key = UInt32(truncatingIfNeeded: id.rawValue)
        let ids = kept.ids
        if next > 0, ids[next - 1] >= key {
            // Behind the last look-up (another index key of the same desa): search from the start.
            var (low, high) = (0, next - 1)
            while low < high {
                let middle = (low + high) / 2
                if ids[middle] < key { low = middle + 1 } else { high = middle }
            }
            next = low
        }
        while next < ids.count, ids[next] < key { next += 1 }
        guard next < ids.count, ids[next] == key else {
            selected = 0
            return zeroMatches
        }
        let picked = kept.picked[next]
        next += 1
        guard picked != Self.rejected else { return false }
        selected = Int(picked)
        return true
    }

    /// The counts (``MemberCount/count``) as a range per tally lane: lane i holds count i's,
    /// the lanes past the counts (lane 8: the members selected) any value.
    private struct Bounds {
        var low = SIMD16<UInt16>(repeating: 0)
        var high = SIMD16<UInt16>(repeating: .max)

        init(_ counts: [MemberCount]) {
            for (lane, count) in counts.enumerated() {
                let range = count.count
                if range.upperBound < 0 || range.lowerBound > Int(UInt16.max) {
                    // No tally lies in it: a lane range nothing passes.
                    (low[lane], high[lane]) = (.max, 0)
                } else {
                    (low[lane], high[lane]) = (UInt16(clamping: range.lowerBound), UInt16(clamping: range.upperBound))
                }
            }
        }

        @inline(__always)
        func accepts(_ tally: SIMD16<UInt16>) -> Bool {
            all((tally .>= low) .& (tally .<= high))
        }
    }

    /// Appends to `matched` each of a desa's households (as kept, ``DesaHouseholds``) whose
    /// summary passes `test` and which has every count, in order: a loop over arrays in memory
    /// and this desa's verdicts. With `countingSelected`, a match's member count is the members
    /// a selecting count picked out (as ``selected`` after ``matches(id:desa:cursor:)``).
    mutating func select(
        _ households: DesaHouseholds, desa: UInt64, passing test: SummaryTest, countingSelected: Bool, cursor: Cursor,
        into matched: inout [(id: HouseholdID, summary: IndexSummary)]
    ) throws {
        if desa != self.desa { try load(desa, cursor: cursor) }
        guard zeroMatches else {
            // Only a household with a member tallied can match: walk those with every count.
            let accepted = accepted(among: households)
            for index in accepted.entries.indices {
                var summary = IndexSummary(packed: accepted.summaries[index])
                guard test.matches(summary) else { continue }
                if countingSelected { summary.members = UInt8(clamping: accepted.picked[index]) }
                matched.append((HouseholdID(rawValue: accepted.entries[index] >> 8), summary))
            }
            return
        }
        // Every household may match: both lists ascend by id, one merge, as
        // `matches(id:desa:cursor:)` steps, inlined.
        let (ids, verdicts) = (kept.ids, kept.picked)
        var next = 0
        for index in households.entries.indices {
            var summary = IndexSummary(packed: households.summaries[index])
            guard test.matches(summary) else { continue }
            let entry = households.entries[index]
            let key = UInt32(truncatingIfNeeded: entry >> 8)
            while next < ids.count, ids[next] < key { next += 1 }
            var picked: UInt16 = 0
            if next < ids.count, ids[next] == key {
                picked = verdicts[next]
                if picked == Self.rejected { continue }
            }
            if countingSelected { summary.members = UInt8(clamping: picked) }
            matched.append((HouseholdID(rawValue: entry >> 8), summary))
        }
    }

    /// What ``select(_:desa:passing:countingSelected:cursor:into:)`` would append, counted
    /// instead of listed, when its test passes the desil values `desil` alone
    /// (``SummaryTest/values(testingOnly:)``): households and members (the members picked, with
    /// `countingSelected`). Nil when a household without a member tallied may match (then
    /// every household of the desa must be walked).
    mutating func count(_ households: DesaHouseholds, desa: UInt64, desil: UInt64, countingSelected: Bool, cursor: Cursor) throws -> Count? {
        guard !zeroMatches else { return nil }
        if desa != self.desa { try load(desa, cursor: cursor) }
        let accepted = accepted(among: households)
        var total = Count()
        for value in accepted.byDesil.indices where desil & 1 << UInt64(value) != 0 {
            total.households += accepted.byDesil[value].households
            total.members += countingSelected ? accepted.pickedByDesil[value] : accepted.byDesil[value].members
        }
        return total
    }

    /// The loaded desa's households with every count among its kept `households` (the same
    /// desa, the same generation), derived by one merge the first time and kept with the verdicts.
    private mutating func accepted(among households: DesaHouseholds) -> Accepted {
        if let accepted = kept.accepted { return accepted }
        var accepted = Accepted()
        let (ids, verdicts) = (kept.ids, kept.picked)
        var next = 0
        for index in households.entries.indices {
            let entry = households.entries[index]
            let key = UInt32(truncatingIfNeeded: entry >> 8)
            while next < ids.count, ids[next] < key { next += 1 }
            guard next < ids.count, ids[next] == key, verdicts[next] != Self.rejected else { continue }
            let summary = IndexSummary(packed: households.summaries[index])
            accepted.entries.append(entry)
            accepted.summaries.append(households.summaries[index])
            accepted.picked.append(verdicts[next])
            let desil = IndexDimension.desil.matchValues(summary).trailingZeroBitCount
            accepted.byDesil[desil].households += 1
            accepted.byDesil[desil].members += Int(summary.members)
            accepted.pickedByDesil[desil] += Int(verdicts[next])
        }
        kept.accepted = accepted
        // At most one accepted household a tallied one: the entry's size stands.
        if let cache { cache.tallies.replace(kept, for: Key(desa: desa, counts: counts, date: date), generation: cache.generation) }
        return accepted
    }
    /// Sorts entries by their top 32 bits (the household id), ascending: a byte at a time from
    /// the lowest (stable), skipping bytes every id shares, so a desa's few thousand entries
    /// cost two or three passes instead of a comparison sort (which took a sixth of a member
    /// search). What the low bits hold is not ordered; only equal ids end up together.
    static func sortByHousehold(_ entries: inout [UInt64], scratch: inout [UInt64]) {
        let count = entries.count
        guard count > 32 else { return entries.sort() }
        let first = entries[0] >> 32
        var differ: UInt64 = 0
        for entry in entries { differ |= (entry >> 32) ^ first }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: repeatElement(0, count: count))
        var histogram = [Int](repeating: 0, count: 256)
        for shift: UInt64 in [32, 40, 48, 56] where (differ >> (shift - 32)) & 0xFF != 0 {
            entries.withUnsafeMutableBufferPointer { from in
                scratch.withUnsafeMutableBufferPointer { to in
                    histogram.withUnsafeMutableBufferPointer { slots in
                        slots.update(repeating: 0)
                        for entry in from { slots[Int((entry >> shift) & 0xFF)] += 1 }
                        var start = 0
                        for digit in 0..<256 {
                            let size = slots[digit]
                            slots[digit] = start
                            start += size
                        }
                        for entry in from {
                            let digit = Int((entry >> shift) & 0xFF)
                            to[slots[digit]] = entry
                            slots[digit] += 1
                        }
                    }
                }
            }
            swap(&entries, &scratch)
        }
    }

    /// Makes `desa`'s verdicts the loaded ones: as kept for the generation, else tallied from
    /// the desa's member entries (those in the counts' birth range only) and kept.
    private mutating func load(_ desa: UInt64, cursor: Cursor) throws {
        self.desa = desa
        next = 0
        let key: Key? = cache == nil ? nil : Key(desa: desa, counts: counts, date: date)
        if let cache, let key, let known = cache.tallies.value(for: key, generation: cache.generation) {
            kept = known
            return
        }
        met.removeAll(keepingCapacity: true)
        let start = births?.lowerBound ?? 0
        let end = births?.upperBound ?? MemberIndex.noBirth
        let found = try cursor.seek(
            key: desa, keyWidth: Keys.desaWidth, wide: UInt128(start) << 55, width: MemberIndex.entryWidth, MDB_GET_BOTH_RANGE)
        if found {
            // A page at a time: the first page starts before the seeked entry, so births below
            // `start` are skipped; the walk stops at the first birth past `end`.
            let width = MemberIndex.entryWidth
            _ = try cursor.forEachDuplicatePage { page in
                var offset = 0
                while offset + width <= page.count {
                    let (birth, facts, id) = MemberIndex.split(page, at: offset)
                    offset += width
                    if birth < start { continue }
                    if birth > end { return false }
                    var lanes: UInt64 = 0
                    for index in compiled.indices where compiled[index].matches(birth: birth, facts: facts) {
                        lanes |= 1 << UInt64(index)
                        if selecting[index] { lanes |= 1 << 8 }
                    }
                    if lanes != 0 { met.append(UInt64(id) << 32 | lanes) }
                }
                return true
            }
        }
        Self.sortByHousehold(&met, scratch: &sorting)
        // One household's tally at a time (lanes 0-7 each count's members, lane 8 the members
        // meeting a selecting count), judged against the counts when its last member is added.
        var tallied = Tallies()
        var tally = SIMD16<UInt16>.zero
        for (position, entry) in met.enumerated() {
            let id = UInt32(truncatingIfNeeded: entry >> 32)
            var lanes = entry & 0x1FF
            while lanes != 0 {
                tally[lanes.trailingZeroBitCount] &+= 1
                lanes &= lanes - 1
            }
            guard position + 1 == met.count || UInt32(truncatingIfNeeded: met[position + 1] >> 32) != id else { continue }
            tallied.ids.append(id)
            tallied.picked.append(bounds.accepts(tally) ? tally[8] : Self.rejected)
            tally = .zero
        }
        kept = tallied
        if let cache, let key { cache.tallies.keep(tallied, size: tallied.ids.count, for: key, generation: cache.generation) }
    }
}

/// Households and members in each PKH component.
public struct PKHCounts: Hashable, Sendable {
    public var date: CalendarDate
    public var byComponent: [PKHComponent: Count]
}

extension ReadTransaction {
    /// Households and members of `wilayah` (nil: the whole store) in each PKH component on
    /// `date` (default today), from the member index, without reading a record. Memory is one
    /// desa's households.
    public func pkhCounts(wilayah: KodeWilayah? = nil, on date: CalendarDate = .today()) throws -> PKHCounts {
        try ensureValid()
        try requireMemberIndex()
        let components = PKHComponent.allCases
        let compiled = components.map { CompiledMemberCondition($0.condition, on: date) }
        var members = [Int](repeating: 0, count: components.count)
        var households = [Int](repeating: 0, count: components.count)
        var seen = [Set<UInt32>](repeating: [], count: components.count)
        let range = wilayah?.packedRange ?? 0..<10_000_000_000
        let cursor = try txn.cursor(dbs[.member])
        var found = try cursor.seek(Keys.be(range.lowerBound, width: Keys.desaWidth))
        var desa = UInt64.max
        while found {
            let key = Keys.read(cursor.keyBytes, width: Keys.desaWidth)
            guard key < range.upperBound else { break }
            if key != desa {
                for index in components.indices { households[index] += seen[index].count; seen[index].removeAll(keepingCapacity: true) }
                desa = key
            }
            let (birth, facts, id) = MemberIndex.split(cursor.valueBytes)
            for index in components.indices where compiled[index].matches(birth: birth, facts: facts) {
                members[index] += 1
                seen[index].insert(id)
            }
            found = try cursor.move(MDB_NEXT)
        }
        for index in components.indices { households[index] += seen[index].count }
        var result = PKHCounts(date: date, byComponent: [:])
        for (index, component) in components.enumerated() {
            result.byComponent[component] = Count(households: households[index], members: members[index])
        }
        return result
    }

    /// Member queries need `idx.member`; a store opened read-only that predates it has none.
    func requireMemberIndex() throws {
        if dbs.lacks(.member) {
            throw LumbungError(
                .queryInvalid, field: "anggota", rule: "this store predates the member index: open it writable once (any lumbung command that writes) to build it")
        }
    }
}

extension Environment {
    /// Builds `idx.member` for a store written before it (run once, when a writable open creates
    /// the index): every record's members, sorted and appended.
    static func buildMemberIndex(_ txn: Txn, dbs: Databases, compressor: Compressor) throws {
        var entries: [(desa: UInt64, entry: UInt128)] = []
        let records = try txn.cursor(dbs.records)
        var found = try records.move(MDB_FIRST)
        while found {
            let id = HouseholdID(rawValue: Keys.read(records.keyBytes, width: Keys.idWidth))
            let household = try compressor.open(records.valueBytes) { try RecordCodec.decode($0, id: id) }
            MemberIndex.forEachEntry(household) { entries.append((household.wilayah.packed, $0)) }
            found = try records.move(MDB_NEXT)
        }
        entries.sort { $0.desa < $1.desa || ($0.desa == $1.desa && $0.entry < $1.entry) }
        var writer = try SortedDupWriter(txn.cursor(dbs[.member]), keyWidth: Keys.desaWidth, dupWidth: MemberIndex.entryWidth)
        for item in entries { try writer.put(key: item.desa, dup: item.entry) }
        try writer.finish()
    }
}
