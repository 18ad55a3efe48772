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
    /// Whether `deferred` has room for the households up to the limit.
    private var deferredReserved = false
    /// Whether a household is checked against the store's unique keys as it is written: when
    /// the store held households before the load, or once collected entries were written.
    private var checksStore: Bool
    /// Whether the store held no household when the load began.
    private let beganEmpty: Bool

    /// Set by a producer that vouches that the households it hands this load hold no NIK, Nomor
    /// KK or source id twice among themselves (an import's file-wide checks): on a store that was
    /// empty when the load began, nothing else can hold their numbers, so none is looked up in
    /// the unique indexes as it is written (about 5% of the serial stage of a 10M import). The
    /// held entries are still checked for duplicates when written, and a store that held
    /// households is checked as ever.
    public var producerChecksUniqueness = false
    private let records: Cursor
    /// Every household of a load gets the same updated-at time (the samples the dictionary is
    /// trained on carry it too, so it compresses to almost nothing).
    private let time = RecordCodec.date(milliseconds: RecordCodec.milliseconds(Date()))
    public private(set) var summary = BulkLoadSummary()
    /// The first error a write of this load threw: the load is all or nothing, so once a chunk
    /// was written in part (and its counters not summed), every later call throws it too, and
    /// the transaction is rolled back even when `produce` caught the first throw.
    private var failure: (any Error)?

    static let trainingSample = 10_000
    /// The most households whose index entries a load holds by default (about 440 bytes each,
    /// half again while they are sorted). A million-household load still writes them once, appended.
    public static let deferredLimit = 1 << 20
    private let deferredLimit: Int
    /// The limit once the store's indexes hold entries (it held households, or held entries were
    /// written): later entries go into filled trees, whose pages are packed no worse by smaller
    /// writes, while the first ones into empty trees are appended, packed full, as many as held.
    private let laterDeferredLimit: Int

    /// What a load holds besides the households handed to it: the index entries of at most
    /// `deferredLimit` households (sorted by radix, each array with a buffer its size: under
    /// half of them at once), then of
    /// `laterDeferredLimit` once the indexes hold entries, and the pages LMDB changed, which it
    /// spills to the file past 128 Ki pages. For `--help`.
    public static func memoryBound(deferredLimit: Int = deferredLimit, laterDeferredLimit: Int = deferredLimit) -> String {
        func held(_ households: Int) -> String { "\(households) households (about \((households * 440 * 3 / 2) >> 20) MiB while they are sorted)" }
        let later = laterDeferredLimit == deferredLimit ? "" : ", then of at most \(held(laterDeferredLimit)) once the store's indexes hold entries"
        return "the index entries of at most \(held(deferredLimit))\(later), LMDB's changed pages (at most 512 MiB)"
    }

    init(transaction: WriteTransaction, nikPolicy: NIKPolicy, deferredLimit: Int = BulkLoader.deferredLimit, laterDeferredLimit: Int? = nil) throws {
        self.transaction = transaction
        self.deferredLimit = deferredLimit
        self.laterDeferredLimit = laterDeferredLimit ?? deferredLimit
        self.nikPolicy = nikPolicy
        self.needsDictionary = try transaction.dictionaryID() == nil
        self.beganEmpty = try transaction.householdCount() == 0
        self.checksStore = !beganEmpty
        self.records = try transaction.txn.cursor(transaction.dbs.records)
    }

    /// The transaction, for reads and other writes inside the load.
    public var tx: WriteTransaction { transaction }

    /// Inserts a household (no id) or replaces one (with id), validated like
    /// ``WriteTransaction/put(_:nikPolicy:)``.
    ///
    /// With `keepingID`, the household is new and keeps the id it carries (and its `updatedAt`,
    /// when set), like ``WriteTransaction/insert(keepingID:nikPolicy:)``: a copy of another
    /// store's household. Ids in ascending order beyond the stored ones load fastest.
    public func add(_ household: consuming Household, keepingID: Bool = false) throws {
        try add(household, keepingID: keepingID, validated: false)
    }

    /// ``add(_:keepingID:)`` for a household that is already the stored form
    /// ``Household/checked(policy:)`` returned without a problem, under this loader's policy
    /// (an importer validates each household itself to report every problem on its line): a new
    /// one is written without running the rules again. Only its id may have changed since.
    public func add(validated household: consuming Household, keepingID: Bool = false) throws {
        assert(household.checked(policy: nikPolicy).problems.isEmpty, "a household added as validated breaks a rule")
        try add(household, keepingID: keepingID, validated: true)
    }

    private func add(_ household: consuming Household, keepingID: Bool, validated: Bool) throws {
        // Handed through, not captured: a captured household would be copied.
        try failing(household) { household in try addUnchecked(household, keepingID: keepingID, validated: validated) }
    }

    /// Runs `body` on `value` unless the load failed before, and remembers its error as the
    /// load's failure.
    private func failing<Value>(_ value: consuming Value, _ body: (consuming Value) throws -> Void) throws {
        if let failure { throw failure }
        do { try body(value) } catch {
            failure = error
            throw error
        }
    }

    private func addUnchecked(_ household: consuming Household, keepingID: Bool, validated: Bool) throws {
        if keepingID {
            guard household.id != nil else {
                throw LumbungError(.householdInvalid, field: "id", rule: "an insert that keeps its id needs one")
            }
            try queueNew(household, validated: validated)
        } else if household.id != nil {
            // A replace checks and updates indexes in place, so what is collected goes first.
            try flushDeferred()
            record(try transaction.put(household, nikPolicy: nikPolicy).outcome)
        } else {
            try queueNew(household, validated: validated)
        }
    }

    /// A new household (an id here means "keep it") goes to the parallel insert path.
    private func queueNew(_ household: consuming Household, validated: Bool) throws {
        if needsDictionary {
            pending.append(validated ? household : try household.validated(policy: nikPolicy))
            if pending.count >= Self.trainingSample { try flushPending() }
        } else {
            // Stamped here, where the household is this loader's own, so the workers read it in place.
            if household.id == nil || household.updatedAt == nil { household.updatedAt = time }
            chunk.append(household)
            chunkValidated.append(validated)
            if chunk.count == Self.chunkSize { try flushChunk() }
        }
    }

    /// New households wait here so validation, encoding, compression and hashing run on every
    /// core, while the LMDB writes stay on this thread.
    private var chunk: [Household] = []
    /// Whether each household of `chunk` came validated (``add(validated:keepingID:)``).
    private var chunkValidated: [Bool] = []
    static let chunkSize = 4096

    private struct Prepared {
        /// The household as validation stored it, when the loader validated it; nil for one that
        /// came validated (the chunk's own is written).
        var stored: Household?
        var sealed: [UInt8]
        var digest: [UInt8]
        /// What the household adds to the counters and indexes (its id aside), worked out here
        /// rather than on the writing thread, the load's serial stage.
        var contribution: Contribution
    }

    /// A chunk's households, shared with the workers that prepare them by this box rather than by
    /// the array: each worker holds the array only while it runs, so once they are done the
    /// writer owns it alone and moves the households out (a worker's closure, released some time
    /// after, would otherwise make that a copy). Read by the workers, then by the writer after
    /// ``Parallel/Pending/wait()``, never at once.
    private final class ChunkHouseholds: @unchecked Sendable {
        var households: [Household]
        init(_ households: [Household]) { self.households = households }
    }

    /// A chunk being prepared on other threads while this one writes the previous chunk.
    private var inFlight: (chunk: ChunkHouseholds, pending: Parallel.Pending, results: Locked<[Result<Prepared, any Error>?]>, counters: Locked<CounterDeltas>)?

    private func flushChunk() throws {
        guard !chunk.isEmpty else { return }
        // A load that fills chunks holds entries up to its limit: room for them at once, rather
        // than arrays copied as they double (untouched room takes no memory).
        if !deferredReserved && chunk.count == Self.chunkSize {
            deferred.reserve(checksStore ? laterDeferredLimit : deferredLimit)
            deferredReserved = true
        }
        let households = ChunkHouseholds(chunk)
        chunk = []
        let next = prepare(households, validated: chunkValidated)
        chunk.reserveCapacity(Self.chunkSize)
        chunkValidated.removeAll(keepingCapacity: true)
        do {
            try drainInFlight()
        } catch {
            next.pending.wait()
            throw error
        }
        inFlight = (households, next.pending, next.results, next.counters)
    }

    /// Waits for the chunk in flight and writes it, in order.
    private func drainInFlight() throws {
        guard let current = inFlight.take() else { return }
        current.pending.wait()
        // Taken out of the lock, not copied: a copy would retain every household once more.
        var results = current.results.withLock { results in
            let taken = results
            results = []
            return taken
        }
        // Moved out of the box and written in place (given its id there): a household is neither
        // copied, its fields retained once more, nor moved.
        var households = current.chunk.households
        current.chunk.households = []
        for index in households.indices {
            // Taken, not copied: a copy retains its arrays once more.
            let prepared = try results[index].take()!.get()
            if let stored = prepared.stored { households[index] = stored }
            try write(&households[index], sealed: prepared.sealed, digest: prepared.digest, contribution: prepared.contribution)
        }
        // The workers summed the chunk's counters: one merge here, not a bump per household and value.
        transaction.counters.add(current.counters.withLock { $0 })
        // Freed on the pool: deallocating a chunk's households and their sealed records took
        // about 8% of this thread, the load's serial stage.
        Parallel.release((consume households, consume results))
    }

    /// Starts validating (those not `validated`), encoding, compressing and hashing `households`
    /// on every core.
    private func prepare(_ chunk: ChunkHouseholds, validated: [Bool]) -> (pending: Parallel.Pending, results: Locked<[Result<Prepared, any Error>?]>, counters: Locked<CounterDeltas>) {
        let dictionaryID = try? transaction.dictionaryID()
        let compressor = transaction.environment.compressor
        let hashes = !entriesFromRecords
        let policy = nikPolicy
        let results = Locked([Result<Prepared, any Error>?](repeating: nil, count: chunk.households.count))
        let counters = Locked(CounterDeltas())
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        // One task per worker, none of which waits for another.
        let pending = Parallel.start(workers) { worker in
            let households = chunk.households  // released when this worker returns
            var local: [(Int, Result<Prepared, any Error>)] = []
            var localCounters = CounterDeltas()
            local.reserveCapacity(households.count / workers + 1)
            var index = worker
            while index < households.count {
                local.append((index, Result {
                    // Read in place: a household that came validated is not copied.
                    let stored = validated[index] ? nil : try households[index].validated(policy: policy)
                    var writer = ByteWriter()
                    if let stored { RecordCodec.encode(stored, into: &writer) } else { RecordCodec.encode(households[index], into: &writer) }
                    let sealed = try compressor.seal(writer.bytes, dictionaryID: dictionaryID ?? nil)
                    let contribution = if let stored { Contribution(stored) } else { Contribution(households[index]) }
                    localCounters.add(contribution, sign: 1)
                    let digest = hashes ? JournalEntry.digest(of: writer.bytes) : []
                    return Prepared(stored: stored, sealed: sealed, digest: digest, contribution: contribution)
                }))
                index += workers
            }
            results.withLock { all in for (index, result) in local { all[index] = result } }
            counters.withLock { $0.add(localCounters) }
        }
        return (pending, results, counters)
    }

    private func insert(_ validated: Household) throws {
        var household = validated
        if household.id == nil || household.updatedAt == nil { household.updatedAt = time }
        var writer = ByteWriter()
        RecordCodec.encode(household, into: &writer)
        let sealed = try transaction.environment.compressor.seal(writer.bytes, dictionaryID: try transaction.dictionaryID())
        let contribution = Contribution(household)
        try write(&household, sealed: sealed, digest: entriesFromRecords ? [] : JournalEntry.digest(of: writer.bytes), contribution: contribution)
        transaction.counters.add(contribution, sign: 1)
    }

    /// Whether the load's journal entries leave their digest and desa to the records they insert
    /// (``JournalEntry/fromRecord``, format 3): no SHA-256 a household, and 23 bytes less.
    private var entriesFromRecords: Bool { transaction.dbs.writesFormat3 }

    /// Writes a prepared household, giving it its id when it has none. Its counters are the
    /// caller's to add.
    private func write(_ household: inout Household, sealed: [UInt8], digest: [UInt8], contribution: Contribution) throws {
        if checksStore && !(beganEmpty && producerChecksUniqueness) { try transaction.checkUnique(household) }
        var append = true
        if let kept = household.id {
            append = try transaction.claim(kept)
        } else {
            household.id = try transaction.allocateID()
        }
        try records.put(Keys.record(household.id!), sealed, flags: append ? UInt32(MDB_APPEND) : 0)
        deferred.add(household, contribution)
        // Memory stays bounded however big the load: past the limit the collected entries are
        // written (sorted, no longer appended) and later households are checked against them.
        if deferred.households >= (checksStore ? laterDeferredLimit : deferredLimit) {
            try deferred.flush(into: transaction.txn, dbs: transaction.dbs)
            checksStore = true
            deferredReserved = false
        }
        let sequence = try transaction.appendJournal(
            action: .insert, id: household.id!, digest: digest, wilayah: entriesFromRecords ? [] : [household.wilayah],
            fromRecord: entriesFromRecords, indexLater: true)
        try deferred.addJournal(household.id!, sequence)
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
                copy.updatedAt = time
                var writer = ByteWriter()
                RecordCodec.encode(copy, into: &writer)
                return writer.bytes
            }
            try transaction.installDictionary(trainedFrom: samples)
        }
        let held = pending
        pending = []
        for household in held { try insert(household) }
    }

    private func flushDeferred() throws {
        try flushPending()
        try flushChunk()
        try drainInFlight()
        try deferred.flush(into: transaction.txn, dbs: transaction.dbs)
    }

    /// Journals this load as an admin's import of a legacy register (statuses taken as loaded).
    public func recordRegisterImport(_ description: String) throws {
        try transaction.recordRegisterImport(description)
    }

    /// Ends the load: writes held-back households and the collected index entries.
    func finish() throws {
        try failing(()) { _ in try flushDeferred() }
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
        try bulkLoad(actor: actor, nikPolicy: nikPolicy, deferredLimit: BulkLoader.deferredLimit, produce)
    }

    /// ``bulkLoad(actor:nikPolicy:_:)`` holding the index entries of at most `deferredLimit`
    /// households at a time, and of `laterDeferredLimit` (when given) once the store's indexes
    /// hold entries: less memory, more (smaller) writes of them. An import, which holds the file's
    /// checks beside them, uses a smaller later limit; tests load past it with a tiny one.
    public func bulkLoad(
        actor: String?, nikPolicy: NIKPolicy, deferredLimit: Int, laterDeferredLimit: Int? = nil, _ produce: (BulkLoader) throws -> Void
    ) throws -> BulkLoadSummary {
        try write(actor: actor) { tx in
            let loader = try BulkLoader(transaction: tx, nikPolicy: nikPolicy, deferredLimit: deferredLimit, laterDeferredLimit: laterDeferredLimit)
            try produce(loader)
            try loader.finish()
            return loader.summary
        }
    }
}
