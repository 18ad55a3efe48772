import Foundation

/// How `check` compares the records with the indexes.
enum CheckMethod: Sendable {
    /// By ``CheckDigests`` first, then exactly only when a digest differs (the default).
    case digestsFirst
    /// By sorted streams only: each missing and extra entry named (tests compare the two).
    case exact
}

extension CheckReport {
    /// Threads that decode records for a digest check.
    static var workers: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) }
    /// Records each worker decodes from one batch of page references.
    static let recordsPerWorker = 8_192

    /// The one wording of a number two households hold: `later` is the second in index order.
    static func duplicate(_ kind: Issue.Kind, name: String, later: UInt64, earlier: UInt64) -> (Issue.Kind, HouseholdID, String) {
        (kind, HouseholdID(rawValue: later), "\(name) also in household \(earlier)")
    }
}

/// Where ``RecordScan`` puts the index entries a record implies.
protocol ExpectedEntries {
    mutating func nik(_ entry: UniqueEntry) throws
    mutating func kk(_ entry: UniqueEntry) throws
    mutating func source(_ entry: SourceEntry) throws
    mutating func secondary(_ kind: IndexDimension, _ entry: PackedEntry) throws
}

/// The records' side of a check: each record decoded and validated, its issues reported, its
/// counters added and the index entries it implies given to `expected`.
struct RecordScan<Expected: ExpectedEntries> {
    var report = CheckReport()
    var counters = CounterDeltas()
    var expected: Expected

    init(expected: Expected) { self.expected = expected }

    /// One stored record: the one place that says what a record must satisfy and imply.
    mutating func check(_ stored: UnsafeRawBufferPointer, id: HouseholdID, compressor: Compressor, limit: Int) throws {
        let household: Household
        do {
            household = try ReadTransaction.decode(stored, id: id, compressor: compressor)
        } catch let error as LumbungError {
            report.report(.recordCorrupt, id, error.message, limit: limit)
            return
        }
        report.households += 1
        report.members += household.members.count
        report.flaggedMembers += household.members.reduce(0) { $0 + ($1.nik.nik == nil ? 1 : 0) }
        do {
            _ = try household.validated(policy: .keepFlagged)
        } catch let error as LumbungError {
            report.report(.recordInvalid, id, error.message, limit: limit)
        }
        for nik in household.validNIKs { try expected.nik(UniqueEntry(number: nik.rawValue, id: id.rawValue)) }
        try expected.kk(UniqueEntry(number: household.nomorKK.rawValue, id: id.rawValue))
        if let sourceID = household.sourceID { try expected.source(SourceEntry(key: Keys.sourceID(sourceID), id: id.rawValue)) }
        let contribution = Contribution(household)
        try IndexDimension.forEachEntry(household, contribution) { kind, key, entry, width in
            try expected.secondary(kind, PackedEntry(key: key, keyWidth: kind.keyWidth, entry: entry, entryWidth: width))
        }
        counters.add(contribution, sign: 1)
    }

    /// Adds a later part of the records (digests and counters are sums; issues keep their order).
    mutating func append(_ other: Self, limit: Int) where Expected == CheckDigests {
        report.households += other.report.households
        report.members += other.report.members
        report.flaggedMembers += other.report.flaggedMembers
        report.append(other.report, limit: limit)
        counters.add(other.counters)
        expected.add(other.expected)
    }
}

/// An order-free fingerprint of a multiset of index entries: how many, and the wrapping sum of a
/// keyed 64-bit hash of each. Equal multisets give equal digests; unequal ones give equal digests
/// with a chance of about 2⁻⁶⁴ (the hash's seed is random in each process, so no stored data
/// can be made to collide on purpose). Sums need no sorting, and parts add up in any order.
struct IndexDigest: Equatable, Sendable {
    private(set) var count = 0
    private(set) var sum: UInt64 = 0

    @inline(__always)
    mutating func add(_ entry: PackedEntry) { count += 1; sum &+= entry.digestTerm }

    @inline(__always)
    mutating func add(_ entry: SourceEntry) { count += 1; sum &+= entry.digestTerm }

    mutating func add(_ other: IndexDigest) { count += other.count; sum &+= other.sum }

    /// The hash's key, random in each process.
    private static let key = (UInt64.random(in: 1 ... .max), UInt64.random(in: 1 ... .max), UInt64.random(in: 1 ... .max), UInt64.random(in: 1 ... .max))

    /// A keyed hash of 136 bits (two words and a width): two rounds of a full-width multiply,
    /// folded. Written by hand: `Hasher` took a twelfth of `check`'s time.
    @inline(__always)
    static func hash(_ low: UInt64, _ high: UInt64, _ width: UInt64) -> UInt64 {
        let first = (low ^ key.0).multipliedFullWidth(by: high ^ key.1)
        let second = (first.high ^ first.low.byteSwapped ^ width ^ key.2).multipliedFullWidth(by: key.3 ^ low)
        return second.high ^ second.low
    }
}

/// The digest of each index: what the records imply, or what the indexes hold.
struct CheckDigests: ExpectedEntries, Sendable {
    var nik = IndexDigest(), kk = IndexDigest(), source = IndexDigest()
    /// How the store lays out its unique indexes' entries.
    let unique: UniqueLayout
    private var secondary = [IndexDigest](repeating: IndexDigest(), count: Int(IndexDimension.allCases.map(\.rawValue).max()!) + 1)

    init(unique: UniqueLayout) { self.unique = unique }

    subscript(kind: IndexDimension) -> IndexDigest { secondary[Int(kind.rawValue)] }

    mutating func nik(_ entry: UniqueEntry) { nik.add(PackedEntry(unique: entry.number, id: entry.id, layout: unique)) }
    mutating func kk(_ entry: UniqueEntry) { kk.add(PackedEntry(unique: entry.number, id: entry.id, layout: unique)) }
    mutating func source(_ entry: SourceEntry) { source.add(entry) }
    mutating func secondary(_ kind: IndexDimension, _ entry: PackedEntry) { secondary[Int(kind.rawValue)].add(entry) }

    /// Whether the indexes' digests (`self`) equal what the records imply. An index the store
    /// lacks holds nothing, but for the member index: a read-only store that predates it builds
    /// it when next opened writable.
    func matches(_ expected: CheckDigests, lacking lacks: (IndexDimension) -> Bool) -> Bool {
        guard nik == expected.nik, kk == expected.kk, source == expected.source else { return false }
        return IndexDimension.allCases.allSatisfy { kind in
            (kind == .member && lacks(kind)) || self[kind] == expected[kind]
        }
    }

    mutating func add(_ other: CheckDigests) {
        nik.add(other.nik)
        kk.add(other.kk)
        source.add(other.source)
        for index in secondary.indices { secondary[index].add(other.secondary[index]) }
    }
}

/// The entries the records imply, sorted in bounded memory, for the exact comparison.
struct ExpectedSorts: ExpectedEntries {
    var nik, kk: ExternalSort<UniqueEntry>
    var source: ExternalSort<SourceEntry>
    var secondary: [IndexDimension: ExternalSort<PackedEntry>] = [:]

    init(runLength: Int, directories: [String]) {
        nik = ExternalSort(runLength: runLength, directories: directories)
        kk = ExternalSort(runLength: runLength, directories: directories)
        source = ExternalSort(runLength: runLength, directories: directories)
        for kind in IndexDimension.allCases { secondary[kind] = ExternalSort(runLength: runLength, directories: directories) }
    }

    mutating func nik(_ entry: UniqueEntry) throws { try nik.append(entry) }
    mutating func kk(_ entry: UniqueEntry) throws { try kk.append(entry) }
    mutating func source(_ entry: SourceEntry) throws { try source.append(entry) }
    mutating func secondary(_ kind: IndexDimension, _ entry: PackedEntry) throws { try secondary[kind]!.append(entry) }
}
