import CLMDB
import Foundation


/// The LMDB environment behind a store: one per store directory per process.
///
/// It owns the named databases, the map-growth protocol and the pools of read transactions.
/// Stores opened on the same directory (however its path is spelled) share one environment,
/// found by the directory's device and inode.
final class Environment: @unchecked Sendable {
    struct Identity: Hashable { let device: UInt64, inode: UInt64 }

    struct Databases {
        var meta: MDB_dbi = 0
        var records: MDB_dbi = 0
        var nik: MDB_dbi = 0
        var kk: MDB_dbi = 0
        /// How `nik` and `kk` lay out their entries: the store's format's (``UniqueLayout/of(format:)``).
        var unique = UniqueLayout.regionKeys
        /// The store's format (``Environment/formatVersion`` or older), which says what writes may
        /// use: format 3's encodings (``writesFormat3``).
        var format = Environment.formatVersion
        /// Whether writes use format 3's encodings; a store of format 1 keeps writing format 1's.
        var writesFormat3: Bool { format >= 3 }
        /// The secondary indexes a store opened read-only lacks (it predates them), by raw value bit:
        /// empty, so a scan of one finds nothing.
        var absentIndexes: UInt64 = 0
        /// The secondary indexes, by ``IndexDimension`` raw value.
        var secondary = [MDB_dbi](repeating: 0, count: Int(IndexDimension.allCases.map(\.rawValue).max()!) + 1)
        var counters: MDB_dbi = 0
        var journal: MDB_dbi = 0
        /// The journal by household (``JournalIndex``); nil in a store opened read-only that
        /// predates it.
        var journalIndex: MDB_dbi?
        /// Access tokens; nil in a store opened read-only that predates them.
        var tokens: MDB_dbi?
        /// Source id → household id (``Keys/sourceID(_:)``); nil in a store opened read-only
        /// that predates it (no household there has a source id).
        var source: MDB_dbi?
        /// Each household's desil by ranking version (``DesilHistory``); nil in a store opened
        /// read-only that predates it.
        var desilHistory: MDB_dbi?
        /// Change requests by id (``Keys/request(_:)``), and their index (``RequestIndexKey``);
        /// nil in a store opened read-only that predates them (it holds no request).
        var requests: MDB_dbi?
        var requestIndex: MDB_dbi?
        /// Evidence references, digest + referrer (``EvidenceReferenceKey``); nil in a store
        /// opened read-only that predates them (it references nothing).
        var evidence: MDB_dbi?
    }

    /// Named databases an environment may open (households, indexes, tokens, requests, evidence
    /// references, …: LMDB's `maxdbs`; raising it changes no file).
    static let maxDatabases: MDB_dbi = 32

    /// The on-disk format this build writes (and the newest it reads).
    /// - Format 2 changed the unique indexes' layout (``UniqueLayout``): a store of format 1
    ///   keeps its layout (and writes format 1), but for an empty one opened writable.
    /// - Format 3 added encodings only: records as bare zstd blocks (``Compressor/Form/block``),
    ///   bulk-loaded inserts whose digest and desa are read from the record
    ///   (``JournalEntry/fromRecord``), and a desa equal to the entry's before written once. A
    ///   store of format 2 opened writable becomes format 3,
    ///   full or empty: what it holds stays readable, and older Lumbungs refuse it.
    static let formatVersion: UInt32 = 3

    let handle: OpaquePointer
    let path: String
    let identity: Identity
    let readOnly: Bool
    let maxMapSize: Int
    private(set) var dbs = Databases()
    let compressor = Compressor()
    /// Desa member tallies kept for a store generation (``MemberTally``), up to 512 Ki households.
    let memberTallies = GenerationCache<MemberTally.Key, MemberTally.Tallies>(limit: 1 << 19)
    /// Each desa's households kept for a store generation (``DesaHouseholds``), up to 2 Mi households.
    let desaHouseholds = GenerationCache<UInt64, DesaHouseholds>(limit: 1 << 21)
    /// Each kecamatan's households whose KK was issued elsewhere, kept for a store generation
    /// (``ReadTransaction/keptStrays(_:generation:)``), up to 1 Mi of them.
    let kkStrays = GenerationCache<UInt64, [(kk: UInt64, id: UInt64)]>(limit: 1 << 20)

    /// Readers hold it shared; growing the map holds it exclusive (LMDB remaps the file).
    private let mapLock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    /// Serializes writers inside this process (LMDB's own lock serializes across processes).
    private let writerLock = NSLock()
    private let readPool = Locked<[OpaquePointer]>([])

    /// Open environments by file identity. Guarded by `registryLock`, which is recursive because
    /// an environment that fails to open is deinitialized while the lock is held.
    nonisolated(unsafe) private static var registry: [Identity: WeakEnvironment] = [:]
    private static let registryLock = NSRecursiveLock()
    private struct WeakEnvironment { weak var environment: Environment? }

    // MARK: Opening

    /// Opens (or shares) the environment for a store directory.
    static func open(path: String, options: Store.Options) throws -> Environment {
        try Store.checkPath(path)
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if !manager.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard options.create, !options.readOnly else {
                throw LumbungError(.storeNotFound, value: path, rule: "no store at this path (create it with `lumbung init`)")
            }
            do {
                try manager.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                throw LumbungError(.storeIO, value: path, rule: "cannot create the store directory: \(error)")
            }
        } else if !isDirectory.boolValue {
            throw LumbungError(.storeNotAStore, value: path, rule: "a store is a directory, this is a file")
        }
        var options = options
        if SnapshotDirectory.contains(url.path) {
            guard options.readOnly else { throw SnapshotDirectory.frozenError(path) }
            // Nothing ever writes a snapshot, so reading needs no lock file (and adds none to it).
            options.withoutLocking = true
        }
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            throw LumbungError(.storeIO, value: path, rule: "cannot stat the store directory: \(String(cString: strerror(errno)))")
        }
        let identity = Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))

        registryLock.lock()
        defer { registryLock.unlock() }
        if let existing = registry[identity]?.environment {
            if existing.readOnly && !options.readOnly {
                throw LumbungError(
                    .storeAlreadyOpen, value: path,
                    rule: "this process already has the store open read-only; close it before opening it for writing")
            }
            return existing
        }
        try StorePermissions.check(directory: url.path, options: options)
        let environment: Environment
        do {
            environment = try Environment(path: url.path, identity: identity, options: options)
        } catch {
            throw StorageFull.refine(error, path: url.path)
        }
        registry[identity] = WeakEnvironment(environment: environment)
        return environment
    }

    /// Runs `body` while this process has no environment open on the store at `path`, and none
    /// can open meanwhile (used to swap the store's file: compaction, restore).
    static func withNoneOpen<R>(path: String, _ body: () throws -> R) throws -> R {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw LumbungError(.storeNotFound, value: path, rule: "no store at this path")
        }
        let identity = Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        registryLock.lock()
        defer { registryLock.unlock() }
        if registry[identity]?.environment != nil {
            throw LumbungError(
                .storeAlreadyOpen, value: path,
                rule: "this process has the store open; close every Store on it first")
        }
        return try body()
    }

    private init(path: String, identity: Identity, options: Store.Options) throws {
        self.path = path
        self.identity = identity
        self.readOnly = options.readOnly
        self.maxMapSize = options.maxMapSize
        pthread_rwlock_init(mapLock, nil)

        var env: OpaquePointer?
        try LMDB.check(mdb_env_create(&env), "mdb_env_create")
        handle = env!
        do {
            try LMDB.check(mdb_env_set_maxdbs(handle, Self.maxDatabases), "maxdbs")
            try LMDB.check(mdb_env_set_maxreaders(handle, 510), "maxreaders")
            try LMDB.check(mdb_env_set_mapsize(handle, options.mapSize), "mapsize")
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if options.withoutLocking { flags |= UInt32(MDB_NOLOCK) }
            try LMDB.check(mdb_env_open(handle, path, flags, 0o644), path)
            var dead: Int32 = 0
            mdb_reader_check(handle, &dead)
            // Adopt a larger map another process may have set.
            try LMDB.check(mdb_env_set_mapsize(handle, 0), "mapsize")
            try openDatabasesGrowingMap()
        }
        // On a throw, deinit closes the environment (the object is fully initialized by then).
    }

    deinit {
        // Close under the registry lock, so no second environment opens on this file meanwhile
        // (closing a descriptor drops the process's POSIX locks on the file).
        Self.registryLock.lock()
        readPool.withLock { pool in pool.forEach { mdb_txn_abort($0) } }
        mdb_env_close(handle)
        if Self.registry[identity]?.environment == nil { Self.registry[identity] = nil }
        Self.registryLock.unlock()
        pthread_rwlock_destroy(mapLock)
        mapLock.deallocate()
    }

    /// ``openDatabases()``, again with a larger map when building an index on open filled it.
    private func openDatabasesGrowingMap() throws {
        while true {
            do {
                return try openDatabases()
            } catch let error as LumbungError where error.code == .storeMapFull && !readOnly {
                try growMap()
            }
        }
    }

    private func openDatabases() throws {
        let create = readOnly ? 0 : UInt32(MDB_CREATE)
        let dupFixed = UInt32(MDB_DUPSORT | MDB_DUPFIXED)
        var dbi: MDB_dbi = 0
        let body: (Txn) throws -> Void = { txn in
            func open(_ name: String, _ flags: UInt32) throws -> MDB_dbi {
                var dbi: MDB_dbi = 0
                let rc = mdb_dbi_open(txn.handle, name, flags | create, &dbi)
                if rc == MDB_NOTFOUND {
                    throw LumbungError(.storeNotAStore, value: self.path, rule: "the store has no '\(name)' database; is it a Lumbung store?")
                }
                try LMDB.check(rc, "open \(name)")
                return dbi
            }
            self.dbs.meta = try open("meta", 0)
            self.dbs.records = try open("households", 0)
            self.dbs.nik = try open("idx.nik", dupFixed)
            self.dbs.kk = try open("idx.kk", dupFixed)
            var buildMembers = false
            for dimension in IndexDimension.allCases {
                // A store an older binary wrote lacks a newer index; read-only, it holds nothing.
                let absent = mdb_dbi_open(txn.handle, dimension.databaseName, dupFixed, &dbi) == MDB_NOTFOUND
                if self.readOnly && absent {
                    self.dbs.absentIndexes |= 1 << UInt64(dimension.rawValue)
                    continue
                }
                // The member index holds what old records already imply: built when created.
                if absent && dimension == .member { buildMembers = true }
                self.dbs.secondary[Int(dimension.rawValue)] = try open(dimension.databaseName, dupFixed)
            }
            self.dbs.counters = try open("counters", 0)
            self.dbs.journal = try open("journal", 0)
            if !self.readOnly || mdb_dbi_open(txn.handle, Keys.journalIndexName, dupFixed, &dbi) == 0 {
                self.dbs.journalIndex = try open(Keys.journalIndexName, dupFixed)
            }
            if !self.readOnly || mdb_dbi_open(txn.handle, "tokens", 0, &dbi) == 0 {
                self.dbs.tokens = try open("tokens", 0)
            }
            if !self.readOnly || mdb_dbi_open(txn.handle, Keys.sourceIndexName, 0, &dbi) == 0 {
                self.dbs.source = try open(Keys.sourceIndexName, 0)
            }
            if !self.readOnly || mdb_dbi_open(txn.handle, DesilHistory.databaseName, 0, &dbi) == 0 {
                self.dbs.desilHistory = try open(DesilHistory.databaseName, 0)
            }
            if !self.readOnly || mdb_dbi_open(txn.handle, Keys.requestsName, 0, &dbi) == 0 {
                self.dbs.requests = try open(Keys.requestsName, 0)
                self.dbs.requestIndex = try open(Keys.requestIndexName, dupFixed)
            }
            if !self.readOnly || mdb_dbi_open(txn.handle, EvidenceReferenceKey.databaseName, 0, &dbi) == 0 {
                self.dbs.evidence = try open(EvidenceReferenceKey.databaseName, 0)
            }
            try self.checkFormat(txn)
            try self.loadDictionaries(txn)
            if buildMembers { try Self.buildMemberIndex(txn, dbs: self.dbs, compressor: self.compressor) }
            // Journal entries written before the household index, or since by a Lumbung without it.
            if !self.readOnly {
                try JournalIndex.catchUp(txn, dbs: self.dbs, spillTo: [self.path, ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"])
            }
        }
        var raw: OpaquePointer?
        try LMDB.check(mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &raw), "begin")
        do {
            try body(Txn(handle: raw!))
            try LMDB.check(mdb_txn_commit(raw), "commit")
        } catch {
            mdb_txn_abort(raw)
            throw error
        }
    }

    private func checkFormat(_ txn: Txn) throws {
        if let stored = try txn.get(dbs.meta, MetaKey.format) {
            var version = UInt32(Keys.read(stored.buffer, width: 4))
            if version > Self.formatVersion {
                throw LumbungError(
                    .storeNewerFormat, value: path,
                    rule: "the store is format \(version); this Lumbung reads up to format \(Self.formatVersion). Upgrade Lumbung")
            }
            if try version < Self.formatVersion && !readOnly
                && (version >= 2 || txn.entryCount(dbs.nik) == 0 && txn.entryCount(dbs.kk) == 0) {
                version = Self.formatVersion
                try txn.put(dbs.meta, MetaKey.format, Keys.be(UInt64(version), width: 4))
            }
            dbs.format = version
            dbs.unique = UniqueLayout.of(format: version)
            compressor.form = dbs.writesFormat3 ? .block : .frame
        } else if try txn.entryCount(dbs.records) > 0 {
            throw LumbungError(.storeNotAStore, value: path, rule: "records without a format version")
        } else if !readOnly {
            try txn.put(dbs.meta, MetaKey.format, Keys.be(UInt64(Self.formatVersion), width: 4))
            try txn.put(dbs.meta, MetaKey.created, Keys.be(UInt64(Date().timeIntervalSince1970), width: 8))
        }
    }

    /// Registers every stored dictionary with the compressor (they are immutable once written).
    func loadDictionaries(_ txn: Txn) throws {
        let cursor = try txn.cursor(dbs.meta)
        var found = try cursor.seek(MetaKey.dictionaryPrefix)
        while found {
            let key = cursor.keyBytes
            guard key.starts(with: MetaKey.dictionaryPrefix), key.count == MetaKey.dictionaryPrefix.count + 4 else { break }
            let id = UInt32(Keys.read(key, at: MetaKey.dictionaryPrefix.count, width: 4))
            try compressor.register(id, bytes: cursor.valueBytes)
            found = try cursor.move(MDB_NEXT)
        }
    }

    // MARK: Transactions

    /// Runs `body` in a short read transaction (pooled and renewed, never long-lived).
    func withRead<R>(_ body: (Txn) throws -> R) throws -> R {
        let held = ThreadHolds.slot(for: self)
        while true {
            pthread_rwlock_rdlock(mapLock)
            var txn = readPool.withLock { $0.popLast() }
            var rc: Int32
            if let pooled = txn {
                rc = mdb_txn_renew(pooled)
                if rc != 0 { mdb_txn_abort(pooled); txn = nil }
            } else {
                rc = mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &txn)
            }
            if rc == MDB_MAP_RESIZED {
                pthread_rwlock_unlock(mapLock)
                // Adopting the new size waits for every reader; an outer transaction on this
                // thread would be waited for forever.
                if let held, held.pointee.reads > 0 || held.pointee.writing { throw Reentrancy.readWhileMapGrows.error(path) }
                try adoptResizedMap()
                continue
            }
            guard rc == 0, let active = txn else {
                pthread_rwlock_unlock(mapLock)
                throw LMDB.error(rc, "begin read")
            }
            held?.pointee.reads += 1
            defer {
                held?.pointee.reads -= 1
                mdb_txn_reset(active)
                let kept = readPool.withLock { pool -> Bool in
                    guard pool.count < 32 else { return false }
                    pool.append(active)
                    return true
                }
                if !kept { mdb_txn_abort(active) }
                pthread_rwlock_unlock(mapLock)
            }
            return try body(Txn(handle: active))
        }
    }

    /// Runs `body` in a write transaction and commits it. On MDB_MAP_FULL the transaction is
    /// aborted, the map grows with no transaction open, and `body` runs again from the start.
    /// A full disk throws `store.full` (the transaction is rolled back, the store unchanged).
    func withWrite<R>(_ body: (Txn) throws -> R) throws -> R {
        do {
            return try writeGrowingMap(body)
        } catch {
            throw StorageFull.refine(error, path: path)
        }
    }

    private func writeGrowingMap<R>(_ body: (Txn) throws -> R) throws -> R {
        guard !readOnly else {
            throw LumbungError(.storeReadOnly, value: path, rule: "the store was opened read-only")
        }
        let held = try refuseNestedWrite()
        held?.pointee.writing = true
        defer { held?.pointee.writing = false }
        writerLock.lock()
        defer { writerLock.unlock() }
        while true {
            var raw: OpaquePointer?
            let rc = mdb_txn_begin(handle, nil, 0, &raw)
            if rc == MDB_MAP_RESIZED {
                try adoptResizedMap()
                continue
            }
            try LMDB.check(rc, "begin write")
            let txn = raw!
            let result: R
            do {
                result = try body(Txn(handle: txn))
            } catch let error as LumbungError where error.code == .storeMapFull {
                mdb_txn_abort(txn)
                try growMap()
                mapFullReruns += 1
                continue
            } catch {
                mdb_txn_abort(txn)
                throw error
            }
            // mdb_txn_commit frees the transaction whether or not it succeeds.
            let commit = mdb_txn_commit(txn)
            if commit == MDB_MAP_FULL {
                try growMap()
                mapFullReruns += 1
                continue
            }
            try LMDB.check(commit, "commit")
            return result
        }
    }

    /// How many writes in this process filled the map and ran again from the start (counted
    /// under `writerLock`): tests tell a reserved map from one filled halfway.
    private(set) var mapFullReruns = 0

    /// This thread's holds, once it is known to be in no transaction of this environment: a
    /// second write on this thread would wait for itself on `writerLock`, and a write (or a map
    /// growth) inside a read would wait for itself on `mapLock`.
    private func refuseNestedWrite() throws -> UnsafeMutablePointer<ThreadHolds.Entry>? {
        let held = ThreadHolds.slot(for: self)
        if let held {
            if held.pointee.writing { throw Reentrancy.writeInWrite.error(path) }
            if held.pointee.reads > 0 { throw Reentrancy.writeInRead.error(path) }
        }
        return held
    }

    /// Grows the map, before a long write, to hold at least `bytes` more than the pages in use,
    /// so the write does not fill it and run again from the start (at 10M households that rerun
    /// cost a sixth of an import). The map is address space, not disk: reserving more is free.
    func reserve(_ bytes: Int) throws {
        _ = try refuseNestedWrite()
        writerLock.lock()
        defer { writerLock.unlock() }
        let info = self.info
        let needed = (info.me_last_pgno + 1) * pageSize + bytes
        guard needed > info.me_mapsize, info.me_mapsize < maxMapSize else { return }
        try growMap(atLeast: needed)
    }

    /// Doubles the map, or grows it to `needed` when that is more (the caller holds no
    /// transaction, and holds `writerLock`).
    private func growMap(atLeast needed: Int = 0) throws {
        pthread_rwlock_wrlock(mapLock)
        defer { pthread_rwlock_unlock(mapLock) }
        let current = mapSize
        guard current < maxMapSize else {
            throw LumbungError(
                .storeMapFull, value: path,
                rule: "the map reached its limit of \(maxMapSize >> 20) MiB (Store.Options.maxMapSize)")
        }
        let step = 64 << 20
        let next = min(maxMapSize, max(current * 2, current + step, (needed + step - 1) / step * step))
        try LMDB.check(mdb_env_set_mapsize(handle, next), "grow map")
        Store.logger.info("map grown", metadata: ["store": "\(path)", "from": "\(current)", "to": "\(next)"])
    }

    /// Runs `body` while the map cannot grow in this process (for LMDB calls that read the map
    /// outside ``withRead(_:)``, such as `mdb_env_copy2`).
    func withStableMap<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_rdlock(mapLock)
        defer { pthread_rwlock_unlock(mapLock) }
        return try body()
    }

    /// Another process grew the map: adopt its size.
    private func adoptResizedMap() throws {
        pthread_rwlock_wrlock(mapLock)
        defer { pthread_rwlock_unlock(mapLock) }
        try LMDB.check(mdb_env_set_mapsize(handle, 0), "adopt map size")
    }

    var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info.me_mapsize
    }

    var info: MDB_envinfo {
        var info = MDB_envinfo()
        mdb_env_info(handle, &info)
        return info
    }

    var pageSize: Int {
        var stat = MDB_stat()
        mdb_env_stat(handle, &stat)
        return Int(stat.ms_psize)
    }

    /// The bytes of the pages in use: what a compacted copy needs at most.
    var usedBytes: Int { (info.me_last_pgno + 1) * pageSize }
}

/// Calls that would wait for the calling thread itself: each is refused with `store.reentrant`.
enum Reentrancy {
    case writeInWrite, writeInRead, readWhileMapGrows

    func error(_ path: String) -> LumbungError {
        let rule = switch self {
        case .writeInWrite:
            "a write started inside a write transaction's body on the same thread would wait for itself; do the work in the outer body with its transaction (it reads too)"
        case .writeInRead:
            "a write started inside a read transaction's body on the same thread would wait for itself when the map grows; return from the read first, or read inside the write"
        case .readWhileMapGrows:
            "another process grew the map while this thread holds a transaction; a read inside another transaction's body cannot adopt it: return from the outer transaction first and retry"
        }
        return LumbungError(.storeReentrant, value: path, rule: rule)
    }
}

/// What the current thread holds in each environment: its open reads and whether a write body
/// runs. A small table per thread, behind one pthread key, so checking costs no allocation.
enum ThreadHolds {
    struct Entry {
        /// The environment's address; nil for a free entry.
        var environment: UnsafeMutableRawPointer?
        var reads = 0
        var writing = false
        var idle: Bool { reads == 0 && !writing }
    }

    /// Environments one thread may use at once with checks (beyond, calls go unchecked).
    static let capacity = 8

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { table in table?.deallocate() }
        return key
    }()

    /// This thread's entry for `environment`, made if absent; nil when the thread's table is full.
    @inline(__always)
    static func slot(for environment: Environment) -> UnsafeMutablePointer<Entry>? {
        let address = Unmanaged.passUnretained(environment).toOpaque()
        let table: UnsafeMutablePointer<Entry>
        if let existing = pthread_getspecific(key) {
            table = existing.assumingMemoryBound(to: Entry.self)
        } else {
            table = .allocate(capacity: capacity)
            table.initialize(repeating: Entry(), count: capacity)
            pthread_setspecific(key, table)
        }
        var free: UnsafeMutablePointer<Entry>?
        for index in 0..<capacity {
            let entry = table + index
            if entry.pointee.environment == address { return entry }
            if free == nil, entry.pointee.idle { free = entry }
        }
        // An idle entry may name an environment since freed (its address reused): only busy
        // entries are kept.
        free?.pointee = Entry(environment: address)
        return free
    }
}

/// Keys in the meta database.
enum MetaKey {
    static let format = Array("format".utf8)
    static let created = Array("created".utf8)
    static let nextID = Array("next_id".utf8)
    static let currentDictionary = Array("dict.current".utf8)
    static let dictionaryPrefix = Array("dict/".utf8)
    /// The next change request id (8 bytes).
    static let nextRequestID = Array("request.next_id".utf8)
    /// The day of the month a period closes on (1 byte; absent: ``CutoffDay/standard``).
    static let cutoffDay = Array("request.cutoff".utf8)
    /// The largest attachment the store accepts, in bytes (``EvidenceSizeLimit``).
    static let evidenceSizeLimit = Array("evidence.max_bytes".utf8)
    /// The last journal sequence the household index covers (8 bytes, ``JournalIndex``).
    static let journalIndexed = Array("journal.indexed".utf8)

    static func dictionary(_ id: UInt32) -> [UInt8] { dictionaryPrefix + Keys.be(UInt64(id), width: 4) }
    /// The decrees (SK) imported for a period (JSON, ``DecreeImport``).
    static func decree(_ period: Period) -> [UInt8] { Array("decree/\(period)".utf8) }
}
