import CLMDB
import Foundation

/// The journal by household (`idx.journal`, layout in ``Keys``): each entry that names a
/// household (``JournalEntry/indexedHousehold``) is filed under it in the transaction that
/// journals it, so a household's history is read a page at a time, either way, without
/// scanning the journal.
///
/// The meta key ``MetaKey/journalIndexed`` holds the last sequence the index covers. A store
/// written before the index, or written since by a Lumbung without it, has journal entries past
/// that mark: opened for writing, the store indexes them first (``catchUp(_:dbs:spillTo:)``);
/// read-only, a household's history is refused (``lagging(_:)``) rather than answered short.
enum JournalIndex {
    /// Entries a catch-up sorts in memory before spilling a run (16 bytes each).
    static let runLength = 1 << 21

    /// Files entry `sequence` under household `id`.
    @inline(__always)
    static func put(_ cursor: Cursor, _ entry: JournalIndexEntry, flags: UInt32) throws {
        try cursor.put(key: entry.key, keyWidth: Keys.journalIndexKeyWidth, value: entry.dup, valueWidth: Keys.journalIndexDupWidth, flags: flags)
    }

    /// The error for a sequence the layout cannot hold (none will be reached: see the limit).
    static func checkSequence(_ sequence: UInt64) throws {
        guard sequence < Keys.journalIndexSequenceLimit else {
            throw LumbungError(.storeLMDB, field: "sequence", value: "\(sequence)", rule: "the journal's household index holds sequences below 2^48")
        }
    }

    /// The last sequence the index covers (0 when it covers nothing).
    static func indexedThrough(_ txn: Txn, meta: MDB_dbi) throws -> UInt64 {
        try txn.get(meta, MetaKey.journalIndexed).map { Keys.read($0.buffer, width: 8) } ?? 0
    }

    static func setIndexedThrough(_ sequence: UInt64, _ txn: Txn, meta: MDB_dbi) throws {
        try txn.put(meta, MetaKey.journalIndexed, Keys.be(sequence, width: 8))
    }

    /// Indexes every journal entry past ``indexedThrough(_:meta:)``, sorted (in runs of
    /// ``runLength``, spilled to `directories`) so an empty index is appended to full pages;
    /// then marks the journal's end as covered. Memory: one run, whatever the journal's size.
    static func catchUp(_ txn: Txn, dbs: Environment.Databases, spillTo directories: [String]) throws {
        guard let dbi = dbs.journalIndex else { return }
        let indexed = try indexedThrough(txn, meta: dbs.meta)
        let last = try JournalBlock.lastSequence(txn, journal: dbs.journal)
        if indexed >= last {
            if indexed > last { try setIndexedThrough(last, txn, meta: dbs.meta) }
            return
        }
        if indexed == 0, try txn.entryCount(dbi) > 0 {
            // Entries without the mark that covers them: nothing says which are whole; rebuilt.
            try LMDB.check(mdb_drop(txn.handle, dbi, 0), "empty \(Keys.journalIndexName)")
        }
        let started = Date()
        var sort = ExternalSort<JournalIndexEntry>(runLength: runLength, directories: directories)
        try forEachEntry(txn, journal: dbs.journal, after: indexed) { sequence, id in
            try checkSequence(sequence)
            try sort.append(JournalIndexEntry(id, sequence))
        }
        var sorted = try sort.sorted()
        let cursor = try txn.cursor(dbi)
        // Into an empty index, appended; else beside entries a writer without the mark filed (a
        // duplicate put without MDB_NODUPDATA leaves the one there).
        let flags = try txn.entryCount(dbi) == 0 ? UInt32(MDB_APPENDDUP) : 0
        var count = 0
        while let entry = try sorted.next() {
            try put(cursor, entry, flags: flags)
            count += 1
        }
        cursor.close()
        try setIndexedThrough(last, txn, meta: dbs.meta)
        Store.logger.info("journal household index brought up to date", metadata: [
            "entries": "\(count)", "through": "\(last)", "seconds": "\(Int(Date().timeIntervalSince(started)))"])
    }

    /// Positions `cursor` at the last duplicate under `key` that is at most `high`; false when
    /// there is none (the caller still checks it against its own lower bound).
    static func seekLast(_ cursor: Cursor, key: UInt64, atOrBelow high: UInt64) throws -> Bool {
        if try cursor.seek(key: key, keyWidth: Keys.journalIndexKeyWidth, value: high, valueWidth: Keys.journalIndexDupWidth, MDB_GET_BOTH_RANGE) {
            return Keys.read(cursor.valueBytes, width: Keys.journalIndexDupWidth) == high ? true : try cursor.move(MDB_PREV_DUP)
        }
        // Every entry under the key lies below `high`: start from its last.
        return try cursor.seek(key: key, keyWidth: Keys.journalIndexKeyWidth, MDB_SET_KEY) && cursor.move(MDB_LAST_DUP)
    }

    /// Calls `body` with the sequence and household of every journal entry after `sequence`
    /// that the index files, oldest first.
    static func forEachEntry(_ txn: Txn, journal: MDB_dbi, after sequence: UInt64, _ body: (UInt64, HouseholdID) throws -> Void) throws {
        let cursor = try txn.cursor(journal)
        var found = try JournalBlock.seek(cursor, toBlockHolding: sequence &+ 1)
        while found {
            let first = Keys.read(cursor.keyBytes, width: 8)
            for entry in try JournalBlock.decode(first: first, cursor.valueBytes) where entry.sequence > sequence {
                if let id = entry.indexedHousehold { try body(entry.sequence, id) }
            }
            found = try cursor.move(MDB_NEXT)
        }
    }

    /// Nil when the index covers the whole journal; else why a household's history cannot be
    /// read from it, and what to run.
    static func lagging(_ txn: Txn, dbs: Environment.Databases, path: String) throws -> LumbungError? {
        guard dbs.journalIndex != nil else {
            return LumbungError(
                .journalIndexMissing, value: path,
                rule: "the store was written before the journal had a household index; open it once for writing with this Lumbung (`lumbung init --store PATH` changes nothing else) and it is built")
        }
        let indexed = try indexedThrough(txn, meta: dbs.meta), last = try JournalBlock.lastSequence(txn, journal: dbs.journal)
        guard indexed < last else { return nil }
        return LumbungError(
            .journalIndexMissing, value: path,
            rule: "the journal's household index covers entries up to \(indexed) of \(last) (a Lumbung without it wrote the rest); open the store once for writing with this Lumbung (`lumbung init --store PATH` changes nothing else) to index them")
    }
}

/// One entry of the journal's household index, as the key and duplicate ``Keys`` lays out
/// (integers of ``Keys/journalIndexKeyWidth`` and ``Keys/journalIndexDupWidth`` bytes): in
/// (key, dup) order, the index's order.
struct JournalIndexEntry: Spillable {
    var key: UInt64
    var dup: UInt64

    init(_ id: HouseholdID, _ sequence: UInt64) {
        key = Keys.journalIndexKey(id)
        dup = Keys.journalIndexDup(id, sequence)
    }

    var household: HouseholdID { Keys.splitJournalIndex(key: key, dup: dup).id }
    var sequence: UInt64 { Keys.splitJournalIndex(key: key, dup: dup).sequence }

    /// As the index's cursor gives it (``IndexEntries``), for `check`.
    var packed: PackedEntry {
        PackedEntry(key: key, keyWidth: Keys.journalIndexKeyWidth, entry: UInt128(dup), entryWidth: Keys.journalIndexDupWidth)
    }

    static func < (lhs: Self, rhs: Self) -> Bool { (lhs.key, lhs.dup) < (rhs.key, rhs.dup) }

    func spill(to file: SpillFile) {
        file.write(key)
        file.write(dup)
    }

    static func unspill(from file: SpillFile) -> Self? {
        guard let key = file.read(UInt64.self), let dup = file.read(UInt64.self) else { return nil }
        var entry = Self(HouseholdID(rawValue: 0), 0)
        entry.key = key
        entry.dup = dup
        return entry
    }
}

/// The order of a household's history.
public enum HistoryOrder: String, Sendable, Hashable, CaseIterable {
    case oldestFirst = "asc"
    case newestFirst = "desc"
}

extension ReadTransaction {
    /// A household's journal entries with sequence in `after <.. before` (both exclusive), in
    /// `order`, up to `limit` of those `include` accepts: read through the journal's household
    /// index, so the cost is the household's own entries, whatever the journal's size. Page by
    /// passing the last entry's sequence as `after` (oldest first) or `before` (newest first).
    ///
    /// ```swift
    /// let recent = try store.read { tx in try tx.changes(household: id, order: .newestFirst, limit: 20) }
    /// let older = try store.read { tx in
    ///     try tx.changes(household: id, before: recent.last!.sequence, order: .newestFirst, limit: 20)
    /// }
    /// ```
    ///
    /// - Throws: `store.journalIndexMissing` when the store, opened read-only, predates the index
    ///   or was written since by a Lumbung without it (open it once for writing to index it).
    public func changes(
        household id: HouseholdID, after: UInt64 = 0, before: UInt64 = .max, order: HistoryOrder = .oldestFirst, limit: Int = 1000,
        where include: (JournalEntry) throws -> Bool = { _ in true }
    ) throws -> [JournalEntry] {
        try ensureValid()
        if let error = try JournalIndex.lagging(txn, dbs: dbs, path: environment.path) { throw error }
        let top = min(before, Keys.journalIndexSequenceLimit)
        guard let dbi = dbs.journalIndex, id.isStorable, id.rawValue != 0, limit > 0, after &+ 1 < top else { return [] }
        let key = Keys.journalIndexKey(id)
        let low = Keys.journalIndexDup(id, after + 1), high = Keys.journalIndexDup(id, top - 1)
        let cursor = try txn.cursor(dbi)
        var lookup = try JournalLookup(txn, journal: dbs.journal)
        var resolving = try JournalLookup(txn, journal: dbs.journal)
        var found: Bool
        switch order {
        case .oldestFirst:
            found = try cursor.seek(key: key, keyWidth: Keys.journalIndexKeyWidth, value: low, valueWidth: Keys.journalIndexDupWidth, MDB_GET_BOTH_RANGE)
        case .newestFirst:
            found = try JournalIndex.seekLast(cursor, key: key, atOrBelow: high)
        }
        var entries: [JournalEntry] = []
        while found, entries.count < limit {
            let dup = Keys.read(cursor.valueBytes, width: Keys.journalIndexDupWidth)
            guard low <= dup, dup <= high else { break }
            let sequence = Keys.splitJournalIndex(key: key, dup: dup).sequence
            // Entries this write transaction filed but has not yet written to the journal wait.
            if var entry = try lookup.entry(sequence, household: id, path: environment.path) {
                // Filled in before `include` sees it: a scope filters on the desa.
                try resolve(&entry, lookup: &resolving)
                if try include(entry) { entries.append(entry) }
            }
            found = try cursor.move(order == .oldestFirst ? MDB_NEXT_DUP : MDB_PREV_DUP)
        }
        return entries
    }
}

extension ReadTransaction {
    /// Fills in the digest and desa of each insert read from its record
    /// (``JournalEntry/fromRecord``): the ``JournalEntry/priorDigest`` and first desa of the
    /// household's next entry that changed its record, or, while there is none, the stored
    /// record's own. Left empty where neither can be read (the index lags, or the change is not
    /// yet written).
    func resolveDigests(_ entries: inout [JournalEntry]) throws {
        guard entries.contains(where: \.awaitsRecord), try JournalIndex.lagging(txn, dbs: dbs, path: environment.path) == nil else { return }
        var lookup = try JournalLookup(txn, journal: dbs.journal)
        for index in entries.indices where entries[index].awaitsRecord { try resolve(&entries[index], lookup: &lookup) }
    }

    /// ``resolveDigests(_:)`` for one entry, with the caller's lookup (the index must not lag).
    func resolve(_ entry: inout JournalEntry, lookup: inout JournalLookup) throws {
        guard entry.awaitsRecord else { return }
        switch try recordChange(of: entry.householdID, after: entry.sequence, lookup: &lookup) {
        case .found(let next):
            entry.digest = next.priorDigest
            entry.wilayah = Array(next.wilayah.prefix(1))
        case .none:
            guard let stored = try txn.get(dbs.records, Keys.record(entry.householdID)) else { return }
            let (digest, desa) = try environment.compressor.open(stored.buffer) { payload in
                (JournalEntry.digest(of: payload), try RecordCodec.plainHead(payload).desa)
            }
            entry.digest = digest
            entry.wilayah = [KodeWilayah(unchecked: desa, level: .desa)]
        case .unwritten:
            break
        }
    }

    /// Whether a change of household `id` must journal the digest it replaces
    /// (``JournalEntry/priorDigest``): in a store of format 3, unless the household's last
    /// change keeps its own digest. None found means its entries wait to be indexed (a bulk
    /// load's, until its flush), so it is kept then too.
    func keepsPriorDigest(of id: HouseholdID, lookup: inout JournalLookup) throws -> Bool {
        guard dbs.writesFormat3 else { return false }
        if case .found(let last) = try recordChange(of: id, after: nil, lookup: &lookup), !last.fromRecord { return false }
        return true
    }

    /// What a walk of a household's history found.
    enum RecordChange {
        case found(JournalEntry)
        /// No entry that changed the record.
        case none
        /// An entry this write transaction filed but has not yet written to the journal.
        case unwritten
    }

    /// The first entry of household `id` after `sequence` that changed its record (not a
    /// request), or with `after` nil its newest; read through the journal's household index.
    func recordChange(of id: HouseholdID, after sequence: UInt64?, lookup: inout JournalLookup) throws -> RecordChange {
        guard let dbi = dbs.journalIndex else { return .none }
        let key = Keys.journalIndexKey(id)
        let low = Keys.journalIndexDup(id, (sequence ?? 0) &+ 1), high = Keys.journalIndexDup(id, Keys.journalIndexSequenceLimit - 1)
        // One cursor for all of a lookup's walks: a ranking walks every household of a batch.
        let cursor = try lookup.indexCursor ?? txn.cursor(dbi)
        lookup.indexCursor = cursor
        var found: Bool
        if sequence != nil {
            found = try cursor.seek(key: key, keyWidth: Keys.journalIndexKeyWidth, value: low, valueWidth: Keys.journalIndexDupWidth, MDB_GET_BOTH_RANGE)
        } else {
            found = try JournalIndex.seekLast(cursor, key: key, atOrBelow: high)
        }
        while found {
            let dup = Keys.read(cursor.valueBytes, width: Keys.journalIndexDupWidth)
            guard low <= dup, dup <= high else { break }
            guard let entry = try lookup.entry(Keys.splitJournalIndex(key: key, dup: dup).sequence, household: id, path: environment.path) else {
                return .unwritten
            }
            if entry.action.changesRecord { return .found(entry) }
            found = try cursor.move(sequence != nil ? MDB_NEXT_DUP : MDB_PREV_DUP)
        }
        return .none
    }
}

/// Journal entries by sequence, the last block read kept: a household's entries often share one.
struct JournalLookup {
    let cursor: Cursor
    let last: UInt64
    var block: (first: UInt64, entries: [JournalEntry])?
    /// The household index's cursor ``ReadTransaction/recordChange(of:after:lookup:)`` walks with.
    var indexCursor: Cursor?

    /// `block`: one read before in the same transaction (blocks, once written, do not change).
    init(_ txn: Txn, journal: MDB_dbi, block: (first: UInt64, entries: [JournalEntry])? = nil) throws {
        cursor = try txn.cursor(journal)
        last = try JournalBlock.lastSequence(txn, journal: journal)
        self.block = block
    }

    /// The entry `sequence` of household `id`; nil past the journal's end (not yet written by
    /// this transaction). An index entry that names no such entry is the index's corruption.
    mutating func entry(_ sequence: UInt64, household id: HouseholdID, path: String) throws -> JournalEntry? {
        guard sequence <= last else { return nil }
        if let block, sequence >= block.first, sequence - block.first < UInt64(block.entries.count) {
            // In the block read last.
        } else {
            if try JournalBlock.seek(cursor, toBlockHolding: sequence) {
                let first = Keys.read(cursor.keyBytes, width: 8)
                block = (first, try JournalBlock.decode(first: first, cursor.valueBytes))
            }
        }
        guard let block, sequence >= block.first, sequence - block.first < UInt64(block.entries.count),
              case let entry = block.entries[Int(sequence - block.first)], entry.indexedHousehold == id else {
            throw LumbungError(
                .journalIndexCorrupt, value: path,
                rule: "the journal's household index files entry \(sequence) under household \(id), which the journal does not; run `lumbung check`")
        }
        return entry
    }
}
