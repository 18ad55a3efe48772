import CLMDB
import Foundation

/// A consistent, read-only view of the store, valid inside ``Store/read(_:)`` only.
///
/// ```swift
/// let household = try store.read { tx in try tx.household(nik: try NIK("3216015608900003")) }
/// ```
public class ReadTransaction {
    let environment: Environment
    let txn: Txn
    private(set) var isValid = true

    init(environment: Environment, txn: Txn) {
        self.environment = environment
        self.txn = txn
    }

    func invalidate() { isValid = false }

    @inline(__always)
    func ensureValid() throws {
        guard isValid else {
            throw LumbungError(.storeClosed, rule: "a transaction is used only inside its read or write closure")
        }
    }

    var dbs: Environment.Databases { environment.dbs }

    // MARK: Lookups

    /// The household with this id, or nil.
    public func household(id: HouseholdID) throws -> Household? {
        try ensureValid()
        guard id.isStorable, let stored = try txn.get(dbs.records, Keys.record(id)) else { return nil }
        return try decode(stored.buffer, id: id)
    }

    /// The household a member with this NIK belongs to, or nil.
    public func household(nik: NIK) throws -> Household? {
        guard let id = try householdID(nik: nik) else { return nil }
        return try household(id: id)
    }

    /// The household with this KK number, or nil.
    public func household(kk: NomorKK) throws -> Household? {
        guard let id = try householdID(kk: kk) else { return nil }
        return try household(id: id)
    }

    /// The id of the household that holds this NIK.
    public func householdID(nik: NIK) throws -> HouseholdID? {
        try ensureValid()
        return try uniqueLookup(dbs.nik, nik.rawValue)
    }

    /// The id of the household with this KK number.
    public func householdID(kk: NomorKK) throws -> HouseholdID? {
        try ensureValid()
        return try uniqueLookup(dbs.kk, kk.rawValue)
    }

    /// The household with this source id, or nil.
    public func household(sourceID: SourceID) throws -> Household? {
        guard let id = try householdID(sourceID: sourceID) else { return nil }
        return try household(id: id)
    }

    /// The id of the household with this source id.
    public func householdID(sourceID: SourceID) throws -> HouseholdID? {
        try ensureValid()
        guard let dbi = dbs.source, let stored = try txn.get(dbi, Keys.sourceID(sourceID)) else { return nil }
        return HouseholdID(rawValue: Keys.read(stored.buffer, width: Keys.idWidth))
    }

    /// Whether a household with this id exists.
    public func contains(id: HouseholdID) throws -> Bool {
        try ensureValid()
        return try id.isStorable && txn.get(dbs.records, Keys.record(id)) != nil
    }

    func uniqueLookup(_ dbi: MDB_dbi, _ number: UInt64) throws -> HouseholdID? {
        try dbs.unique.find(txn.cursor(dbi), number).map(HouseholdID.init(rawValue:))
    }

    /// Calls `body` with a stored record's payload. A dictionary this process has not seen yet
    /// (another process trained it since the store was opened here) is loaded first: they are
    /// immutable, and this transaction sees it.
    func openRecord<R>(_ stored: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try loadDictionary(of: stored)
        return try environment.compressor.open(stored, body)
    }

    private func loadDictionary(of stored: UnsafeRawBufferPointer) throws {
        if let id = try Compressor.dictionaryID(of: stored), !environment.compressor.hasDictionary(id) {
            try environment.loadDictionaries(txn)
        }
    }

    /// A household's KK number and update time, read from its record's head (nil: no such id).
    func sortFields(id: HouseholdID) throws -> (nomorKK: UInt64, updatedMilliseconds: Int64?)? {
        try head(id: id).map { ($0.nomorKK, $0.updatedMilliseconds) }
    }

    /// The head of a household's record (KK, desa, desil, update time; nil: no such id). A record
    /// sealed with a plain head, or raw, is read in place; only an older one is decompressed.
    func head(id: HouseholdID) throws -> RecordCodec.PlainHead? {
        guard let stored = try txn.get(dbs.records, Keys.record(id)) else { return nil }
        do {
            let envelope = try Compressor.Envelope(stored.buffer)
            if envelope.keepsPlainHead { return try RecordCodec.plainHead(envelope.plainHead) }
            if envelope.tag == Compressor.rawTag { return try RecordCodec.plainHead(envelope.rest) }
            return try openRecord(stored.buffer) { try RecordCodec.plainHead($0) }
        } catch let error as LumbungError {
            throw error.about(id)
        }
    }

    func decode(_ stored: UnsafeRawBufferPointer, id: HouseholdID) throws -> Household {
        try loadDictionary(of: stored)
        return try Self.decode(stored, id: id, compressor: environment.compressor)
    }

    /// A stored record decoded with dictionaries already loaded: for threads other than the
    /// transaction's (check's workers). Errors name the household.
    static func decode(_ stored: UnsafeRawBufferPointer, id: HouseholdID, compressor: Compressor) throws -> Household {
        do {
            return try compressor.open(stored) { payload in
                try RecordCodec.decode(payload, id: id)
            }
        } catch let error as LumbungError {
            throw error.about(id)
        }
    }

    /// The number of stored households.
    public func householdCount() throws -> Int {
        try ensureValid()
        return try txn.entryCount(dbs.records)
    }

    /// Every household, decoded, in id order.
    public func forEachHousehold(_ body: (Household) throws -> Void) throws {
        try ensureValid()
        let cursor = try txn.cursor(dbs.records)
        var found = try cursor.move(MDB_FIRST)
        while found {
            let id = HouseholdID(rawValue: Keys.read(cursor.keyBytes, width: Keys.idWidth))
            try body(try decode(cursor.valueBytes, id: id))
            found = try cursor.move(MDB_NEXT)
        }
    }

    /// Pages on LMDB's free list.
    func freePageCount() throws -> Int {
        let cursor = try txn.cursor(0)
        var total = 0
        var found = try cursor.move(MDB_FIRST)
        while found {
            total += cursor.valueBytes.load(as: Int.self)
            found = try cursor.move(MDB_NEXT)
        }
        return total
    }

    // MARK: Journal

    /// Journal entries after `sequence`, oldest first.
    public func changes(after sequence: UInt64, limit: Int = 1000) throws -> [JournalEntry] {
        try ensureValid()
        let cursor = try txn.cursor(dbs.journal)
        var entries: [JournalEntry] = []
        var found = try JournalBlock.seek(cursor, toBlockHolding: sequence &+ 1)
        while found, entries.count < limit {
            let first = Keys.read(cursor.keyBytes, width: 8)
            for entry in try JournalBlock.decode(first: first, cursor.valueBytes) where entry.sequence > sequence {
                entries.append(entry)
                if entries.count == limit { break }
            }
            found = try cursor.move(MDB_NEXT)
        }
        try resolveDigests(&entries)
        return entries
    }

    /// The sequence number of the newest journal entry (0 for an empty journal).
    public func lastSequence() throws -> UInt64 {
        try ensureValid()
        return try JournalBlock.lastSequence(txn, journal: dbs.journal)
    }
}
