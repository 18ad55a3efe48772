import CLMDB
import Foundation

/// Loads many households in one transaction: all of them, or none if any fails.
///
/// New households are written with their records appended in id order and their index entries
/// collected, sorted and appended at the end of the load, which is what makes a million
/// households load in seconds. Households loaded become visible to index lookups (by NIK, KK,
/// wilayah, …) when the load ends; uniqueness inside the load is checked then, against the
/// store as each household comes.
///
/// ```swift
/// let summary = try store.bulkLoad(actor: "import") { loader in
///     for household in households { try loader.add(household) }
/// }
/// ```
public final class BulkLoader {
    let transaction: WriteTransaction
    let nikPolicy: NIKPolicy
    /// Households held back until a first compression dictionary is trained from them.
    private var pending: [Household] = []
    private var needsDictionary: Bool
    private var deferred = DeferredIndexes()
    private let storeWasEmpty: Bool
    private let records: Cursor
    public private(set) var summary = BulkLoadSummary()

    static let trainingSample = 10_000

    init(transaction: WriteTransaction, nikPolicy: NIKPolicy) throws {
        self.transaction = transaction
        self.nikPolicy = nikPolicy
        self.needsDictionary = try transaction.dictionaryID() == nil
        self.storeWasEmpty = try transaction.householdCount() == 0
        self.records = try transaction.txn.cursor(transaction.dbs.records)
    }

    /// The transaction, for reads and other writes inside the load.
    public var tx: WriteTransaction { transaction }

    /// Inserts a household (no id) or replaces one (with id), validated like
    /// ``WriteTransaction/put(_:nikPolicy:)``.
    public func add(_ household: Household) throws {
        let validated = try household.validated(policy: nikPolicy)
        if validated.id != nil {
            // A replace checks and updates indexes in place, so the collected entries go first.
            try flushDeferred()
            record(try transaction.put(validated, nikPolicy: .keepFlagged).outcome)
        } else if needsDictionary {
            pending.append(validated)
            if pending.count >= Self.trainingSample { try flushPending() }
        } else {
            try insert(validated)
        }
    }

    private func insert(_ validated: Household) throws {
        var household = validated
        if !storeWasEmpty { try transaction.checkUnique(household) }
        household.id = try transaction.allocateID()
        household.updatedAt = RecordCodec.date(milliseconds: RecordCodec.milliseconds(Date()))
        var writer = ByteWriter()
        RecordCodec.encode(household, into: &writer)
        let sealed = try transaction.environment.compressor.seal(writer.bytes, dictionaryID: try transaction.dictionaryID())
        try records.put(Keys.record(household.id!), sealed, flags: UInt32(MDB_APPEND))
        deferred.add(household)
        transaction.counters.add(household, sign: 1)
        try transaction.appendJournal(action: .insert, id: household.id!, digest: JournalEntry.digest(of: writer.bytes))
        summary.inserted += 1
    }

    private func record(_ outcome: WriteTransaction.Outcome) {
        switch outcome {
        case .inserted: summary.inserted += 1
        case .updated: summary.updated += 1
        case .unchanged: summary.unchanged += 1
        }
    }

    /// Trains the first dictionary from the held-back households, then writes them.
    private func flushPending() throws {
        guard needsDictionary else { return }
        needsDictionary = false
        if pending.count >= 64 {
            let samples = pending.map { household -> [UInt8] in
                var copy = household
                copy.id = HouseholdID(rawValue: 1)
                var writer = ByteWriter()
                RecordCodec.encode(copy, into: &writer)
                return writer.bytes
            }
            if ProcessInfo.processInfo.environment["LUMBUNG_DEBUG_SAMPLES"] != nil {
                FileHandle.standardError.write(Data("samples \(samples.count) avg \(samples.reduce(0) { $0 + $1.count } / samples.count)\n".utf8))
            }
            try transaction.installDictionary(trainedFrom: samples)
        }
        let held = pending
        pending = []
        for household in held { try insert(household) }
    }

    private func flushDeferred() throws {
        try flushPending()
        try deferred.flush(into: transaction.txn, dbs: transaction.dbs)
    }

    /// Ends the load: writes held-back households and the collected index entries.
    func finish() throws {
        try flushDeferred()
    }
}

/// What a bulk load did.
public struct BulkLoadSummary: Sendable, Hashable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
}

extension Store {
    /// Loads households in one write transaction: all or nothing.
    ///
    /// If the map fills up, everything is rolled back, the map grows, and `produce` runs again
    /// from the start, so it must be able to produce the same households twice (re-read the file).
    @discardableResult
    public func bulkLoad(actor: String? = nil, nikPolicy: NIKPolicy = .strict, _ produce: (BulkLoader) throws -> Void) throws -> BulkLoadSummary {
        try write(actor: actor) { tx in
            let loader = try BulkLoader(transaction: tx, nikPolicy: nikPolicy)
            try produce(loader)
            try loader.finish()
            return loader.summary
        }
    }
}
