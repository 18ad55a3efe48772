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
            /// An open re-proposal's or `baru` request's household is not on the register at the
            /// status its steps set (``RequestWorkflow/statusShown(by:)``).
            case requestHousehold
            /// `desil.history` (``ReadTransaction/checkDesilHistory(limit:)``): versions of a
            /// household that is not stored; an entry of the wrong shape, version or desil, or
            /// more versions than a household keeps.
            case desilHistoryOrphan, desilHistoryInvalid
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
    /// Whether a digest differed, so the records were compared with the indexes entry by entry.
    var comparedExactly = false

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
    /// The records are decoded on every core, and each index is first compared with them by an
    /// order-free digest (``IndexDigest``), which needs no sort and holds a few numbers. Only
    /// when a digest differs are the entries compared one by one, to name each: the entries the
    /// records imply are sorted in runs of ``CheckReport/runLength`` (spilled to unlinked files
    /// in the store's directory, or in `$TMPDIR` when that refuses) and merged against the
    /// indexes' cursors. Memory is bounded whatever the store's size either way.
    ///
    /// ```swift
    /// let report = try store.check()
    /// if !report.isClean { for issue in report.issues { print(issue) } }
    /// ```
    ///
    /// - Parameter progress: called as households are checked, with the number checked so far
    ///   (from zero again if the exact comparison follows).
    public func check(limit: Int = 1000, progress: ((Int) -> Void)? = nil) throws -> CheckReport {
        try check(limit: limit, runLength: CheckReport.runLength, progress: progress)
    }

    /// `check` with runs of `runLength` entries (tests make them tiny to spill) by `method`.
    func check(limit: Int, runLength: Int, method: CheckMethod = .digestsFirst, recordsPerWorker: Int = CheckReport.recordsPerWorker,
               progress: ((Int) -> Void)? = nil) throws -> CheckReport {
        let directories = [path, ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"]
        var report = try read { tx in
            try tx.check(limit: limit, runLength: runLength, spillTo: directories, method: method, recordsPerWorker: recordsPerWorker, progress: progress)
        }
        report.append(try read { tx in try tx.checkRequests(limit: limit, runLength: runLength, spillTo: directories) }, limit: limit)
        report.append(try read { tx in try tx.checkDesilHistory(limit: limit) }, limit: limit)
        report.append(try read { tx in try tx.checkJournalIndex(limit: limit, runLength: runLength, spillTo: directories, method: method) }, limit: limit)
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

    /// What `check` holds at most, whatever the store's size. By digests: each worker's batch of
    /// page references and decoded households. Exactly (only when a digest differs): one run of
    /// each sort (NIK, KK and the secondary indexes at 32 bytes an entry, source ids at up to
    /// 16 + 32 + 64 bytes), and a read buffer for each spilled run. For `--help`.
    public static var memoryBound: String {
        let runs = (2 + IndexDimension.allCases.count) * runLength * 32 + runLength * (16 + 32 + SourceID.maxLength)
        return "a few MB while the indexes match the records (they are compared by digests, \(recordsPerWorker) records a core at a time); "
            + "when one differs, about \(runs / 1_000_000) MB, plus \(SpillFile.bufferSize / 1024) KB for each run spilled to a temporary file; "
            + "evidence files are hashed one at a time, \(EvidenceFiles.walkStep) digests read at a time"
    }

    /// Adds `other`'s issues after these, as if reported here in turn.
    mutating func append(_ other: CheckReport, limit: Int) {
        issueCount += other.issueCount
        issues.append(contentsOf: other.issues.prefix(max(0, limit - issues.count)))
    }
}

extension ReadTransaction {
    /// Compares the records with the indexes by digests first (``CheckDigests``: no sort, on
    /// every core); only when an index's digest differs does it compare them exactly, by sorted
    /// streams, to name each missing and extra entry.
    func check(limit: Int, runLength: Int, spillTo directories: [String], method: CheckMethod = .digestsFirst,
               recordsPerWorker: Int = CheckReport.recordsPerWorker, progress: ((Int) -> Void)? = nil) throws -> CheckReport {
        // Workers decode without this transaction, so every dictionary is loaded before.
        try environment.loadDictionaries(txn)
        if method == .digestsFirst, let report = try checkByDigests(limit: limit, recordsPerWorker: recordsPerWorker, progress: progress) {
            return report
        }
        var report = try checkExactly(limit: limit, runLength: runLength, spillTo: directories, progress: progress)
        report.comparedExactly = true
        return report
    }

    /// Every record against every index by order-free digests, the records decoded on every
    /// core while another thread walks the indexes. Nil when a digest differs: only the exact
    /// comparison can name what differs.
    private func checkByDigests(limit: Int, recordsPerWorker: Int, progress: ((Int) -> Void)?) throws -> CheckReport? {
        let walking = walkIndexesAlongside(limit: limit)
        let workers = CheckReport.workers
        let compressor = environment.compressor
        let unique = dbs.unique
        var scan = RecordScan<CheckDigests>(expected: CheckDigests(unique: unique))
        let pages = try RecordPages(self, chunkLength: workers * max(1, recordsPerWorker))
        try pages.read(into: 0)
        while !pages.chunks[0].isEmpty {
            let work = pages.chunks[0]
            let parts = Locked([Result<RecordScan<CheckDigests>, any Error>?](repeating: nil, count: workers))
            Parallel.run(workers) { part in
                let result = Result {
                    var local = RecordScan(expected: CheckDigests(unique: unique))
                    for index in (work.count * part / workers)..<(work.count * (part + 1) / workers) {
                        try local.check(work[index].value.bytes, id: RecordPages.id(work[index].key), compressor: compressor, limit: limit)
                    }
                    return local
                }
                parts.withLock { $0[part] = result }
            }
            for part in parts.withLock({ $0 }) { scan.append(try part!.get(), limit: limit) }
            try pages.read(into: 0)
            progress?(scan.report.households)
        }

        let walk = try walking() ?? walkIndexes(limit: limit)
        guard walk.digests.matches(scan.expected, lacking: dbs.lacks) else { return nil }
        var report = scan.report
        report.append(walk.duplicates, limit: limit)
        try compareCounters(scan.counters, into: &report, limit: limit)
        return report
    }

    /// What the indexes hold: each one's digest, and the duplicates the unique ones show (NIK,
    /// KK, source id, in that order: what the exact comparison reports when the digests agree).
    struct IndexWalk {
        var digests: CheckDigests
        var duplicates = CheckReport()
    }

    /// Starts ``walkIndexes(limit:)`` on a thread of its own, in a read transaction of its own;
    /// the returned function waits for it. It gives nil when that transaction does not see this
    /// one's snapshot (a write came between), and the caller walks them itself.
    private func walkIndexesAlongside(limit: Int) -> () throws -> IndexWalk? {
        let snapshot = mdb_txn_id(txn.handle)
        let environment = self.environment
        let walked = Locked<Result<IndexWalk?, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Parallel.thread {
            let result = Result {
                try environment.withRead { other -> IndexWalk? in
                    guard mdb_txn_id(other.handle) == snapshot else { return nil }
                    return try ReadTransaction(environment: environment, txn: other).walkIndexes(limit: limit)
                }
            }
            walked.withLock { $0 = result }
            done.signal()
        }
        return {
            done.wait()
            return try walked.withLock { $0 }!.get()
        }
    }

    private func walkIndexes(limit: Int) throws -> IndexWalk {
        var walk = IndexWalk(digests: CheckDigests(unique: dbs.unique))
        walk.duplicates.append(try walkUnique(dbs.nik, name: "NIK", duplicate: .duplicateNIK, into: &walk.digests.nik, limit: limit), limit: limit)
        walk.duplicates.append(try walkUnique(dbs.kk, name: "KK", duplicate: .duplicateKK, into: &walk.digests.kk, limit: limit), limit: limit)
        walk.duplicates.append(try walkSources(into: &walk.digests.source, limit: limit), limit: limit)
        for kind in IndexDimension.allCases where !dbs.lacks(kind) {
            var entries = try IndexEntries(txn.cursor(dbs[kind]))
            while let entry = try entries.next() { walk.digests.secondary(kind, entry) }
        }
        return walk
    }

    /// A unique index's digest, and the duplicates its order shows (what the exact comparison
    /// reports when the digests agree).
    private func walkUnique(_ dbi: MDB_dbi, name: String, duplicate: CheckReport.Issue.Kind, into digest: inout IndexDigest, limit: Int) throws -> CheckReport {
        let layout = dbs.unique
        var walk = Duplicates(try IndexEntries(txn.cursor(dbi)), limit: limit, sameKey: { $0.unique(layout).number == $1.unique(layout).number }) { later, earlier in
            CheckReport.duplicate(duplicate, name: name, later: later.unique(layout).id, earlier: earlier.unique(layout).id)
        } convert: { $0 }
        while let entry = try walk.next() { digest.add(entry) }
        return walk.found
    }

    private func walkSources(into digest: inout IndexDigest, limit: Int) throws -> CheckReport {
        var walk = Duplicates(SourceIndexEntries(cursor: try dbs.source.map { try txn.cursor($0) }), limit: limit, sameKey: { $0.key == $1.key }) { later, earlier in
            CheckReport.duplicate(.duplicateSourceID, name: "source id", later: later.id, earlier: earlier.id)
        } convert: { $0 }
        while let entry = try walk.next() { digest.add(entry) }
        return walk.found
    }

    /// Every record against every index by sorting what the records imply (spilling runs of
    /// `runLength`) and merging it with each index's cursor: names each missing and extra entry.
    private func checkExactly(limit: Int, runLength: Int, spillTo directories: [String], progress: ((Int) -> Void)? = nil) throws -> CheckReport {
        let compressor = environment.compressor
        var scan = RecordScan(expected: ExpectedSorts(runLength: runLength, directories: directories))
        let cursor = try txn.cursor(dbs.records)
        var found = try cursor.move(MDB_FIRST)
        while found {
            let id = HouseholdID(rawValue: Keys.read(cursor.keyBytes, width: Keys.idWidth))
            try scan.check(cursor.valueBytes, id: id, compressor: compressor, limit: limit)
            if scan.report.households % 10_000 == 0 { progress?(scan.report.households) }
            found = try cursor.move(MDB_NEXT)
        }
        var report = scan.report
        var sorts = scan.expected
        try compareUnique(&sorts.nik, dbs.nik, name: "NIK", duplicate: .duplicateNIK, into: &report, limit: limit)
        try compareUnique(&sorts.kk, dbs.kk, name: "KK", duplicate: .duplicateKK, into: &report, limit: limit)
        try compareSources(&sorts.source, into: &report, limit: limit)
        for kind in IndexDimension.allCases {
            var sort = sorts.secondary.removeValue(forKey: kind)!
            // A read-only store that predates the member index builds it when next opened writable.
            if kind == .member && dbs.lacks(kind) { continue }
            var expected = try sort.sorted()
            var actual = try IndexEntries(dbs.lacks(kind) ? nil : txn.cursor(dbs[kind]))
            try compareSorted(&expected, &actual, into: &report, limit: limit) { entry, missing in
                let id = HouseholdID(rawValue: entry.read(at: kind.idOffset, width: Keys.idWidth))
                return (id, "\(kind) index entry \(missing ? "missing" : "without a record")")
            }
        }
        try compareCounters(scan.counters, into: &report, limit: limit)
        return report
    }

    /// A unique index (NIK, KK) against the records: duplicates first, then what only one side has.
    private func compareUnique(_ expected: inout ExternalSort<UniqueEntry>, _ dbi: MDB_dbi, name: String, duplicate: CheckReport.Issue.Kind, into report: inout CheckReport, limit: Int) throws {
        var wanted = Duplicates(try expected.sorted(), limit: limit, sameKey: { $0.number == $1.number }) { later, earlier in
            CheckReport.duplicate(duplicate, name: name, later: later.id, earlier: earlier.id)
        } convert: { [layout = dbs.unique] in PackedEntry(unique: $0.number, id: $0.id, layout: layout) }
        var actual = try IndexEntries(txn.cursor(dbi))
        var mismatches = CheckReport()
        try compareSorted(&wanted, &actual, into: &mismatches, limit: limit) { [layout = dbs.unique] entry, missing in
            (HouseholdID(rawValue: entry.unique(layout).id), "\(name) index entry \(missing ? "missing" : "without a record")")
        }
        report.append(wanted.found, limit: limit)
        report.append(mismatches, limit: limit)
    }

    /// The source-id index against the records: one entry per source id, naming its household.
    private func compareSources(_ expected: inout ExternalSort<SourceEntry>, into report: inout CheckReport, limit: Int) throws {
        var wanted = Duplicates(try expected.sorted(), limit: limit, sameKey: { $0.key == $1.key }) { later, earlier in
            CheckReport.duplicate(.duplicateSourceID, name: "source id", later: later.id, earlier: earlier.id)
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
    func compareSorted<Expected: EntryStream, Actual: EntryStream>(_ expected: inout Expected, _ actual: inout Actual, into report: inout CheckReport, limit: Int, describe: (Expected.Element, Bool) -> (HouseholdID, String)) throws where Expected.Element: Comparable, Actual.Element == Expected.Element {
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

    /// Its term in an ``IndexDigest``.
    var digestTerm: UInt64 {
        var hasher = Hasher()
        hasher.combine(key)
        hasher.combine(id)
        return UInt64(UInt(bitPattern: hasher.finalize()))
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

    /// An entry packed from its key (`keyWidth` bytes) and value (`entryWidth` bytes), as
    /// ``IndexDimension/forEachEntry(_:_:_:)`` gives them: the bytes `init(_:_:)` would read.
    @inline(__always)
    init(key: UInt64, keyWidth: Int, entry: UInt128, entryWidth: Int) {
        let width = keyWidth + entryWidth
        precondition(width <= Self.capacity, "an index entry the records imply fits a packed entry")
        self.init(bits: (UInt128(key) << UInt128(8 * entryWidth) | entry) << UInt128(8 * (Self.capacity - width)), width: width, overflow: nil)
    }

    /// A unique index's entry for `number` in household `id`, as `layout` stores it (key, then
    /// duplicate), without the arrays.
    init(unique number: UInt64, id: UInt64, layout: UniqueLayout) {
        let width = layout.keyWidth + layout.dupWidth
        self.init(bits: layout.entry(number, id: id) << (8 * UInt128(Self.capacity - width)), width: width, overflow: nil)
    }

    /// The number and household of a unique index's entry (the inverse of `init(unique:id:layout:)`).
    func unique(_ layout: UniqueLayout) -> (number: UInt64, id: UInt64) {
        let width = layout.keyWidth + layout.dupWidth
        if let overflow { return layout.split(entry: overflow.withUnsafeBytes { Keys.readWide($0, width: min(width, $0.count)) }) }
        return layout.split(entry: bits >> (8 * UInt128(Self.capacity - width)))
    }

    /// Its term in an ``IndexDigest``: a keyed hash of every byte.
    var digestTerm: UInt64 {
        if let overflow {
            var hasher = Hasher()
            hasher.combine(overflow)
            return UInt64(UInt(bitPattern: hasher.finalize()))
        }
        return IndexDigest.hash(UInt64(truncatingIfNeeded: bits), UInt64(truncatingIfNeeded: bits >> 64), UInt64(width))
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
