/// Loads many households in one transaction: all of them, or none if any fails.
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
    public private(set) var summary = BulkLoadSummary()

    static let trainingSample = 10_000

    init(transaction: WriteTransaction, nikPolicy: NIKPolicy) throws {
        self.transaction = transaction
        self.nikPolicy = nikPolicy
        self.needsDictionary = try transaction.dictionaryID() == nil
    }

    /// Inserts a household (no id) or replaces one (with id); validated like ``WriteTransaction/put(_:nikPolicy:)``.
    public func add(_ household: Household) throws {
        if needsDictionary {
            // Validate now so errors surface at the household that caused them.
            pending.append(try household.validated(policy: nikPolicy))
            if pending.count >= Self.trainingSample { try flushPending() }
            return
        }
        record(try transaction.put(household, nikPolicy: nikPolicy).outcome)
    }

    /// The transaction, for reads and other writes inside the load.
    public var tx: WriteTransaction { transaction }

    private func record(_ outcome: WriteTransaction.Outcome) {
        switch outcome {
        case .inserted: summary.inserted += 1
        case .updated: summary.updated += 1
        case .unchanged: summary.unchanged += 1
        }
    }

    /// Trains the first dictionary from the held-back households, then writes them.
    func flushPending() throws {
        guard needsDictionary else { return }
        needsDictionary = false
        if pending.count >= 64 {
            let samples = pending.map { household -> [UInt8] in
                var copy = household
                if copy.id == nil { copy.id = HouseholdID(rawValue: 1) }
                var writer = ByteWriter()
                RecordCodec.encode(copy, into: &writer)
                return writer.bytes
            }
            try transaction.installDictionary(trainedFrom: samples)
        }
        let held = pending
        pending = []
        for household in held { record(try transaction.put(household, nikPolicy: .keepFlagged).outcome) }
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
            try loader.flushPending()
            return loader.summary
        }
    }
}
