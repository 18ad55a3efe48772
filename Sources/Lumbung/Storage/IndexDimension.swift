import CLMDB

/// The secondary dimensions a household is indexed and counted by, declared once: index
/// entries, bulk-load entries, counter deltas, counts, query plans and in-memory matching all
/// derive from these switches. ARCHITECTURE.md ("Adding a dimension") lists what else a new
/// one touches.
///
/// A dimension's values are small integers 1...63; a household holds a set of them, read from
/// its ``IndexSummary`` as a bitmask (bit v = value v). Value 0 stands for "none" (no desil, no
/// program, no flagged NIK): it has no index entry and no counter, but a query may ask for it.
/// Each index keys entries by (value, desa), the primary (wilayah) index by desa alone; each
/// counter by (level, wilayah, counter code, value).
///
/// Raw values, database names and counter codes are on disk (raw values in scan cursors too):
/// never change them. Raw values run without gaps, so ``forEach(_:)`` needs no array.
///
/// ```swift
/// var query = HouseholdQuery(program: .pkh)
/// IndexDimension.program.accepted(by: query)    // Program.pkh.bit: index values [1]
/// ```
enum IndexDimension: UInt8, CaseIterable, CustomStringConvertible {
    case wilayah = 1, status, program, desil, nikStatus, dukcapil
    /// Who lives in the household: one entry per member (``MemberIndex``), not per value. It has
    /// no summary values, so no counters and no value scans; ``MemberTally`` reads it.
    case member

    // MARK: Storage

    /// The index's LMDB database.
    var databaseName: String {
        switch self {
        case .wilayah: "idx.wilayah"
        case .status: "idx.status"
        case .program: "idx.program"
        case .desil: "idx.desil"
        case .nikStatus: "idx.flagged"
        case .dukcapil: "idx.dukcapil"
        case .member: "idx.member"
        }
    }

    /// The dimension byte of its counter keys (the primary index's counters are the totals).
    var counterCode: UInt8 {
        switch self {
        case .wilayah: 0
        case .status: 1
        case .program: 2
        case .desil: 3
        case .nikStatus: 4
        case .dukcapil: 5
        case .member: 6
        }
    }

    /// The dimension whose counters are the totals.
    static let total = IndexDimension.wilayah

    /// The index's name in check reports.
    var description: String {
        switch self {
        case .wilayah: "wilayah"
        case .status: "status"
        case .program: "program"
        case .desil: "desil"
        case .nikStatus: "flagged-NIK"
        case .dukcapil: "Dukcapil"
        case .member: "member"
        }
    }

    /// Its counters' name in check reports.
    var counterName: String {
        switch self {
        case .wilayah: "total"
        case .status: "status"
        case .program: "program"
        case .desil: "desil"
        case .nikStatus: "flaggedNIK"
        case .dukcapil: "dukcapil"
        case .member: "member"
        }
    }

    /// The values a summary holds, as a bitmask. The primary index has one entry a household,
    /// with no value byte: value 0.
    @inline(__always)
    func values(_ summary: IndexSummary) -> UInt64 {
        switch self {
        case .wilayah: 1
        case .status: 1 << UInt64(summary.status & 0x3F)
        case .program: UInt64(Program.mask(summaryByte: summary.programs))
        case .desil: summary.desil.map { UInt64(1) << UInt64($0) } ?? 0
        case .nikStatus: NIKStatus.Kind.mask(summaryFlags: summary.desilAndFlags)
        case .dukcapil: summary.dukcapil
        case .member: 0
        }
    }

    /// The members a counter of `value` adds up: the household's, or for a flagged NIK (a
    /// Dukcapil status) only the members so flagged (with that status).
    @inline(__always)
    func members(value: UInt8, of contribution: Contribution) -> Int64 {
        switch self {
        case .nikStatus: value == NIKStatus.Kind.invalid.flagValue ? contribution.invalidNIKs : contribution.missingNIKs
        case .dukcapil: contribution.dukcapilMembers[Int(value) - 1]
        case .wilayah, .status, .program, .desil, .member: contribution.members
        }
    }

    /// Whether its counters count each household's members (see ``members(value:of:)``), so they
    /// answer a count query.
    var countsHouseholdMembers: Bool { self != .nikStatus && self != .dukcapil && self != .member }

    /// Whether a household holds at most one value, so counters of several values add up.
    var isSingleValued: Bool {
        switch self {
        case .wilayah, .status, .desil: true
        case .program, .nikStatus, .dukcapil, .member: false
        }
    }

    // MARK: Queries

    /// The values `query` accepts, as a bitmask (bit 0: households with none), or nil when it
    /// does not filter on this dimension. The wilayah is a key range, not a value set.
    @inline(__always)
    func accepted(by query: HouseholdQuery) -> UInt64? {
        switch self {
        case .wilayah, .member: nil
        case .status: query.status.map(\.mask)
        case .program: query.program.map { UInt64($0.bit) }
        case .desil: query.desil.map { Self.mask(values: $0) }
        case .nikStatus: query.nikStatus.map { kind in kind.flagValue.map { UInt64(1) << UInt64($0) } ?? 1 }
        case .dukcapil:
            query.dukcapil.map { filter in
                switch filter {
                case .pending: 1
                case .status(let status): 1 << UInt64(status.rawValue)
                }
            }
        }
    }

    // MARK: Derived

    /// The primary index: keys without a value byte (the desa is the value), entries that carry
    /// the summary the other indexes' entries borrow, counters that are the totals.
    var isPrimary: Bool { self == .wilayah }

    /// An index key: the value byte (but in the primary and member indexes), then the desa code.
    var keyWidth: Int { isPrimary || self == .member ? Keys.desaWidth : Keys.desaWidth + 1 }

    /// Where an entry's household id starts (key, then duplicate), for check reports.
    var idOffset: Int { self == .member ? MemberIndex.idOffset : keyWidth }

    /// An entry's key as one integer of ``keyWidth`` bytes (``Keys/secondaryKey(prefix:desa:)``'s
    /// bytes): the desa code, after the value byte but for the primary index.
    @inline(__always)
    func packedKey(_ value: UInt8, desa: UInt64) -> UInt64 {
        isPrimary ? desa : UInt64(value) << Keys.secondaryValueShift | desa
    }

    /// The value bitmask a query matches against: the values, or bit 0 for none.
    @inline(__always)
    func matchValues(_ summary: IndexSummary) -> UInt64 {
        let values = values(summary)
        return values == 0 ? 1 : values
    }


    /// Every dimension in raw-value order, without allocating (hot paths call this per entry).
    @inline(__always)
    static func forEach(_ body: (IndexDimension) throws -> Void) rethrows {
        var raw = IndexDimension.wilayah.rawValue
        while let dimension = IndexDimension(rawValue: raw) {
            try body(dimension)
            raw += 1
        }
    }

    /// The dimension of a counter code.
    init?(counterCode: UInt8) {
        guard let dimension = Self.allCases.first(where: { $0.counterCode == counterCode }) else { return nil }
        self = dimension
    }

    /// Values in `range` (clamped to 1...63: value 0 is "none", which no range means).
    static func mask(values range: ClosedRange<Int>) -> UInt64 {
        let low = max(range.lowerBound, 1), high = min(range.upperBound, 63)
        guard low <= high else { return 0 }
        return (UInt64.max >> UInt64(63 - high)) & ~((1 << UInt64(low)) - 1)
    }

    /// The values of a bitmask, ascending (key order).
    static func values(in mask: UInt64) -> [UInt8] {
        var bits = mask, values: [UInt8] = []
        while bits != 0 {
            values.append(UInt8(bits.trailingZeroBitCount))
            bits &= bits - 1
        }
        return values
    }
}

/// What one household contributes to the indexes and counters, computed once per write.
struct Contribution {
    var desa: UInt64
    var summary: IndexSummary
    /// The real member count (the summary caps it at 255).
    var members: Int64
    var invalidNIKs: Int64
    var missingNIKs: Int64
    /// Members by Dukcapil status, at ``DukcapilStatus/rawValue`` - 1.
    var dukcapilMembers: SIMD4<Int64>

    init(desa: UInt64, summary: IndexSummary, members: Int64, invalidNIKs: Int64, missingNIKs: Int64, dukcapilMembers: SIMD4<Int64> = .zero) {
        self.desa = desa
        self.summary = summary
        self.members = members
        self.invalidNIKs = invalidNIKs
        self.missingNIKs = missingNIKs
        self.dukcapilMembers = dukcapilMembers
    }

    /// What a household's primary index entry alone tells of it: enough for a change of its
    /// desil only (``DesilRanking``), where every other dimension's values stay as they are.
    init(indexed summary: IndexSummary, desa: UInt64) {
        self.init(desa: desa, summary: summary, members: Int64(summary.members), invalidNIKs: 0, missingNIKs: 0)
    }

    /// Shared: a loader's worker computes it from a household it reads in place, uncopied.
    init(_ household: __shared Household) {
        var invalid: Int64 = 0, missing: Int64 = 0
        var dukcapil = SIMD4<Int64>.zero, dukcapilMask: UInt64 = 0
        for member in household.members {
            switch member.nik {
            case .invalid: invalid += 1
            case .missing, .placeholder: missing += 1
            case .valid: break
            }
            if let result = member.dukcapil {
                dukcapil[Int(result.status.rawValue) - 1] += 1
                dukcapilMask |= 1 << UInt64(result.status.rawValue)
            }
        }
        var flags: UInt8 = 0
        if invalid > 0 { flags |= NIKStatus.Kind.invalid.summaryFlag }
        if missing > 0 { flags |= NIKStatus.Kind.missing.summaryFlag }
        var summary = IndexSummary(
            status: household.status.code, desilAndFlags: flags,
            programs: Program.summaryByte(Program.mask(household.programs)),
            members: UInt8(min(household.members.count, 255)))
        summary.desil = household.desil
        summary.setDukcapil(dukcapilMask)
        self.init(
            desa: household.wilayah.packed, summary: summary,
            members: Int64(household.members.count), invalidNIKs: invalid, missingNIKs: missing, dukcapilMembers: dukcapil)
    }

    /// Calls `body` with every (dimension, value) the household has an index entry and a counter
    /// for, dimension by dimension, values ascending (key order); the primary index's value is 0.
    @inline(__always)
    func forEachValue(_ body: (IndexDimension, UInt8) throws -> Void) rethrows {
        try IndexDimension.forEach { dimension in
            var bits = dimension.isPrimary ? 1 : dimension.values(summary) & ~1
            while bits != 0 {
                try body(dimension, UInt8(bits.trailingZeroBitCount))
                bits &= bits - 1
            }
        }
    }
}

extension IndexDimension {
    /// Every (index, key, entry) a household puts in the secondary indexes, in a fixed order:
    /// its values' entries, then its members' (``MemberIndex``). The key is an integer of the
    /// index's ``keyWidth`` bytes, the entry one of `entryWidth` bytes: the one home of what a
    /// household implies, for writes (as bytes, ``entries(_:)``) and `check` (packed).
    @inline(__always)
    static func forEachEntry(
        _ household: Household, _ contribution: Contribution,
        _ body: (_ index: IndexDimension, _ key: UInt64, _ entry: UInt128, _ entryWidth: Int) throws -> Void
    ) rethrows {
        let id = household.id!
        try contribution.forEachValue { dimension, value in
            let entry = Keys.packedEntry(id, dimension.isPrimary ? contribution.summary : nil)
            try body(dimension, dimension.packedKey(value, desa: contribution.desa), entry.bits, entry.width)
        }
        try MemberIndex.forEachEntry(household) { try body(.member, contribution.desa, $0, MemberIndex.entryWidth) }
    }

    /// ``forEachEntry(_:_:_:)`` as byte arrays, for LMDB writes.
    static func entries(_ household: Household) -> [(IndexDimension, [UInt8], [UInt8])] {
        var entries: [(IndexDimension, [UInt8], [UInt8])] = []
        forEachEntry(household, Contribution(household)) { dimension, key, entry, width in
            entries.append((dimension, Keys.be(key, width: dimension.keyWidth), Keys.be(wide: entry, width: width)))
        }
        return entries
    }
}

extension NIKStatus.Kind {
    /// A flagged NIK's value in the flagged index and its counters (nil: valid, not indexed).
    var flagValue: UInt8? {
        switch self {
        case .valid: nil
        case .invalid: 1
        case .missing: 2
        }
    }

    init?(flagValue: UInt8) {
        guard let kind = Self.allCases.first(where: { $0.flagValue == flagValue }) else { return nil }
        self = kind
    }

    /// Its bit in ``IndexSummary/desilAndFlags``: 0x08 << value (bit 4 invalid, bit 5 missing).
    var summaryFlag: UInt8 { flagValue.map { 0x08 << $0 } ?? 0 }

    /// The flag values set in a summary's flags, as a value bitmask (the inverse of summaryFlag).
    @inline(__always)
    static func mask(summaryFlags flags: UInt8) -> UInt64 { UInt64(flags >> 3) & 0b110 }
}

extension Environment.Databases {
    subscript(dimension: IndexDimension) -> MDB_dbi { secondary[Int(dimension.rawValue)] }

    /// Whether the store lacks this index (read-only, written before it existed).
    func lacks(_ dimension: IndexDimension) -> Bool { absentIndexes & 1 << UInt64(dimension.rawValue) != 0 }
}
