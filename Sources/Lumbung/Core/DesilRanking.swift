import CLMDB
import Foundation

/// Sets the desil of many households from one BPS ranking, in one write transaction.
///
/// The fast path of `lumbung desil import`: each ranked record is decoded, given the desil and
/// the ranking's version, encoded and compressed on every core, and written on this thread with
/// its index entries, counters, history entry and journal entry. No other field changes, so no
/// rule but the desil's is checked again.
///
/// Rules (the adapter reports each refusal with its line):
/// - a household is ranked once a ranking (`desil.duplicate`);
/// - a ranking older than the household's current version is refused (`desil.olderVersion`):
///   rankings are imported in order; the same version again is idempotent (same desil:
///   unchanged) or corrects it;
/// - ranked by the head's NIK, the NIK must be the head's (`desil.notHead`).
///
/// Households the ranking leaves out keep their desil and its version; ``forEachAbsent(_:)``
/// lists them, so the adapter reports them rather than keeping them silently.
///
/// ```swift
/// try store.rankDesil(version: try DesilVersion(parsing: "2026-01-23")) { ranking in
///     let refusals = try ranking.apply([.init(line: 2, id: id, desil: 3)])
///     try ranking.forEachAbsent { id, kk, wilayah in print(id, wilayah) }
/// }
/// ```
public final class DesilRanking {
    public let version: DesilVersion
    let transaction: WriteTransaction
    private var seen: [UInt64] = []
    private let history: Cursor?
    /// The dictionary a re-encoded (format-1) record is compressed with.
    private let dictionary: UInt32?
    public private(set) var updated = 0
    public private(set) var unchanged = 0

    /// One ranked household: the file line, the household and its desil (already checked
    /// against ``Household/desilRule``), and the head's NIK when the row named it.
    public struct Entry: Sendable {
        public var line: Int
        public var id: HouseholdID
        public var desil: Int
        public var head: NIK?

        public init(line: Int, id: HouseholdID, desil: Int, head: NIK? = nil) {
            self.line = line
            self.id = id
            self.desil = desil
            self.head = head
        }
    }

    /// A ranked row that was not applied, and why.
    public struct Refusal: Sendable {
        public var line: Int
        public var error: LumbungError
    }

    init(transaction: WriteTransaction, version: DesilVersion) throws {
        self.transaction = transaction
        self.version = version
        history = try transaction.dbs.desilHistory.map { try transaction.txn.cursor($0) }
        records = try transaction.txn.cursor(transaction.dbs.records)
        dictionary = try transaction.dictionaryID()
    }

    /// The transaction, for look-ups (a key's household) inside the ranking.
    public var tx: ReadTransaction { transaction }

    /// Whether the ranking already holds this household.
    public func contains(_ id: HouseholdID) -> Bool {
        let word = Int(id.rawValue >> 6)
        return word < seen.count && seen[word] & (1 << (id.rawValue & 63)) != 0
    }

    private func mark(_ id: HouseholdID) {
        let word = Int(id.rawValue >> 6)
        if word >= seen.count { seen.append(contentsOf: repeatElement(0, count: max(word + 1 - seen.count, seen.count))) }
        seen[word] |= 1 << (id.rawValue & 63)
    }

    /// The work one record needs, done off this thread.
    fileprivate struct Prepared: Sendable {
        var refusal: LumbungError?
        var changed = false
        var wilayah = KodeWilayah(unchecked: 0, level: .desa)
        /// Known when the record was decoded; else (a plain-head record, whose frame is kept)
        /// the writer reads them from the primary index entry.
        var old: Contribution?
        var new: Contribution?
        var sealed: [UInt8] = []
        var digest: [UInt8] = []
        /// The digest of the record as it was, when the journal must keep it.
        var priorDigest: [UInt8] = []
    }

    /// Applies a batch of rows (a few thousand at a time keeps memory bounded) and returns the
    /// rows refused, in line order; the rest are written.
    ///
    /// The three steps it runs can also run apart, so that reading and re-ranking one batch
    /// overlaps writing the one before: ``claim(_:)`` (in file order, one thread at a time),
    /// ``prepare(_:reading:workers:)`` (any thread, with a read transaction of its own) and
    /// ``write(_:)`` (on the transaction's thread).
    public func apply(_ entries: [Entry]) throws -> [Refusal] {
        try write(prepare(claim(entries), reading: transaction))
    }

    /// Rows whose households this ranking has claimed, with the rows it refused for naming a
    /// household again.
    public struct Claim: Sendable {
        public fileprivate(set) var entries: [Entry] = []
        public fileprivate(set) var refusals: [Refusal] = []

        /// No rows.
        public init() {}
    }

    /// Claims each row's household for this ranking, in file order: a household named a second
    /// time is refused (`desil.duplicate`). Call it with the batches in file order, from one
    /// thread at a time.
    public func claim(_ entries: [Entry]) -> Claim {
        var claim = Claim()
        claim.entries.reserveCapacity(entries.count)
        for entry in entries {
            if contains(entry.id) {
                claim.refusals.append(Refusal(line: entry.line, error: LumbungError(
                    .desilDuplicate, field: "id", value: entry.id.description,
                    rule: "the ranking names this household more than once", householdID: entry.id)))
                continue
            }
            mark(entry.id)
            claim.entries.append(entry)
        }
        return claim
    }

    /// Claimed rows read and re-ranked, ready for ``write(_:)``: everything the writer needs is
    /// worked out, sorted and laid out flat here, so that writing allocates, copies and sorts
    /// nothing per row.
    public struct Batch: Sendable {
        /// The changed rows, in id order.
        fileprivate var rows: [Row] = []
        /// The rows' sealed records, back to back (a row's ends at its `sealedEnd`).
        fileprivate var sealed: [UInt8] = []
        /// Each row's journal digest, prior digest (``JournalEntry/priorDigest``) and wilayah,
        /// at its index in `rows`.
        fileprivate var digests: [[UInt8]] = []
        fileprivate var priorDigests: [[UInt8]] = []
        fileprivate var journalWilayah: [[KodeWilayah]] = []
        /// Indexes into `rows` of the rows whose summary changed, in primary index order (desa, id).
        fileprivate var primaryOrder: [Int32] = []
        /// The other indexes' entries to delete and put, in their key order.
        fileprivate var changes: [IndexChange] = []
        fileprivate var unchanged = 0
        fileprivate var refusals: [Refusal] = []
    }

    /// One changed row of a batch: no references, so batches copy and free as plain memory.
    fileprivate struct Row {
        var id: HouseholdID
        var desil: Int
        var sealedEnd: Int
        var old: Contribution
        var new: Contribution
    }

    /// Reads the claimed rows' records through `tx` and re-ranks them on `workers` threads. Safe
    /// on any thread: `tx` may be a read transaction of that thread's own, since a ranking
    /// changes only the records it has claimed, each once, and no key a household is found by.
    public func prepare(_ claim: Claim, reading tx: ReadTransaction, workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws -> Batch {
        try tx.ensureValid()
        var batch = Batch()
        batch.refusals = claim.refusals
        // Read and written in id order: records, index entries and history change page by page.
        let entries = claim.entries.sorted { $0.id.rawValue < $1.id.rawValue }
        // The records are re-ranked straight from the transaction's pages, which stay put while
        // it lives and nothing writes through it.
        var work: [(entry: Entry, stored: PageBytes, keepsPrior: Bool)] = []
        work.reserveCapacity(entries.count)
        let records = try tx.txn.cursor(tx.dbs.records)
        defer { records.close() }
        var journal = try JournalLookup(tx.txn, journal: tx.dbs.journal)
        for entry in entries {
            guard entry.id.isStorable,
                try records.seek(key: entry.id.rawValue, keyWidth: Keys.idWidth, MDB_SET_KEY)
            else {
                batch.refusals.append(Refusal(line: entry.line, error: LumbungError(
                    .householdNotFound, field: "id", value: entry.id.description, rule: "no household has this id", householdID: entry.id)))
                continue
            }
            let stored = records.valueBytes
            if let dictionary = try Compressor.dictionaryID(of: stored), !tx.environment.compressor.hasDictionary(dictionary) {
                try tx.environment.loadDictionaries(tx.txn)
            }
            work.append((entry, PageBytes(bytes: stored), try tx.keepsPriorDigest(of: entry.id, lookup: &journal)))
        }
        let prepared = prepare(work, workers: workers)
        let primary = try tx.txn.cursor(tx.dbs[.wilayah])
        defer { primary.close() }
        batch.rows.reserveCapacity(work.count)
        batch.digests.reserveCapacity(work.count)
        batch.priorDigests.reserveCapacity(work.count)
        batch.journalWilayah.reserveCapacity(work.count)
        for (index, item) in work.enumerated() {
            let result = prepared[index]
            if let refusal = result.refusal {
                batch.refusals.append(Refusal(line: item.entry.line, error: refusal))
                continue
            }
            guard result.changed else {
                batch.unchanged += 1
                continue
            }
            let (old, new) = try contributions(item.entry, result, primary: primary)
            batch.sealed.append(contentsOf: result.sealed)
            batch.rows.append(Row(id: item.entry.id, desil: item.entry.desil, sealedEnd: batch.sealed.count, old: old, new: new))
            batch.digests.append(result.digest)
            batch.priorDigests.append(result.priorDigest)
            batch.journalWilayah.append([result.wilayah])
        }
        batch.refusals.sort { $0.line < $1.line }
        batch.primaryOrder = batch.rows.indices.filter { batch.rows[$0].old.summary != batch.rows[$0].new.summary }.map { Int32($0) }
        batch.primaryOrder.sort { [rows = batch.rows] in
            let (a, b) = (rows[Int($0)], rows[Int($1)])
            return (a.old.desa, a.id.rawValue) < (b.old.desa, b.id.rawValue)
        }
        for index in batch.primaryOrder {
            let row = batch.rows[Int(index)]
            IndexDimension.forEach { dimension in
                guard !dimension.isPrimary else { return }
                let before = dimension.values(row.old.summary) & ~1, after = dimension.values(row.new.summary) & ~1
                guard before != after else { return }
                for value in IndexDimension.values(in: before & ~after) {
                    batch.changes.append(IndexChange(dimension: dimension, key: dimension.packedKey(value, desa: row.old.desa), id: row.id.rawValue, isPut: false))
                }
                for value in IndexDimension.values(in: after & ~before) {
                    batch.changes.append(IndexChange(dimension: dimension, key: dimension.packedKey(value, desa: row.new.desa), id: row.id.rawValue, isPut: true))
                }
            }
        }
        batch.changes.sort()
        return batch
    }

    /// The household's contributions before and after the ranking: known when its record was
    /// decoded, else read from its primary index entry (which this ranking has not changed yet:
    /// it changes each household once).
    private func contributions(_ entry: Entry, _ result: Prepared, primary: Cursor) throws -> (old: Contribution, new: Contribution) {
        if let old = result.old, let new = result.new { return (old, new) }
        let desa = result.wilayah.packed
        guard try seek(primary, .wilayah, 0, desa: desa, id: entry.id, summary: .floor, MDB_GET_BOTH_RANGE),
            case let (found, summary?) = Keys.splitEntry(primary.valueBytes), found == entry.id
        else { throw Self.missingPrimaryEntry(entry.id) }
        var ranked = summary
        ranked.desil = entry.desil
        return (Contribution(indexed: summary, desa: desa), Contribution(indexed: ranked, desa: desa))
    }

    /// Writes a prepared batch on the transaction's thread and returns the rows it refused, in
    /// line order.
    ///
    /// Each database is written in its own key order, so that consecutive writes mostly land on
    /// the page the cursor is on: records, history and journal by id; primary index entries by
    /// desa and id; the other indexes' entries by their keys.
    public func write(_ batch: Batch) throws -> [Refusal] {
        try transaction.ensureValid()
        unchanged += batch.unchanged
        try batch.sealed.withUnsafeBytes { sealed in
            var start = 0
            for index in batch.rows.indices {
                let row = batch.rows[index]
                try records.put(key: row.id.rawValue, keyWidth: Keys.idWidth, bytes: UnsafeRawBufferPointer(rebasing: sealed[start..<row.sealedEnd]))
                start = row.sealedEnd
                if let history { try DesilHistory.put(history, id: row.id, version: version, desil: row.desil) }
                try transaction.appendJournal(
                    action: .update, id: row.id, digest: batch.digests[index], wilayah: batch.journalWilayah[index],
                    priorDigest: batch.priorDigests[index])
            }
        }
        updated += batch.rows.count
        for index in batch.primaryOrder {
            let row = batch.rows[Int(index)]
            try rerankPrimaryEntry(row)
            transaction.counters.replaceValues(row.old, with: row.new)
        }
        for change in batch.changes {
            let dimension = change.dimension, index = try cursor(for: dimension)
            if change.isPut {
                try index.put(key: change.key, keyWidth: dimension.keyWidth, value: change.id, valueWidth: Keys.idWidth, flags: UInt32(MDB_NODUPDATA))
            } else if try index.seek(key: change.key, keyWidth: dimension.keyWidth, value: change.id, valueWidth: Keys.idWidth, MDB_GET_BOTH) {
                try index.deleteCurrent()
            }
        }
        return batch.refusals
    }

    /// One entry a batch deletes from or puts into a secondary index, sorted into the index's
    /// key order before it is written.
    fileprivate struct IndexChange: Comparable {
        var dimension: IndexDimension
        var key: UInt64
        var id: UInt64
        var isPut: Bool

        static func < (a: Self, b: Self) -> Bool {
            (a.dimension.rawValue, a.key, a.id, a.isPut ? 1 : 0) < (b.dimension.rawValue, b.key, b.id, b.isPut ? 1 : 0)
        }
    }

    /// Gives the household's primary index entry its new summary, in place. A ranking keeps the
    /// desa, and the entry sorts by id before its summary, so the entry keeps its place.
    private func rerankPrimaryEntry(_ row: Row) throws {
        let primary = try cursor(for: .wilayah)
        guard try seek(primary, .wilayah, 0, desa: row.old.desa, id: row.id, summary: row.old.summary, MDB_GET_BOTH) else {
            throw Self.missingPrimaryEntry(row.id)
        }
        precondition(row.old.desa == row.new.desa, "a ranking moved a household's desa")
        try primary.put(
            key: IndexDimension.wilayah.packedKey(0, desa: row.new.desa), keyWidth: IndexDimension.wilayah.keyWidth,
            value: row.id.rawValue, valueWidth: Keys.idWidth, value2: row.new.summary.packed, flags: UInt32(MDB_CURRENT))
    }

    /// Positions `cursor` at a household's entry in `dimension`'s index under `value` and `desa`.
    @inline(__always)
    private func seek(_ cursor: Cursor, _ dimension: IndexDimension, _ value: UInt8, desa: UInt64, id: HouseholdID,
                      summary: IndexSummary?, _ op: MDB_cursor_op) throws -> Bool {
        try cursor.seek(
            key: dimension.packedKey(value, desa: desa), keyWidth: dimension.keyWidth, value: id.rawValue,
            valueWidth: Keys.idWidth, value2: summary?.packed, op)
    }

    private static func missingPrimaryEntry(_ id: HouseholdID) -> LumbungError {
        LumbungError(.recordCorrupt, field: "id", value: id.description, rule: "the household has no primary index entry; run check", householdID: id)
    }

    // One cursor per database for the whole ranking: written in id order, most searches stay
    // on the cursor's current page.
    private let records: Cursor
    private var indexCursors = [Cursor?](repeating: nil, count: Int(IndexDimension.allCases.map(\.rawValue).max()!) + 1)
    @inline(__always)
    private func cursor(for dimension: IndexDimension) throws -> Cursor {
        if let cursor = indexCursors[Int(dimension.rawValue)] { return cursor }
        let cursor = try transaction.txn.cursor(transaction.dbs[dimension])
        indexCursors[Int(dimension.rawValue)] = cursor
        return cursor
    }

    /// Re-ranks the records on every core: a plain-head record gets a new head before its kept
    /// frame; an older one is decoded, re-ranked, encoded and compressed.
    private func prepare(_ work: [(entry: Entry, stored: PageBytes, keepsPrior: Bool)], workers: Int) -> [Prepared] {
        guard !work.isEmpty else { return [] }
        let compressor = transaction.environment.compressor
        let dictionary = self.dictionary
        let version = self.version
        let milliseconds = RecordCodec.milliseconds(Date())
        let results = Locked([Prepared](repeating: Prepared(), count: work.count))
        let workers = max(1, min(workers, 8, work.count / 256 + 1))
        Parallel.run(workers) { worker in
            var local: [(Int, Prepared)] = []
            local.reserveCapacity(work.count / workers + 1)
            var index = worker
            while index < work.count {
                local.append((index, Self.prepare(work[index], version: version, milliseconds: milliseconds, compressor: compressor, dictionary: dictionary)))
                index += workers
            }
            results.withLock { all in for (index, result) in local { all[index] = result } }
        }
        return results.withLock { $0 }
    }

    private static func prepare(_ item: (entry: Entry, stored: PageBytes, keepsPrior: Bool), version: DesilVersion, milliseconds: Int64,
                                compressor: Compressor, dictionary: UInt32?) -> Prepared {
        var result = Prepared()
        do {
            let entry = item.entry
            let stored = item.stored.bytes
            let plain = try Compressor.Envelope(stored).plainHead
            let envelope = plain.isEmpty ? nil : try RecordCodec.plainHead(plain)
            // The head's NIK is checked on the decoded record; so is a record without a plain head.
            let decoded = envelope == nil || entry.head != nil
                ? try compressor.open(stored) { try RecordCodec.decode($0, id: entry.id) }
                : nil
            if let head = entry.head, decoded?.head?.nik.nik != head {
                result.refusal = LumbungError(
                    .desilNotHead, field: "nik", value: head.masked,
                    rule: "a ranking names a household by its head's NIK; this NIK is not the kepala_keluarga's", householdID: entry.id)
                return result
            }
            let current = envelope?.desilVersion ?? decoded?.desilVersion
            if let current, current > version {
                result.refusal = LumbungError(
                    .desilOlderVersion, field: DesilVersion.field, value: version.description,
                    rule: "the household already holds the desil of ranking \(current); rankings are imported oldest first", householdID: entry.id)
                return result
            }
            let desil = envelope?.desil.map(Int.init) ?? decoded?.desil
            result.wilayah = KodeWilayah(unchecked: envelope?.desa ?? decoded!.wilayah.packed, level: .desa)
            guard desil != entry.desil || current != version else { return result }
            if let envelope, let sealed = try Compressor.resealed(
                stored, head: RecordCodec.plainHeadBytes(envelope.ranked(desil: entry.desil, version: version, milliseconds: milliseconds))) {
                result.sealed = sealed
                result.digest = try sealed.withUnsafeBytes { try JournalEntry.digest(ofStored: $0, compressor) }
                if let decoded {
                    var new = decoded
                    new.desil = entry.desil
                    new.desilVersion = version
                    (result.old, result.new) = (Contribution(decoded), Contribution(new))
                }
            } else {
                var new = decoded!
                new.desil = entry.desil
                new.desilVersion = version
                new.updatedAt = RecordCodec.date(milliseconds: milliseconds)
                var writer = ByteWriter()
                RecordCodec.encode(new, into: &writer)
                result.sealed = try compressor.seal(writer.bytes, dictionaryID: dictionary)
                result.digest = JournalEntry.digest(of: writer.bytes)
                (result.old, result.new) = (Contribution(decoded!), Contribution(new))
            }
            if item.keepsPrior { result.priorDigest = try JournalEntry.digest(ofStored: stored, compressor) }
            result.changed = true
        } catch let error as LumbungError {
            result.refusal = error.about(item.entry.id)
        } catch {
            result.refusal = LumbungError(.internalError, rule: "\(error)", householdID: item.entry.id)
        }
        return result
    }

    /// Closes the ranking's cursors before its transaction ends: an adapter's threads may hold
    /// the ranking a little longer.
    func closeCursors() {
        records.close()
        history?.close()
        for cursor in indexCursors { cursor?.close() }
    }

    /// Calls `body` with every stored household the ranking did not name, in id order: its id,
    /// KK and wilayah. Call it after the last ``apply(_:)``.
    public func forEachAbsent(_ body: (HouseholdID, NomorKK, KodeWilayah) throws -> Void) throws {
        try transaction.ensureValid()
        let cursor = try transaction.txn.cursor(transaction.dbs.records)
        var found = try cursor.move(MDB_FIRST)
        while found {
            let id = HouseholdID(rawValue: Keys.read(cursor.keyBytes, width: Keys.idWidth))
            if !contains(id) {
                let head = try transaction.openRecord(cursor.valueBytes) { try RecordCodec.identity($0) }
                try body(id, NomorKK(unchecked: head.nomorKK), KodeWilayah(unchecked: head.desa, level: .desa))
            }
            found = try cursor.move(MDB_NEXT)
        }
    }
}

extension LumbungError.Code {
    /// A ranking names one household twice.
    public static let desilDuplicate = Self("desil.duplicate", .conflict)
    /// A ranking older than the household's current desil version.
    public static let desilOlderVersion = Self("desil.olderVersion", .conflict)
    /// A ranking row's NIK belongs to a member who is not the head.
    public static let desilNotHead = Self("desil.notHead", .conflict)
}

extension Store {
    /// Runs `body` with a ``DesilRanking`` of `version` in one write transaction: all or
    /// nothing (throw from `body` to roll back). If the map fills up, `body` runs again from the
    /// start, so it must be able to read its input twice.
    @discardableResult
    public func rankDesil<R>(version: DesilVersion, actor: String? = nil, _ body: (DesilRanking) throws -> R) throws -> R {
        try write(actor: actor) { tx in
            let ranking = try DesilRanking(transaction: tx, version: version)
            defer { ranking.closeCursors() }
            return try body(ranking)
        }
    }
}
