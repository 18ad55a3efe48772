import Foundation

/// Checks, before LMDB opens a store, that this process may use its files as the open needs, so
/// a refusal names the file and the permission missing instead of LMDB's bare "permission denied".
///
/// Reading a live store needs read permission on `data.mdb` and read-write permission on
/// `lock.mdb`: LMDB records every reader in the lock file, so that a writer does not reuse pages
/// a reader still sees. Reading without it (`MDB_NOLOCK`) would be safe only while no process
/// writes, which a reader cannot make sure of, so it is refused rather than risked. A snapshot
/// needs read permission only: nothing writes it, so it is read without the lock file.
enum StorePermissions {
    static let dataFile = "data.mdb"
    static let lockFile = "lock.mdb"

    static func check(directory: String, options: Store.Options) throws {
        let data = (directory as NSString).appendingPathComponent(dataFile)
        let lock = (directory as NSString).appendingPathComponent(lockFile)
        if exists(data) {
            try require(data, R_OK, "read", options)
            if !options.readOnly { try require(data, W_OK, "write", options) }
        } else if !options.readOnly {
            try require(directory, W_OK, "write in (to create \(dataFile))", options)
        }
        guard !options.withoutLocking else { return }
        if exists(lock) {
            try require(lock, R_OK | W_OK, "read and write", options)
        } else {
            try require(directory, W_OK, "write in (to create \(lockFile))", options)
        }
    }

    private static func require(_ path: String, _ mode: Int32, _ needed: String, _ options: Store.Options) throws {
        guard access(path, mode) != 0 else { return }
        // On a read-only file system LMDB reads without a lock file by itself (nothing can write).
        if errno == EROFS && options.readOnly { return }
        guard errno == EACCES else { return }
        let purpose = options.readOnly ? "reading" : "writing"
        throw LumbungError(
            .storePermission, value: path,
            rule: "user \(getuid()) may not \(needed) this file, which \(purpose) the store needs. "
                + "Reading a store needs read permission on \(dataFile) and read-write permission on \(lockFile) "
                + "(LMDB records every reader there); writing also needs write permission on \(dataFile). "
                + "Ask the store's owner to grant them (e.g. a shared group: chgrp, chmod g+rw), "
                + "or read a snapshot (--snapshot PERIOD), which needs read permission only")
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }
}
