import CLMDB
import Foundation

/// A write transaction, valid inside ``Store/write(actor:_:)`` only. It sees its own changes.
///
/// Every write keeps the indexes, counters and journal in step with the records, in the same
/// transaction; an error rolls all of it back.
///
/// ```swift
/// try store.write(actor: "operator:desa-2001") { tx in
///     let id = try tx.put(household).id
///     try tx.moveMember(nik: nik, to: otherID)
/// }
/// ```
public final class WriteTransaction: ReadTransaction {
    /// What a put did.
    public enum Outcome: Sendable, Hashable {
        case inserted, updated, unchanged
    }

    public struct PutResult: Sendable, Hashable {
        public let id: HouseholdID
        public let outcome: Outcome
    }

    let actor: String
    let dictionaryThreshold: Int
    var counters = CounterDeltas()
    private var nextSequence: UInt64?
    /// The sequence of this transaction's first journal entry.
    private var firstSequence: UInt64?
    private var journal: [JournalEntry] = []
    /// The journal block ``priorDigest(of:)`` read last.
    private var priorBlock: (first: UInt64, entries: [JournalEntry])?
    private var nextID: UInt64?
    private var currentDictionary: UInt32??
    /// The note journaled with household writes that give none (an applied request names itself).
    var journalNote = ""

    init(environment: Environment, txn: Txn, actor: String, dictionaryThreshold: Int) {
        self.actor = actor
        self.dictionaryThreshold = dictionaryThreshold
        super.init(environment: environment, txn: txn)
    }

    // MARK: Public writes

    /// Who sets a household's status in a ``put(_:nikPolicy:status:)``.
    public enum StatusAuthority: Sendable, Hashable {
        /// A direct write (`lumbung put`, HTTP POST/PUT): the status follows change requests
        /// only, so an insert is `usulan` and an update keeps the stored status.
        case direct
        /// An admin's bulk import of a legacy register (or a copy of another store): the file's
        /// statuses are taken as they are. The import journals itself as such (``recordRegisterImport(_:)``).
        case registerImport
    }

    /// Inserts a household (no id) or replaces the stored one (same id), keeping every index,
    /// counter and the journal in step. Refuses a NIK or KK that another household holds, and,
    /// for a `.direct` write, a status the requests did not set (`household.statusLocked`).
    @discardableResult
    public func put(_ household: Household, nikPolicy: NIKPolicy = .strict, status authority: StatusAuthority = .registerImport) throws -> PutResult {
        try ensureValid()
        let validated = try household.validated(policy: nikPolicy)
        let old: Household?
        if let id = validated.id {
            guard let stored = try self.household(id: id) else {
                throw LumbungError(.householdNotFound, field: "id", value: id.description, rule: "no household has this id; omit the id to insert", householdID: id)
            }
            old = stored
        } else {
            old = nil
        }
        if authority == .direct, let old { try refuseDirectWrite(to: old) }
        if authority == .direct, validated.status != (old?.status ?? .usulan) {
            try checkUnique(validated)  // a clash is the answer first, as for any write
            throw LumbungError(
                .householdStatusLocked, field: "status", value: validated.status.description,
                rule: "a household's status follows change requests only (`lumbung request`); a direct write "
                    + (old.map { "keeps it (\($0.status))" } ?? "inserts usulan"),
                householdID: old?.id)
        }
        return try write(validated, replacing: old, action: nil)
    }

    /// Journals an admin's import of a legacy register or a decree (SK): one event naming it,
    /// beside the household entries the import wrote.
    public func recordRegisterImport(_ description: String) throws {
        try recordEvent("register import: \(description)")
    }

    /// Inserts a household under the id it carries, keeping its `updatedAt` when it has one: a
    /// copy of another store's household (from its export or a snapshot), so ids survive the trip.
    ///
    /// ```swift
    /// try store.write { tx in try tx.insert(keepingID: householdFromExport) }
    /// ```
    /// - Throws: `household.idTaken` when the id is in use, and what ``put(_:nikPolicy:)`` throws.
    @discardableResult
    public func insert(keepingID household: Household, nikPolicy: NIKPolicy = .strict) throws -> PutResult {
        try ensureValid()
        guard let id = household.id else {
            throw LumbungError(.householdInvalid, field: "id", rule: "an insert that keeps its id needs one")
        }
        let validated = try household.validated(policy: nikPolicy)
        let append = try claim(id)
        return try write(validated, replacing: nil, action: nil, append: append, keepingTime: true)
    }

    /// Deletes a household and returns it as it was (not one an open `baru` request stored:
    /// `workflow.conflict`).
    @discardableResult
    public func delete(id: HouseholdID) throws -> Household {
        try ensureValid()
        guard let old = try household(id: id) else {
            throw LumbungError(.householdNotFound, field: "id", value: id.description, rule: "no household has this id", householdID: id)
        }
        try refuseDirectWrite(to: old)
        try remove(old)
        return old
    }

    /// Deletes the stored household `old`: its record, desil history, indexes, counters, and a
    /// journal entry. Its id is never given again.
    func remove(_ old: Household) throws {
        let id = old.id!
        let prior = try priorDigest(of: id)
        try txn.delete(dbs.records, Keys.record(id))
        if let history = dbs.desilHistory { try DesilHistory.delete(txn, dbi: history, id: id) }
        try updateIndexes(old: old, new: nil)
        counters.add(old, sign: -1)
        try appendJournal(action: .delete, id: id, digest: [], wilayah: [old.wilayah], priorDigest: prior)
    }

    /// Moves the member with `nik` into household `target`, optionally with a new relation to
    /// its head. Both households must stay valid: the source keeps a head and one member.
    public func moveMember(nik: NIK, to target: HouseholdID, relation: Relation? = nil) throws {
        try ensureValid()
        guard let sourceID = try householdID(nik: nik), let sourceOld = try household(id: sourceID) else {
            throw LumbungError(.memberNotFound, field: "nik", value: nik.masked, rule: "no household holds this NIK")
        }
        guard sourceID != target else {
            throw LumbungError(.householdInvalid, field: "tujuan", value: target.description, rule: "the member is already in this household", householdID: target)
        }
        guard let destinationOld = try household(id: target) else {
            throw LumbungError(.householdNotFound, field: "tujuan", value: target.description, rule: "no household has this id", householdID: target)
        }
        try refuseDirectWrite(to: sourceOld)
        try refuseDirectWrite(to: destinationOld)
        var source = sourceOld, destination = destinationOld
        let index = source.members.firstIndex { $0.nik.nik == nik }!
        var member = source.members.remove(at: index)
        if let relation { member.relation = relation }
        destination.members.append(member)
        // The source first, so the NIK is free when the destination takes it.
        _ = try write(try source.validated(policy: .keepFlagged), replacing: sourceOld, action: .moveMember)
        _ = try write(try destination.validated(policy: .keepFlagged), replacing: destinationOld, action: .moveMember)
    }

    /// Appends a store-level event to the journal (household id 0).
    public func recordEvent(_ note: String) throws {
        try ensureValid()
        try appendJournal(action: .event, id: HouseholdID(rawValue: 0), digest: [], note: note)
    }

    /// Trains a new compression dictionary from a sample of the stored records. New writes use
    /// it; old records keep naming the dictionary they were written with.
    @discardableResult
    public func retrainDictionary() throws -> UInt32? {
        try ensureValid()
        var samples: [[UInt8]] = []
        let total = try householdCount()
        guard total > 0 else { return nil }
        let stride = max(1, total / 20_000)
        let cursor = try txn.cursor(dbs.records)
        var found = try cursor.move(MDB_FIRST)
        var position = 0
        while found {
            if position % stride == 0 {
                try openRecord(cursor.valueBytes) { samples.append(Array($0)) }
            }
            position += 1
            found = try cursor.move(MDB_NEXT)
        }
        return try installDictionary(trainedFrom: samples)
    }

    // MARK: The write path

    /// Writes a validated household over `old`. `action` nil means insert or update.
    func write(_ validated: Household, replacing old: Household?, action: JournalEntry.Action?,
               append: Bool = true, keepingTime: Bool = false) throws -> PutResult {
        var new = validated
        let givenTime = validated.updatedAt
        try checkUnique(new)
        if let old, new.isUnchanged(from: old) { return PutResult(id: old.id!, outcome: .unchanged) }
        let id = try new.id ?? allocateID()
        new.id = id
        new.updatedAt = keepingTime && givenTime != nil ? givenTime : RecordCodec.date(milliseconds: RecordCodec.milliseconds(Date()))
        var writer = ByteWriter()
        RecordCodec.encode(new, into: &writer)
        let sealed = try environment.compressor.seal(writer.bytes, dictionaryID: try dictionaryID())
        let prior = old == nil ? [] : try priorDigest(of: id)
        try txn.put(dbs.records, Keys.record(id), sealed, flags: old == nil && append ? UInt32(MDB_APPEND) : 0)
        try updateIndexes(old: old, new: new)
        if let old { counters.add(old, sign: -1) }
        counters.add(new, sign: 1)
        try appendJournal(
            action: action ?? (old == nil ? .insert : .update), id: id, digest: JournalEntry.digest(of: writer.bytes),
            wilayah: JournalEntry.wilayah(old: old?.wilayah, new: new.wilayah), priorDigest: prior)
        return PutResult(id: id, outcome: old == nil ? .inserted : .updated)
    }

    /// Refuses a KK, source id or NIK that another household holds, naming it.
    func checkUnique(_ household: Household) throws {
        if let other = try householdID(kk: household.nomorKK), other != household.id {
            throw LumbungError.heldElsewhere(.kkDuplicate, field: "nomor_kk", value: household.nomorKK.masked, householdID: household.id, other: other)
        }
        if let sourceID = household.sourceID, let other = try householdID(sourceID: sourceID), other != household.id {
            throw LumbungError.heldElsewhere(.sourceIDDuplicate, field: "id_sumber", value: sourceID.text, householdID: household.id, other: other)
        }
        for (index, member) in household.members.enumerated() {
            if let nik = member.nik.nik, let other = try householdID(nik: nik), other != household.id {
                throw LumbungError.heldElsewhere(.nikDuplicate, field: "anggota[\(index)].nik", value: nik.masked, householdID: household.id, other: other)
            }
        }
    }

    /// Claims `id` for an insert that keeps a given id (a copy from another store). Returns
    /// whether it lies beyond every stored id, so its record can be appended.
    /// - Throws: `household.idTaken` when a household already has it, `household.invalid` for
    ///   an id the store cannot hold.
    func claim(_ id: HouseholdID) throws -> Bool {
        guard id.isStorable else {
            throw LumbungError(.householdInvalid, field: "id", value: id.description, rule: "a household id is 1 to \(HouseholdID.max)", householdID: id)
        }
        _ = try loadNextID()
        if id.rawValue >= nextID! {
            nextID = id.rawValue + 1
            return true
        }
        if try contains(id: id) {
            throw LumbungError(.householdIDTaken, field: "id", value: id.description, rule: "another household already has this id", householdID: id)
        }
        return false
    }

    private func loadNextID() throws -> UInt64 {
        if nextID == nil {
            if let stored = try txn.get(dbs.meta, MetaKey.nextID) {
                nextID = Keys.read(stored.buffer, width: 8)
            } else {
                nextID = 1
            }
        }
        return nextID!
    }

    func allocateID() throws -> HouseholdID {
        let id = try loadNextID()
        guard HouseholdID(rawValue: id).isStorable else {
            throw LumbungError(.householdInvalid, field: "id", rule: "household ids are exhausted")
        }
        nextID = id + 1
        return HouseholdID(rawValue: id)
    }

    /// Journals a change, and files it under its household (``JournalIndex``) unless
    /// `indexLater`: then the caller files the returned sequence itself (a bulk load, sorted).
    @discardableResult
    func appendJournal(action: JournalEntry.Action, id: HouseholdID, digest: [UInt8], note: String = "", wilayah: [KodeWilayah] = [],
                       fromRecord: Bool = false, priorDigest: [UInt8] = [], indexLater: Bool = false) throws -> UInt64 {
        if nextSequence == nil {
            nextSequence = try lastSequence() + 1
            firstSequence = nextSequence
        }
        let sequence = nextSequence!
        nextSequence = sequence + 1
        let entry = JournalEntry(
            sequence: sequence, time: Date(), actor: actor, action: action, householdID: id, digest: digest,
            note: note.isEmpty ? journalNote : note, wilayah: wilayah, fromRecord: fromRecord, priorDigest: priorDigest)
        if !indexLater, let household = entry.indexedHousehold {
            try JournalIndex.checkSequence(sequence)
            let index = JournalIndexEntry(household, sequence)
            try txn.put(
                dbs.journalIndex!, key: index.key, keyWidth: Keys.journalIndexKeyWidth, value: index.dup, valueWidth: Keys.journalIndexDupWidth,
                flags: UInt32(MDB_NODUPDATA))
        }
        journal.append(entry)
        // A big transaction writes its full blocks as it goes, so the journal held in memory
        // stays bounded; the blocks are the ones one flush at the end would write.
        if journal.count >= Self.journalEntriesHeld { try flushJournal(wholeBlocksOnly: true) }
        return sequence
    }

    /// The digest of household `id`'s stored record, for the entry of a change that is about to
    /// replace or delete it, when the household's journal may not hold it
    /// (``JournalEntry/priorDigest``): in a store of format 3, while the household's last change
    /// is an insert read from its record. Empty otherwise (and for no record).
    func priorDigest(of id: HouseholdID) throws -> [UInt8] {
        guard dbs.writesFormat3 else { return [] }
        // Households changed one after another often share a block: it is kept, not the cursor.
        var lookup = try JournalLookup(txn, journal: dbs.journal, block: priorBlock)
        defer { priorBlock = lookup.block }
        guard try keepsPriorDigest(of: id, lookup: &lookup), let stored = try txn.get(dbs.records, Keys.record(id)) else { return [] }
        return try JournalEntry.digest(ofStored: stored.buffer, environment.compressor)
    }

    /// Marks the journal's household index as covering this transaction's entries too, when
    /// it covered every entry before them (else it waits for ``JournalIndex/catchUp(_:dbs:spillTo:)``).
    private func markJournalIndexed() throws {
        guard let firstSequence, let nextSequence else { return }
        if try JournalIndex.indexedThrough(txn, meta: dbs.meta) == firstSequence - 1 {
            try JournalIndex.setIndexedThrough(nextSequence - 1, txn, meta: dbs.meta)
        }
    }

    /// How many journal entries a transaction holds before writing its full blocks.
    static let journalEntriesHeld = 16_384

    /// Writes the transaction's journal entries as blocks that each fill a page
    /// (``JournalBlock/encode(prefixOf:)``), the last one shorter unless `wholeBlocksOnly` keeps
    /// it back for later, so the blocks are those one flush at the end would write.
    private func flushJournal(wholeBlocksOnly: Bool = false) throws {
        guard let first = journal.first else { return }
        let cursor = try txn.cursor(dbs.journal)
        var start = 0
        while start < journal.count {
            let (block, count) = JournalBlock.encode(prefixOf: journal[start...], repeatWilayah: dbs.writesFormat3)
            if wholeBlocksOnly, start + count == journal.count { break }
            try cursor.put(Keys.journal(first.sequence + UInt64(start)), block, flags: UInt32(MDB_APPEND))
            start += count
        }
        journal.removeFirst(start)
    }

    // MARK: Indexes

    func updateIndexes(old: Household?, new: Household?) throws {
        let oldNIKs = Set(old?.validNIKs ?? [])
        let newNIKs = Set(new?.validNIKs ?? [])
        if let old {
            for nik in oldNIKs.subtracting(newNIKs) {
                try dbs.unique.delete(txn, dbs.nik, nik.rawValue, id: old.id!.rawValue)
            }
            if new?.nomorKK != old.nomorKK {
                try dbs.unique.delete(txn, dbs.kk, old.nomorKK.rawValue, id: old.id!.rawValue)
            }
            if let sourceID = old.sourceID, new?.sourceID != sourceID {
                try txn.delete(dbs.source!, Keys.sourceID(sourceID))
            }
        }
        if let new {
            for nik in newNIKs.subtracting(oldNIKs) {
                try dbs.unique.insert(txn, dbs.nik, nik.rawValue, id: new.id!.rawValue)
            }
            if old?.nomorKK != new.nomorKK {
                try dbs.unique.insert(txn, dbs.kk, new.nomorKK.rawValue, id: new.id!.rawValue)
            }
            if let sourceID = new.sourceID, old?.sourceID != sourceID {
                try txn.put(dbs.source!, Keys.sourceID(sourceID), Keys.be(new.id!.rawValue, width: Keys.idWidth))
            }
        }
        let oldEntries = old.map(IndexDimension.entries) ?? []
        let newEntries = new.map(IndexDimension.entries) ?? []
        let same = oldEntries.count == newEntries.count
            && zip(oldEntries, newEntries).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 && $0.2 == $1.2 }
        if same { return }
        for (index, key, entry) in oldEntries { try txn.delete(dbs[index], key, entry) }
        for (index, key, entry) in newEntries { try txn.put(dbs[index], key, entry, flags: UInt32(MDB_NODUPDATA)) }
    }

    // MARK: Compression dictionary

    /// The dictionary new records use, or nil while the store is too small to have one.
    func dictionaryID() throws -> UInt32? {
        if let cached = currentDictionary { return cached }
        let id = try txn.get(dbs.meta, MetaKey.currentDictionary).map { UInt32(Keys.read($0.buffer, width: 4)) }
        // Trained by another process since this one opened the store: load it, or records would go uncompressed.
        if let id, !environment.compressor.hasDictionary(id) { try environment.loadDictionaries(txn) }
        currentDictionary = .some(id)
        return id
    }

    /// Stores a dictionary trained from `samples`, makes it current and returns its id.
    @discardableResult
    func installDictionary(trainedFrom samples: [[UInt8]]) throws -> UInt32? {
        guard samples.count >= 64 else { return nil }
        let bytes: [UInt8]
        do {
            bytes = try Compressor.train(samples: samples)
        } catch {
            Store.logger.warning("dictionary training failed; records stay raw", metadata: ["error": "\(error)"])
            return nil
        }
        // The smallest id no dictionary has: every sealed record names it, in one byte.
        var id: UInt32 = 1
        while try txn.get(dbs.meta, MetaKey.dictionary(id)) != nil { id += 1 }
        try txn.put(dbs.meta, MetaKey.dictionary(id), bytes)
        try txn.put(dbs.meta, MetaKey.currentDictionary, Keys.be(UInt64(id), width: 4))
        try bytes.withUnsafeBytes { try environment.compressor.register(id, bytes: $0) }
        currentDictionary = .some(id)
        return id
    }

    /// Trains the first dictionary once the store holds enough records, and compresses the raw
    /// records written before it.
    private func trainFirstDictionaryIfDue() throws {
        guard try dictionaryID() == nil, try householdCount() >= dictionaryThreshold else { return }
        var raw: [(key: [UInt8], payload: [UInt8])] = []
        let cursor = try txn.cursor(dbs.records)
        var found = try cursor.move(MDB_FIRST)
        while found {
            if try Compressor.dictionaryID(of: cursor.valueBytes) == nil {
                raw.append((Array(cursor.keyBytes), Array(cursor.valueBytes.dropFirst())))
            }
            found = try cursor.move(MDB_NEXT)
        }
        guard let id = try installDictionary(trainedFrom: raw.map(\.payload)) else { return }
        for (key, payload) in raw {
            try txn.put(dbs.records, key, try environment.compressor.seal(payload, dictionaryID: id))
        }
    }

    /// Flushes counters and trains the first dictionary when due; called before commit.
    func finish() throws {
        if let nextID { try txn.put(dbs.meta, MetaKey.nextID, Keys.be(nextID, width: 8)) }
        try counters.flush(into: txn, dbi: dbs.counters)
        try flushJournal()
        try markJournalIndexed()
        try trainFirstDictionaryIfDue()
    }
}
