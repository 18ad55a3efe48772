import CLMDB

/// What ``Store/check(limit:)`` found: every record that does not decode and every index entry
/// or counter that does not match the records.
public struct CheckReport: Sendable {
    public struct Issue: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            case recordCorrupt, recordInvalid, duplicateNIK, duplicateKK, duplicateSourceID
            case missingIndexEntry, extraIndexEntry, counterMismatch, journalGap
        }

        public let kind: Kind
        public let householdID: HouseholdID?
        public let detail: String

        public var description: String {
            "\(kind.rawValue)" + (householdID.map { " household \($0)" } ?? "") + ": \(detail)"
        }
    }

    public var households = 0
    public var members = 0
    public var flaggedMembers = 0
    /// The first issues found (up to the limit); `issueCount` counts them all.
    public var issues: [Issue] = []
    public var issueCount = 0

    public var isClean: Bool { issueCount == 0 }

    mutating func report(_ kind: Issue.Kind, _ id: HouseholdID?, _ detail: String, limit: Int) {
        issueCount += 1
        if issues.count < limit { issues.append(Issue(kind: kind, householdID: id, detail: detail)) }
    }
}

extension Store {
    /// Verifies the whole store: every record decodes and validates, and every index entry and
    /// counter matches what the records imply. Reports each mismatch.
    ///
    /// - Parameter progress: called every 10,000 households with the number checked so far.
    public func check(limit: Int = 1000, progress: ((Int) -> Void)? = nil) throws -> CheckReport {
        try read { tx in try tx.check(limit: limit, progress: progress) }
    }
}

extension ReadTransaction {
    func check(limit: Int, progress: ((Int) -> Void)? = nil) throws -> CheckReport {
        var report = CheckReport()
        var expectedNIK: [(UInt64, UInt64)] = []  // (nik, id)
        var expectedKK: [(UInt64, UInt64)] = []
        var expectedSource: [SourceEntry] = []
        var expectedSecondary: [IndexDimension: [PackedEntry]] = [:]
        var counters = CounterDeltas()

        let cursor = try txn.cursor(dbs.records)
        var found = try cursor.move(MDB_FIRST)
        while found {
            let id = HouseholdID(rawValue: Keys.read(cursor.keyBytes, width: Keys.idWidth))
            do {
                let household = try decode(cursor.valueBytes, id: id)
                report.households += 1
                if report.households % 10_000 == 0 { progress?(report.households) }
                report.members += household.members.count
                report.flaggedMembers += household.members.filter { $0.nik.nik == nil }.count
                do {
                    _ = try household.validated(policy: .keepFlagged)
                } catch let error as LumbungError {
                    report.report(.recordInvalid, id, error.message, limit: limit)
                }
                for nik in household.validNIKs { expectedNIK.append((nik.rawValue, id.rawValue)) }
                expectedKK.append((household.nomorKK.rawValue, id.rawValue))
                if let sourceID = household.sourceID { expectedSource.append(SourceEntry(key: Keys.sourceID(sourceID), id: id.rawValue)) }
                for (kind, key, entry) in IndexDimension.entries(household) {
                    expectedSecondary[kind, default: []].append(PackedEntry(key, entry))
                }
                counters.add(household, sign: 1)
            } catch let error as LumbungError {
                report.report(.recordCorrupt, id, error.message, limit: limit)
            }
            found = try cursor.move(MDB_NEXT)
        }

        try compareUnique(&expectedNIK, dbs.nik, name: "NIK", duplicate: .duplicateNIK, into: &report, limit: limit)
        try compareUnique(&expectedKK, dbs.kk, name: "KK", duplicate: .duplicateKK, into: &report, limit: limit)
        try compareSources(&expectedSource, into: &report, limit: limit)
        for kind in IndexDimension.allCases {
            var expected = expectedSecondary[kind] ?? []
            expected.sort()
            let actual = dbs.lacks(kind) ? [] : try packedEntries(dbs[kind])
            compareSorted(expected, actual, into: &report, limit: limit) { entry, missing in
                let id = HouseholdID(rawValue: entry.read(at: kind.keyWidth, width: Keys.idWidth))
                return (id, "\(kind) index entry \(missing ? "missing" : "without a record")")
            }
        }
        try compareCounters(counters, into: &report, limit: limit)
        return report
    }

    private func compareUnique(_ expected: inout [(UInt64, UInt64)], _ dbi: MDB_dbi, name: String, duplicate: CheckReport.Issue.Kind, into report: inout CheckReport, limit: Int) throws {
        expected.sort { $0 < $1 }
        for index in expected.indices.dropFirst() where expected[index].0 == expected[index - 1].0 {
            report.report(duplicate, HouseholdID(rawValue: expected[index].1), "\(name) also in household \(expected[index - 1].1)", limit: limit)
        }
        let wanted = expected.map { PackedEntry(Keys.uniqueKey($0.0), Keys.uniqueDup($0.0, HouseholdID(rawValue: $0.1))) }
        let actual = try packedEntries(dbi)
        compareSorted(wanted, actual, into: &report, limit: limit) { entry, missing in
            let dup = entry.read(at: Keys.uniqueKeyWidth, width: Keys.uniqueDupWidth)
            return (HouseholdID(rawValue: dup & 0xFFFF_FFFF), "\(name) index entry \(missing ? "missing" : "without a record")")
        }
    }

    /// The source-id index against the records: one entry per source id, naming its household.
    private func compareSources(_ expected: inout [SourceEntry], into report: inout CheckReport, limit: Int) throws {
        expected.sort()
        for index in expected.indices.dropFirst() where expected[index].key == expected[index - 1].key {
            report.report(.duplicateSourceID, HouseholdID(rawValue: expected[index].id), "source id also in household \(expected[index - 1].id)", limit: limit)
        }
        var actual: [SourceEntry] = []
        if let dbi = dbs.source {
            let scan = try txn.cursor(dbi)
            var more = try scan.move(MDB_FIRST)
            while more {
                let id = scan.valueBytes.count == Keys.idWidth ? Keys.read(scan.valueBytes, width: Keys.idWidth) : 0
                actual.append(SourceEntry(key: Array(scan.keyBytes), id: id))
                more = try scan.move(MDB_NEXT)
            }
        }
        var i = 0, j = 0
        while i < expected.count || j < actual.count {
            if j == actual.count || (i < expected.count && expected[i] < actual[j]) {
                report.report(.missingIndexEntry, HouseholdID(rawValue: expected[i].id), "source id index entry missing", limit: limit)
                i += 1
            } else if i == expected.count || actual[j] < expected[i] {
                report.report(.extraIndexEntry, HouseholdID(rawValue: actual[j].id), "source id index entry without a record", limit: limit)
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
    }

    /// Every entry of an index, key then value, in the index's order.
    private func packedEntries(_ dbi: MDB_dbi) throws -> [PackedEntry] {
        var entries: [PackedEntry] = []
        let scan = try txn.cursor(dbi)
        var more = try scan.move(MDB_FIRST)
        while more {
            entries.append(PackedEntry(scan.keyBytes, scan.valueBytes))
            more = try scan.move(MDB_NEXT)
        }
        return entries
    }

    /// Walks two sorted lists and reports what only one side has.
    private func compareSorted(_ expected: [PackedEntry], _ actual: [PackedEntry], into report: inout CheckReport, limit: Int, describe: (PackedEntry, Bool) -> (HouseholdID, String)) {
        var i = 0, j = 0
        while i < expected.count || j < actual.count {
            if j == actual.count || (i < expected.count && expected[i] < actual[j]) {
                let (id, text) = describe(expected[i], true)
                report.report(.missingIndexEntry, id, text, limit: limit)
                i += 1
            } else if i == expected.count || actual[j] < expected[i] {
                let (id, text) = describe(actual[j], false)
                report.report(.extraIndexEntry, id, text, limit: limit)
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
    }

    private func compareCounters(_ deltas: CounterDeltas, into report: inout CheckReport, limit: Int) throws {
        var expected = deltas.expanded()
        let scan = try txn.cursor(dbs.counters)
        var more = try scan.move(MDB_FIRST)
        while more {
            let key = Array(scan.keyBytes)
            let households = Int64(bitPattern: Keys.read(scan.valueBytes, width: 8))
            let members = Int64(bitPattern: Keys.read(scan.valueBytes, at: 8, width: 8))
            let want = expected.removeValue(forKey: key) ?? (0, 0)
            if want.0 != households || want.1 != members {
                report.report(.counterMismatch, nil, "counter \(CounterDeltas.describe(key)) is \(households)/\(members), records say \(want.0)/\(want.1)", limit: limit)
            }
            more = try scan.move(MDB_NEXT)
        }
        for (key, want) in expected where want.0 != 0 || want.1 != 0 {
            report.report(.counterMismatch, nil, "counter \(CounterDeltas.describe(key)) is missing, records say \(want.0)/\(want.1)", limit: limit)
        }
    }
}

/// A source-id index entry: the id's bytes and the household id, in the index's order.
struct SourceEntry: Comparable {
    var key: [UInt8]
    var id: UInt64

    static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.key == rhs.key ? lhs.id < rhs.id : lhs.key.lexicographicallyPrecedes(rhs.key)
    }
}

/// An index entry, key then value, packed big-endian into 16 bytes: entries of one index share a
/// width, so comparing the integers compares the bytes. `check` sorts millions of them, which as
/// byte arrays took half its time and most of its memory.
struct PackedEntry: Comparable {
    static let capacity = 16

    /// The bytes, first byte highest; `width` of them, then zeros.
    private let bits: UInt128
    /// How many bytes it holds; an entry wider than ``capacity`` (only a damaged index has one)
    /// is kept whole in `overflow`.
    let width: Int
    private let overflow: [UInt8]?

    init<Key: Collection<UInt8>, Value: Collection<UInt8>>(_ key: Key, _ value: Value) {
        var bits: UInt128 = 0
        var width = 0
        for byte in key where width < Self.capacity { bits = bits << 8 | UInt128(byte); width += 1 }
        for byte in value where width < Self.capacity { bits = bits << 8 | UInt128(byte); width += 1 }
        let whole = key.count + value.count
        self.width = whole
        self.bits = bits << (8 * UInt128(Self.capacity - width))
        overflow = whole > Self.capacity ? Array(key) + Array(value) : nil
    }

    /// The big-endian number in bytes `offset ..< offset + width` (at most 8).
    func read(at offset: Int, width: Int) -> UInt64 {
        if let overflow { return overflow.withUnsafeBytes { Keys.read($0, at: offset, width: width) } }
        let shifted = bits >> (8 * UInt128(Self.capacity - offset - width))
        return UInt64(truncatingIfNeeded: shifted) & (width == 8 ? .max : (1 << (8 * UInt64(width))) - 1)
    }

    /// Byte order: padding with zeros keeps it for the first 16 bytes; past them, the bytes decide.
    static func < (lhs: Self, rhs: Self) -> Bool {
        if lhs.bits != rhs.bits { return lhs.bits < rhs.bits }
        if lhs.overflow == nil && rhs.overflow == nil { return lhs.width < rhs.width }
        return lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.bits == rhs.bits && lhs.width == rhs.width && lhs.overflow == rhs.overflow
    }

    private var bytes: [UInt8] {
        overflow ?? (0 ..< width).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt128(Self.capacity - 1 - $0))) }
    }
}
