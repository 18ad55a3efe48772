import Foundation
import Logging

/// A household store in one directory: an LMDB environment with records, indexes, counters and a
/// journal.
///
/// Access is closure-scoped, so transactions never escape:
///
/// ```swift
/// let store = try Store(path: "/var/lib/lumbung/3216")
/// let id = try store.write { tx in try tx.put(household) }
/// let found = try store.read { tx in try tx.household(nik: nik) }
/// ```
///
/// Many readers and one writer may use a store at once, across threads and processes. Writes are
/// durable on return. A failed write changes nothing.
///
/// From async code, `await` the same calls: the body runs on a thread the store owns (reads on a
/// concurrent queue, writes on one serial queue), so no task waits for LMDB, and a transaction
/// never spans an `await`:
///
/// ```swift
/// let found = try await store.read { tx in try tx.household(nik: nik) }
/// try await store.write(actor: "operator:2001") { tx in try tx.put(household) }
/// ```
///
/// Transactions do not nest: a write started inside a write's (or a read's) body on the same
/// thread would wait for itself, so it throws `store.reentrant` instead. Do the work with the
/// outer body's transaction.
public final class Store: Sendable {
    /// How to open a store.
    public struct Options: Sendable {
        /// Create the directory and databases if they do not exist.
        public var create = true
        /// Open for reading only (a snapshot, or a reader process).
        public var readOnly = false
        /// The initial map size. The map grows by doubling when full, up to ``maxMapSize``.
        public var mapSize = 4 << 30
        /// The most the map may grow to.
        public var maxMapSize = 1 << 40
        /// Who the journal names for writes that do not say.
        public var actor = "lumbung"
        /// Records stored before a compression dictionary is trained.
        public var dictionaryThreshold = 2_000
        /// Open without LMDB's lock file (`MDB_NOLOCK`): for files no other process writes, such
        /// as snapshots and the private copies a restore or compaction prepares.
        var withoutLocking = false

        public init() {}

        public static var readOnly: Options {
            var options = Options()
            options.readOnly = true
            options.create = false
            return options
        }
    }

    static let logger = Logger(label: "lumbung.store")

    let environment: Environment
    public let options: Options
    /// Where async reads run: many at once.
    private let readQueue = DispatchQueue(label: "lumbung.store.read", qos: .userInitiated, attributes: .concurrent)
    /// Where async writes run, one after another, so none waits for the writer lock.
    private let writeQueue = DispatchQueue(label: "lumbung.store.write", qos: .userInitiated)

    /// Opens the store at `path`, creating it unless the options say otherwise.
    public init(path: String, options: Options = Options()) throws {
        self.options = options
        self.environment = try Environment.open(path: path, options: options)
    }

    /// The store's directory.
    public var path: String { environment.path }

    /// Refuses an empty or blank store path (`store.path`): it would otherwise name the current
    /// directory, or an adapter's default, without anyone having chosen it.
    public static func checkPath(_ path: String) throws {
        guard !path.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw LumbungError(.storePath, field: "store", value: path, rule: "the store path must not be empty; name the store directory")
        }
    }

    /// Runs `body` in a read transaction: a consistent view of the store, kept short.
    public func read<R>(_ body: (ReadTransaction) throws -> R) throws -> R {
        try environment.withRead { txn in
            let tx = ReadTransaction(environment: environment, txn: txn)
            defer { tx.invalidate() }
            return try body(tx)
        }
    }

    /// Runs `body` in a write transaction and commits it; any error rolls everything back.
    ///
    /// If the map fills up, the transaction is rolled back, the map grows and `body` runs again,
    /// so `body` must not have side effects outside the transaction.
    @discardableResult
    public func write<R>(actor: String? = nil, _ body: (WriteTransaction) throws -> R) throws -> R {
        try environment.withWrite { txn in
            let tx = WriteTransaction(environment: environment, txn: txn, actor: actor ?? options.actor, dictionaryThreshold: options.dictionaryThreshold)
            defer { tx.invalidate() }
            let result = try body(tx)
            try tx.finish()
            return result
        }
    }

    // MARK: Async access

    /// Runs `body` in a read transaction on the store's concurrent read queue.
    ///
    /// ```swift
    /// let page = try await store.read { tx in try tx.find(query, after: nil, limit: 50) }
    /// ```
    public func read<R: Sendable>(_ body: @escaping @Sendable (ReadTransaction) throws -> R) async throws -> R {
        try await run { store in try store.read(body) }
    }

    /// Runs `body` in a write transaction on the store's serial write queue and commits it, as
    /// the synchronous `write` does (a map that fills up grows and `body` runs again).
    ///
    /// ```swift
    /// let id = try await store.write(actor: "operator:2001") { tx in try tx.put(household).id }
    /// ```
    @discardableResult
    public func write<R: Sendable>(actor: String? = nil, _ body: @escaping @Sendable (WriteTransaction) throws -> R) async throws -> R {
        try await Self.run(on: writeQueue) { [self] in try write(actor: actor, body) }
    }

    /// Runs `body`, blocking store work that is not one transaction (snapshot listings and
    /// diffs, file figures), on the store's read queue.
    ///
    /// ```swift
    /// let names = try await store.run { store in try store.snapshots.list() }
    /// ```
    public func run<R: Sendable>(_ body: @escaping @Sendable (Store) throws -> R) async throws -> R {
        try await Self.run(on: readQueue) { [self] in try body(self) }
    }

    private static func run<R: Sendable>(on queue: DispatchQueue, _ work: @escaping @Sendable () throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Grows the map, with no transaction open, so that a write expected to add about `bytes`
    /// does not fill it halfway and run again from the start (an import of millions of
    /// households into a large store). The map is address space, so over-reserving costs no
    /// disk; a write that still fills it grows it again as usual.
    ///
    /// ```swift
    /// try store.reserveSpace(4 << 30)     // before a bulk load expected to add about 3 GB
    /// ```
    /// - Throws: `store.reentrant` inside a read or write of this store. At
    ///   ``Options/maxMapSize`` it reserves what it can, and the write reports `store.mapFull`.
    public func reserveSpace(_ bytes: Int) throws {
        try environment.reserve(bytes)
    }

    /// File and map figures: what `stats` shows about the store itself.
    public func fileInfo() throws -> FileInfo {
        let info = environment.info
        let pageSize = environment.pageSize
        let dataFile = (path as NSString).appendingPathComponent("data.mdb")
        let attributes = try? FileManager.default.attributesOfItem(atPath: dataFile)
        let fileSize = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        let freePages = try read { tx in try tx.freePageCount() }
        return FileInfo(
            fileSize: fileSize, mapSize: info.me_mapsize, pageSize: pageSize,
            usedPages: info.me_last_pgno + 1, freePages: freePages)
    }

    public struct FileInfo: Sendable, Hashable {
        /// Bytes of `data.mdb`.
        public let fileSize: Int
        /// The current map size: how far the file may grow before the map must grow.
        public let mapSize: Int
        public let pageSize: Int
        /// Pages in use up to the highest one written.
        public let usedPages: Int
        /// Pages inside the file that are free for reuse.
        public let freePages: Int
        /// Bytes the file can still grow before the map must grow.
        public var mapHeadroom: Int { mapSize - usedPages * pageSize }
    }
}
