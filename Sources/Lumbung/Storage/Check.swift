import CLMDB
import Foundation

/// What ``Store/check(limit:)`` found: every record that does not decode and every index entry
/// or counter that does not match the records.
public struct CheckReport: Sendable {
    public struct Issue: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            case recordCorrupt, recordInvalid, duplicateNIK, duplicateKK, duplicateSourceID
            case missingIndexEntry, extraIndexEntry, counterMismatch, journalGap
            /// A referenced attachment's file is missing, or no longer hashes to its digest.
            case evidenceMissing, evidenceChanged
            /// Change requests (``ReadTransaction/checkRequests(limit:runLength:spillTo:)``).
            case requestCorrupt, requestIDAhead, requestIndexMissing, requestIndexExtra, requestEvidenceUnreferenced, requestEvidenceStale
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
    /// Verifies the whole store: every record decodes and validates, every index entry and
    /// counter matches what the records imply, and every referenced evidence attachment exists
    /// and hashes to its digest. Reports each mismatch.
    ///
    /// Memory is bounded whatever the store's size: the index entries the records imply are
    /// sorted in runs of ``CheckReport/runLength`` (spilled to unlinked files in the store's
    /// directory, or in `$TMPDIR` when that refuses) and merged against the indexes' cursors.
    ///
    /// - Parameter progress: called every 10,000 households with the number checked so far.
    public func check(limit: Int = 1000, progress: ((Int) -> Void)? = nil) throws -> CheckReport {
        try check(limit: limit, runLength: CheckReport.runLength, progress: progress)
    }

    /// `check` with runs of `runLength` entries (tests make them tiny to spill).
    func check(limit: Int, runLength: Int, progress: ((Int) -> Void)? = nil) throws -> CheckReport {
        let directories = [path, ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"]
        var report = try read { tx in try tx.check(limit: limit, runLength: runLength, spillTo: directories, progress: progress) }
        report.append(try read { tx in try tx.checkRequests(limit: limit, runLength: runLength, spillTo: directories) }, limit: limit)
        // Then every referenced attachment, after the records' transaction (files are hashed).
        let evidence = try self.evidence.verify(limit: limit)
        for issue in evidence.issues {
            report.report(issue.kind == .missing ? .evidenceMissing : .evidenceChanged, nil, issue.description, limit: limit)
        }
        report.issueCount += evidence.issueCount - evidence.issues.count
        return report
    }
}

extension CheckReport {
    /// Entries each of `check`'s sorts holds in memory before it spills a run.
    static let runLength = 2_000_000

    /// What `check` holds at most, whatever the store's size: one run of each sort (NIK, KK and
    /// the secondary indexes at 32 bytes an entry, source ids at up to 16 + 32 + 64 bytes), and
    /// a read buffer for each spilled run. For `--help`.
    public static var memoryBound: String {
        let runs = (2 + IndexDimension.allCases.count) * runLength * 32 + runLength * (16 + 32 + SourceID.maxLength)
        return "about \(runs / 1_000_000) MB, plus \(SpillFile.bufferSize / 1024) KB for each run spilled to a temporary file"
    }

    /// Adds `other`'s issues after these, as if reported here in turn.
    mutating func append(_ other: CheckReport, limit: Int) {
        issueCount += other.issueCount
        issues.append(contentsOf: other.issues.prefix(max(0, limit - issues.count)))
    }
}

extension ReadTransaction {
    func check(limit: Int, runLength: Int, spillTo directories: [String], progress: ((Int) -> Void)? = nil) throws -> CheckReport {
        var report = CheckReport()
        var expectedNIK = ExternalSort<UniqueEntry>(runLength: runLength, directories: directories)
        var expectedKK = ExternalSort<UniqueEntry>(runLength: runLength, directories: directories)
        var expectedSource = ExternalSort<SourceEntry>(runLength: runLength, directories: directories)
        var expectedSecondary: [IndexDimension: ExternalSort<PackedEntry>] = [:]
        for kind in IndexDimension.allCases { expectedSecondary[kind] = ExternalSort(runLength: runLength, directories: directories) }
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
                for nik in household.validNIKs { try expectedNIK.append(UniqueEntry(number: nik.rawValue, id: id.rawValue)) }
                try expectedKK.append(UniqueEntry(number: household.nomorKK.rawValue, id: id.rawValue))
                if let sourceID = household.sourceID { try expectedSource.append(SourceEntry(key: Keys.sourceID(sourceID), id: id.rawValue)) }
                for (kind, key, entry) in IndexDimension.entries(household) {
                    try expectedSecondary[kind]!.append(PackedEntry(key, entry))
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
            var sort = expectedSecondary.removeValue(forKey: kind)!
            // A read-only store that predates the member index builds it when next opened writable.
            if kind == .member && dbs.lacks(kind) { continue }
            var expected = try sort.sorted()
            var actual = try IndexEntries(dbs.lacks(kind) ? nil : txn.cursor(dbs[kind]))
            try compareSorted(&expected, &actual, into: &report, limit: limit) { entry, missing in
                let id = HouseholdID(rawValue: entry.read(at: kind.idOffset, width: Keys.idWidth))
                return (id, "\(kind) index entry \(missing ? "missing" : "without a record")")
            }
        }
        try compareCounters(counters, into: &report, limit: limit)
        return report
    }

    /// A unique index (NIK, KK) against the records: duplicates first, then what only one side has.
    private func compareUnique(_ expected: inout ExternalSort<UniqueEntry>, _ dbi: MDB_dbi, name: String, duplicate: CheckReport.Issue.Kind, into report: inout CheckReport, limit: Int) throws {
        var wanted = Duplicates(try expected.sorted(), limit: limit, sameKey: { $0.number == $1.number }) { later, earlier in
            (duplicate, HouseholdID(rawValue: later.id), "\(name) also in household \(earlier.id)")
        } convert: { PackedEntry(Keys.uniqueKey($0.number), Keys.uniqueDup($0.number, HouseholdID(rawValue: $0.id))) }
        var actual = try IndexEntries(txn.cursor(dbi))
        var mismatches = CheckReport()
        try compareSorted(&wanted, &actual, into: &mismatches, limit: limit) { entry, missing in
            let dup = entry.read(at: Keys.uniqueKeyWidth, width: Keys.uniqueDupWidth)
            return (HouseholdID(rawValue: dup & 0xFFFF_FFFF), "\(name) index entry \(missing ? "missing" : "without a record")")
        }
        report.append(wanted.found, limit: limit)
        report.append(mismatches, limit: limit)
    }

    /// The source-id index against the records: one entry per source id, naming its household.
    private func compareSources(_ expected: inout ExternalSort<SourceEntry>, into report: inout CheckReport, limit: Int) throws {
        var wanted = Duplicates(try expected.sorted(), limit: limit, sameKey: { $0.key == $1.key }) { later, earlier in
            (.duplicateSourceID, HouseholdID(rawValue: later.id), "source id also in household \(earlier.id)")
        } convert: { $0 }
        var actual = SourceIndexEntries(cursor: try dbs.source.map { try txn.cursor($0) })
        var mismatches = CheckReport()
        try compareSorted(&wanted, &actual, into: &mismatches, limit: limit) { entry, missing in
            (HouseholdID(rawValue: entry.id), "source id index entry \(missing ? "missing" : "without a record")")
        }
        report.append(wanted.found, limit: limit)
        report.append(mismatches, limit: limit)
    }

    /// Walks two sorted streams and reports what only one side has.
    private func compareSorted<Expected: EntryStream, Actual: EntryStream>(_ expected: inout Expected, _ actual: inout Actual, into report: inout CheckReport, limit: Int, describe: (Expected.Element, Bool) -> (HouseholdID, String)) throws where Expected.Element: Comparable, Actual.Element == Expected.Element {
        var want = try expected.next(), have = try actual.next()
        while true {
            if let wanted = want, have.map({ wanted < $0 }) ?? true {
                let (id, text) = describe(wanted, true)
                report.report(.missingIndexEntry, id, text, limit: limit)
                want = try expected.next()
            } else if let had = have, want.map({ had < $0 }) ?? true {
                let (id, text) = describe(had, false)
                report.report(.extraIndexEntry, id, text, limit: limit)
                have = try actual.next()
            } else if want != nil {
                want = try expected.next()
                have = try actual.next()
            } else {
                return
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

/// A NIK or KK number and the household holding it, in (number, household) order: the order of
/// the unique indexes' entries.
struct UniqueEntry: Spillable {
    var number: UInt64
    var id: UInt64

    static func < (lhs: Self, rhs: Self) -> Bool { (lhs.number, lhs.id) < (rhs.number, rhs.id) }

    func spill(to file: SpillFile) {
        file.write(number)
        file.write(id)
    }

    static func unspill(from file: SpillFile) -> Self? {
        guard let number = file.read(UInt64.self), let id = file.read(UInt64.self) else { return nil }
        return Self(number: number, id: id)
    }
}

/// A sorted stream that reports each value whose key the previous value has too (into `found`),
/// and passes the values on converted.
struct Duplicates<Base: EntryStream, Element>: EntryStream {
    private var base: Base
    private var previous: Base.Element?
    private let limit: Int
    private let sameKey: (Base.Element, Base.Element) -> Bool
    private let issue: (Base.Element, Base.Element) -> (CheckReport.Issue.Kind, HouseholdID, String)
    private let convert: (Base.Element) -> Element
    private(set) var found = CheckReport()

    init(_ base: Base, limit: Int, sameKey: @escaping (Base.Element, Base.Element) -> Bool, issue: @escaping (_ later: Base.Element, _ earlier: Base.Element) -> (CheckReport.Issue.Kind, HouseholdID, String), convert: @escaping (Base.Element) -> Element) {
        self.base = base
        self.limit = limit
        self.sameKey = sameKey
        self.issue = issue
        self.convert = convert
    }

    mutating func next() throws -> Element? {
        guard let value = try base.next() else { return nil }
        if let previous, sameKey(previous, value) {
            let (kind, id, detail) = issue(value, previous)
            found.report(kind, id, detail, limit: limit)
        }
        previous = value
        return convert(value)
    }
}

/// Every entry of an index (none when it does not exist), key then value, in the index's order.
struct IndexEntries: EntryStream {
    private let cursor: Cursor?
    private var started = false

    init(_ cursor: Cursor?) { self.cursor = cursor }

    mutating func next() throws -> PackedEntry? {
        guard let cursor else { return nil }
        let more = try cursor.move(started ? MDB_NEXT : MDB_FIRST)
        started = true
        return more ? PackedEntry(cursor.keyBytes, cursor.valueBytes) : nil
    }
}

/// The source-id index's entries: a value that is not a household id reads as household 0.
struct SourceIndexEntries: EntryStream {
    private let cursor: Cursor?
    private var started = false

    init(cursor: Cursor?) { self.cursor = cursor }

    mutating func next() throws -> SourceEntry? {
        guard let cursor else { return nil }
        let more = try cursor.move(started ? MDB_NEXT : MDB_FIRST)
        started = true
        guard more else { return nil }
        let id = cursor.valueBytes.count == Keys.idWidth ? Keys.read(cursor.valueBytes, width: Keys.idWidth) : 0
        return SourceEntry(key: Array(cursor.keyBytes), id: id)
    }
}

/// A source-id index entry: the id's bytes and the household id, in the index's order.
struct SourceEntry: Spillable {
    var key: [UInt8]
    var id: UInt64

    func spill(to file: SpillFile) {
        file.write(UInt32(key.count))
        file.write(key)
        file.write(id)
    }

    static func unspill(from file: SpillFile) -> Self? {
        guard let count = file.read(UInt32.self), let key = file.read(count: Int(count)), let id = file.read(UInt64.self) else { return nil }
        return Self(key: key, id: id)
    }

    static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.key == rhs.key ? lhs.id < rhs.id : lhs.key.lexicographicallyPrecedes(rhs.key)
    }
}

/// An index entry, key then value, packed big-endian into 16 bytes: entries of one index share a
/// width, so comparing the integers compares the bytes. `check` sorts millions of them, which as
/// byte arrays took half its time and most of its memory.
struct PackedEntry: Spillable {
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

    private init(bits: UInt128, width: Int, overflow: [UInt8]?) {
        self.bits = bits
        self.width = width
        self.overflow = overflow
    }

    func spill(to file: SpillFile) {
        file.write(bits)
        file.write(UInt32(width))
        if let overflow { file.write(overflow) }
    }

    static func unspill(from file: SpillFile) -> Self? {
        guard let bits = file.read(UInt128.self), let width = file.read(UInt32.self).map(Int.init) else { return nil }
        guard width > capacity else { return Self(bits: bits, width: width, overflow: nil) }
        return file.read(count: width).map { Self(bits: bits, width: width, overflow: $0) }
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
