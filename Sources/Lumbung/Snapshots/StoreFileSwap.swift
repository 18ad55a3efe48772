import CLMDB
import Foundation

/// Replaces a store's `data.mdb` with a prepared copy, safely against a crash at any point and
/// against other users of the store.
///
/// The swap runs only while no process has the store open: it holds LMDB's own lock-file lock
/// exclusively (a process opening the store meanwhile waits), and this process's environment
/// registry closed for the path. The copy is synced and renamed over `data.mdb` (atomic); the
/// lock file's header is invalidated first and rebuilt after, so no reader ever trusts the old
/// file's transaction ids against the new file.
enum StoreFileSwap {
    /// Runs `body` with the store at `path` closed to every process but this one, and this one
    /// holding no environment on it. `body` gets the directory's path.
    static func exclusively<R>(path: String, _ body: (String) throws -> R) throws -> R {
        let directory = URL(fileURLWithPath: path).standardizedFileURL.path
        let dataPath = (directory as NSString).appendingPathComponent(Snapshots.dataFile)
        guard FileManager.default.fileExists(atPath: dataPath) else {
            throw LumbungError(.storeNotFound, value: path, rule: "no store at this path (no data.mdb)")
        }
        return try Environment.withNoneOpen(path: directory) {
            let lockPath = (directory as NSString).appendingPathComponent("lock.mdb")
            let fd = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw LumbungError(.storeIO, value: lockPath, rule: "cannot open the lock file: \(String(cString: strerror(errno)))")
            }
            // LMDB holds a shared lock on byte 0 of lock.mdb while a process has the store open.
            var lock = flock()
            lock.l_type = Int16(F_WRLCK)
            lock.l_whence = Int16(SEEK_SET)
            lock.l_start = 0
            lock.l_len = 1
            if fcntl(fd, F_SETLK, &lock) != 0 {
                var holder = flock()
                holder.l_type = Int16(F_WRLCK)
                holder.l_whence = Int16(SEEK_SET)
                holder.l_len = 1
                let who = fcntl(fd, F_GETLK, &holder) == 0 && holder.l_type != Int16(F_UNLCK) ? " (process \(holder.l_pid))" : ""
                Glibc.close(fd)
                throw LumbungError(
                    .storeBusy, value: path,
                    rule: "another process has the store open\(who); stop it first, this needs the store to itself")
            }
            // Closing drops this process's locks on the file (and any LMDB took meanwhile).
            defer { Glibc.close(fd) }
            Self.lockFileDescriptor = fd
            defer { Self.lockFileDescriptor = -1 }
            return try body(directory)
        }
    }

    /// The lock file held by ``exclusively(path:_:)`` (one swap at a time: the registry lock).
    nonisolated(unsafe) private static var lockFileDescriptor: Int32 = -1

    /// Copies the LMDB environment at `source` (opened without its lock file, read-only) into
    /// `destination` as a compacted file.
    static func compactCopy(of source: String, to destination: String) throws {
        let store = try Store(path: source, options: Snapshots.snapshotOptions)
        try store.environment.withStableMap {
            try copy(store.environment, to: destination)
        }
    }

    /// `mdb_env_copy2` with compaction into the directory `destination`; a full disk throws
    /// `store.full` naming the copy and the size it needs (the pages in use).
    static func copy(_ environment: Environment, to destination: String) throws {
        do {
            try LMDB.check(mdb_env_copy2(environment.handle, destination, UInt32(MDB_CP_COMPACT)), "copy \(environment.path) to \(destination)")
        } catch {
            throw StorageFull.refine(error, path: destination, needed: environment.usedBytes)
        }
    }

    /// Renames `replacement` (a synced `data.mdb`) over the store's `data.mdb`, inside
    /// ``exclusively(path:_:)``.
    static func install(_ replacement: String, into directory: String) throws {
        let target = (directory as NSString).appendingPathComponent(Snapshots.dataFile)
        try Durable.sync(path: replacement)
        // A crash after the rename must not let a later opener trust the old file's txn ids.
        invalidateLockFile()
        try Durable.rename(replacement, to: target)
        try Durable.sync(path: directory)
        try rebuildLockFile(directory)
    }

    /// Zeroes the lock file's magic number: LMDB re-initializes it on the next exclusive open
    /// and refuses it (MDB_INVALID) for a shared one.
    private static func invalidateLockFile() {
        guard lockFileDescriptor >= 0 else { return }
        var zero: UInt32 = 0
        _ = pwrite(lockFileDescriptor, &zero, 4, 0)
        _ = fsync(lockFileDescriptor)
    }

    /// Opens the store once with LMDB's locking: as the only user it re-initializes the lock
    /// file from the new `data.mdb`, then hands the lock to processes waiting to open.
    private static func rebuildLockFile(_ directory: String) throws {
        var env: OpaquePointer?
        try LMDB.check(mdb_env_create(&env), "mdb_env_create")
        defer { mdb_env_close(env) }
        try LMDB.check(mdb_env_set_maxdbs(env, Environment.maxDatabases), "maxdbs")
        try LMDB.check(mdb_env_set_maxreaders(env, 510), "maxreaders")
        try LMDB.check(mdb_env_open(env, directory, UInt32(MDB_NOTLS), 0o644), directory)
    }

    /// A fresh scratch directory inside the store (same file system, so rename is atomic).
    static func scratch(_ directory: String, _ name: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        try? FileManager.default.removeItem(atPath: path)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw LumbungError(.storeIO, value: path, rule: "cannot create the scratch directory: \(error)")
        }
        return path
    }
}

// MARK: Compaction

extension Store {
    /// What ``compact(path:)`` did.
    public struct Compaction: Sendable, Hashable {
        public let bytesBefore: Int
        public let bytesAfter: Int
        public let households: Int
    }

    /// Compacts the store at `path` in place: LMDB files only grow, so this writes a compacted
    /// copy (no free pages) and renames it over `data.mdb`. A crash at any point leaves either
    /// the old file or the new one, whole.
    ///
    /// The store must be closed: no `Store` on it in this process (`store.alreadyOpen`) and no
    /// other process using it (`store.busy`).
    ///
    /// ```swift
    /// let result = try Store.compact(path: "/var/lib/lumbung/3216")
    /// print(result.bytesBefore, "→", result.bytesAfter)
    /// ```
    public static func compact(path: String) throws -> Compaction {
        try StoreFileSwap.exclusively(path: path) { directory in
            let dataPath = (directory as NSString).appendingPathComponent(Snapshots.dataFile)
            let before = Self.fileSize(dataPath)
            let scratch = try StoreFileSwap.scratch(directory, ".compact")
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let original = try Self.fingerprint(directory)
            try StoreFileSwap.compactCopy(of: directory, to: scratch)
            let copy = try Self.fingerprint(scratch)
            guard copy == original else {
                throw LumbungError(.storeIO, value: path, rule: "the compacted copy differs from the store (\(copy) vs \(original)); the store is unchanged")
            }
            let replacement = (scratch as NSString).appendingPathComponent(Snapshots.dataFile)
            try StoreFileSwap.install(replacement, into: directory)
            return Compaction(bytesBefore: before, bytesAfter: Self.fileSize(dataPath), households: copy.households)
        }
    }

    /// Households, the last journal sequence and the content digest of a store opened privately.
    private static func fingerprint(_ path: String) throws -> SnapshotContent {
        try Snapshots.content(ofCopyAt: path)
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}

// MARK: Restore

extension Snapshots {
    /// What ``restore(_:actor:)`` did.
    public struct Restore: Sendable, Hashable {
        /// The snapshot the store now equals.
        public let restored: SnapshotName
        /// The automatic snapshot of the state the restore replaced: restore it to undo.
        public let previousState: SnapshotName
        /// The journal entry that records the restore.
        public let journalSequence: UInt64
    }

    /// Makes the live store equal to a snapshot (disaster recovery).
    ///
    /// The snapshot is verified first. The current state is kept as an automatic snapshot
    /// (`auto-YYYYMMDDTHHMMSSZ`), so the restore can be undone by restoring that one. The store
    /// then holds the snapshot's records, indexes, counters and journal, plus one journal event
    /// naming the restore. The new file is swapped in atomically, like ``Store/compact(path:)``,
    /// and the store must be closed the same way.
    ///
    /// ```swift
    /// let result = try Snapshots(storePath: path).restore(try SnapshotName("2026-10"))
    /// // undo: try Snapshots(storePath: path).restore(result.previousState)
    /// ```
    public func restore(_ name: SnapshotName, actor: String = "lumbung", now: Date = Date()) throws -> Restore {
        guard store == nil else {
            throw LumbungError(.storeAlreadyOpen, value: storePath, rule: "restore works on a closed store: use Snapshots(storePath:)")
        }
        let verification = try verify(name)
        guard verification.isValid, let manifest = verification.manifest else {
            throw LumbungError(
                .snapshotCorrupt, field: "period", value: name.text,
                rule: "the snapshot does not verify, so it is not restored: " + verification.problems.joined(separator: "; "))
        }
        return try StoreFileSwap.exclusively(path: storePath) { directory in
            // 1. Keep the current state.
            var automatic = SnapshotName.automatic(at: now)
            var second = now
            while FileManager.default.fileExists(atPath: path(of: automatic)) {
                second += 1
                automatic = SnapshotName.automatic(at: second)
            }
            _ = try write(automatic, replacing: nil, from: try Store(path: directory, options: Snapshots.snapshotOptions))
            // 2. A private copy of the snapshot, with the restore journaled in it.
            let scratch = try StoreFileSwap.scratch(directory, ".restore")
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            try StoreFileSwap.compactCopy(of: path(of: name), to: scratch)
            var options = Store.Options()
            options.create = false
            options.withoutLocking = true
            // Tokens are access control, not register data: the restored store keeps today's.
            let tokens = try Store(path: path(of: automatic), options: Snapshots.snapshotOptions).read { tx in try tx.tokens() }
            let sequence = try Store(path: scratch, options: options).write(actor: actor) { tx in
                try tx.replaceTokens(with: tokens)
                try tx.recordEvent("restored snapshot \(name) (journal \(manifest.journalSequence), \(manifest.contentDigest)); the replaced state is snapshot \(automatic)")
                return try tx.lastSequence() + 1
            }
            // 3. Swap it in.
            try StoreFileSwap.install((scratch as NSString).appendingPathComponent(Snapshots.dataFile), into: directory)
            return Restore(restored: name, previousState: automatic, journalSequence: sequence)
        }
    }
}
