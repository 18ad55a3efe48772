import CLMDB
import Foundation

/// Thin, allocation-free helpers over the LMDB C API. Nothing here knows about households.
enum LMDB {
    /// Turns an LMDB return code into a ``LumbungError`` (MDB_MAP_FULL becomes `store.mapFull`,
    /// ENOSPC `store.full`).
    @inline(__always)
    static func check(_ rc: Int32, _ what: @autoclosure () -> String) throws {
        if rc != 0 { throw error(rc, what()) }
    }

    static func error(_ rc: Int32, _ what: String) -> LumbungError {
        let text = String(cString: mdb_strerror(rc))
        switch rc {
        case MDB_MAP_FULL:
            return LumbungError(.storeMapFull, value: what, rule: "the map is full: \(text)")
        case MDB_VERSION_MISMATCH, MDB_INVALID:
            return LumbungError(.storeNotAStore, value: what, rule: "not an LMDB store of this version: \(text)")
        case EACCES, EROFS:
            return LumbungError(.storeReadOnly, value: what, rule: "permission denied: \(text)")
        case ENOENT:
            return LumbungError(.storeNotFound, value: what, rule: "no store there: \(text)")
        case ENOSPC, EDQUOT:
            return LumbungError(.storeFull, value: what, rule: "the disk is full: \(text)")
        case EIO:
            // LMDB also answers a short write, as on a full disk, with EIO: StorageFull tells which.
            return LumbungError(.storeIO, value: what, rule: "LMDB error \(rc): \(text)")
        default:
            return LumbungError(.storeLMDB, value: what, rule: "LMDB error \(rc): \(text)")
        }
    }
}

/// A borrowed key or value: valid only until the transaction ends or the cursor moves.
struct Bytes {
    var val: MDB_val

    init(_ val: MDB_val) { self.val = val }

    var count: Int { val.mv_size }
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: val.mv_data, count: val.mv_size) }
    var array: [UInt8] { Array(buffer) }
}

/// Calls `body` with an MDB_val pointing at `bytes` (a stack copy for fixed-size keys).
@inline(__always)
func withVal<R>(_ bytes: [UInt8], _ body: (inout MDB_val) throws -> R) rethrows -> R {
    try bytes.withUnsafeBytes { raw in
        var val = MDB_val(mv_size: raw.count, mv_data: UnsafeMutableRawPointer(mutating: raw.baseAddress))
        return try body(&val)
    }
}

/// An open LMDB transaction. Not Sendable: it lives on the thread that began it.
struct Txn {
    let handle: OpaquePointer

    func get(_ dbi: MDB_dbi, _ key: [UInt8]) throws -> Bytes? {
        try withVal(key) { k in
            var v = MDB_val()
            let rc = mdb_get(handle, dbi, &k, &v)
            if rc == MDB_NOTFOUND { return nil }
            try LMDB.check(rc, "get")
            return Bytes(v)
        }
    }

    func put(_ dbi: MDB_dbi, _ key: [UInt8], _ value: [UInt8], flags: UInt32 = 0) throws {
        try withVal(key) { k in
            try withVal(value) { v in
                try LMDB.check(mdb_put(handle, dbi, &k, &v, flags), "put")
            }
        }
    }

    /// Puts a key and a value given as big-endian integers of the given widths (at most 8 bytes
    /// each), without allocating: for one entry at a time on a write path.
    @inline(__always)
    func put(_ dbi: MDB_dbi, key: UInt64, keyWidth: Int, value: UInt64, valueWidth: Int, flags: UInt32 = 0) throws {
        var keyBE = key.bigEndian, valueBE = value.bigEndian
        try withUnsafeMutableBytes(of: &keyBE) { k in
            try withUnsafeMutableBytes(of: &valueBE) { v in
                var kv = MDB_val(mv_size: keyWidth, mv_data: k.baseAddress! + (8 - keyWidth))
                var vv = MDB_val(mv_size: valueWidth, mv_data: v.baseAddress! + (8 - valueWidth))
                try LMDB.check(mdb_put(handle, dbi, &kv, &vv, flags), "put")
            }
        }
    }

    /// Deletes a key (or one duplicate when `value` is given); returns false if it was not there.
    @discardableResult
    func delete(_ dbi: MDB_dbi, _ key: [UInt8], _ value: [UInt8]? = nil) throws -> Bool {
        try withVal(key) { k in
            let rc: Int32
            if let value {
                rc = withVal(value) { v in mdb_del(handle, dbi, &k, &v) }
            } else {
                rc = mdb_del(handle, dbi, &k, nil)
            }
            if rc == MDB_NOTFOUND { return false }
            try LMDB.check(rc, "del")
            return true
        }
    }

    func cursor(_ dbi: MDB_dbi) throws -> Cursor {
        var cursor: OpaquePointer?
        try LMDB.check(mdb_cursor_open(handle, dbi, &cursor), "cursor")
        return Cursor(handle: cursor!)
    }

    /// Entries in the database (for DUPSORT databases, every duplicate).
    func entryCount(_ dbi: MDB_dbi) throws -> Int {
        var stat = MDB_stat()
        try LMDB.check(mdb_stat(handle, dbi, &stat), "stat")
        return stat.ms_entries
    }

}

/// An LMDB cursor. Close it before its transaction ends.
final class Cursor {
    let handle: OpaquePointer
    var key = MDB_val()
    var value = MDB_val()

    private var isClosed = false

    init(handle: OpaquePointer) { self.handle = handle }
    deinit { close() }

    /// Closes the cursor now: a cursor of a write transaction must be closed before the
    /// transaction ends (LMDB frees it then), whoever still holds the object.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        mdb_cursor_close(handle)
    }

    /// Moves with `op`; false at the end.
    @inline(__always)
    func move(_ op: MDB_cursor_op) throws -> Bool {
        let rc = mdb_cursor_get(handle, &key, &value, op)
        if rc == MDB_NOTFOUND { return false }
        try LMDB.check(rc, "cursor")
        return true
    }

    /// Positions at the first key >= `target`.
    func seek(_ target: [UInt8]) throws -> Bool {
        try target.withUnsafeBytes { raw in
            key = MDB_val(mv_size: raw.count, mv_data: UnsafeMutableRawPointer(mutating: raw.baseAddress))
            return try move(MDB_SET_RANGE)
        }
    }

    /// Positions at `target` key with the first duplicate >= `dup` (DUPSORT only).
    func seek(_ target: [UInt8], dup: [UInt8]) throws -> Bool {
        try target.withUnsafeBytes { k in
            try dup.withUnsafeBytes { d in
                key = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                value = MDB_val(mv_size: d.count, mv_data: UnsafeMutableRawPointer(mutating: d.baseAddress))
                return try move(MDB_GET_BOTH_RANGE)
            }
        }
    }

    /// The same without allocating: `target` and `dup` need only live for the call.
    func seek(_ target: UnsafeRawBufferPointer, dup: UnsafeRawBufferPointer) throws -> Bool {
        key = MDB_val(mv_size: target.count, mv_data: UnsafeMutableRawPointer(mutating: target.baseAddress))
        value = MDB_val(mv_size: dup.count, mv_data: UnsafeMutableRawPointer(mutating: dup.baseAddress))
        return try move(MDB_GET_BOTH_RANGE)
    }

    /// How many duplicates the key the cursor is at holds (DUPSORT only): LMDB keeps the count,
    /// so nothing is walked.
    func duplicateCount() throws -> Int {
        var count = 0
        try LMDB.check(mdb_cursor_count(handle, &count), "cursor count")
        return count
    }

    /// Deletes the entry (for DUPSORT, the one duplicate) the cursor is at.
    func deleteCurrent() throws {
        try LMDB.check(mdb_cursor_del(handle, 0), "cursor del")
    }

    var keyBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: key.mv_data, count: key.mv_size) }
    var valueBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size) }

    /// Puts a key and a value given as big-endian integers of the given widths, without allocating.
    @inline(__always)
    func put(key: UInt64, keyWidth: Int, value: UInt64, valueWidth: Int, value2: UInt32? = nil, flags: UInt32) throws {
        try withPacked(key: key, keyWidth: keyWidth, value: value, valueWidth: valueWidth, value2: value2) { kv, vv in
            try LMDB.check(mdb_cursor_put(handle, &kv, &vv, flags), "cursor put")
        }
    }

    /// Puts `bytes` under a key given as a big-endian integer of `keyWidth` bytes.
    @inline(__always)
    func put(key: UInt64, keyWidth: Int, bytes: [UInt8], flags: UInt32 = 0) throws {
        try bytes.withUnsafeBytes { try put(key: key, keyWidth: keyWidth, bytes: $0, flags: flags) }
    }

    /// Puts `bytes` under a key given as a big-endian integer of `keyWidth` bytes.
    @inline(__always)
    func put(key: UInt64, keyWidth: Int, bytes: UnsafeRawBufferPointer, flags: UInt32 = 0) throws {
        var keyBE = key.bigEndian
        try withUnsafeMutableBytes(of: &keyBE) { k in
            var kv = MDB_val(mv_size: keyWidth, mv_data: k.baseAddress! + (8 - keyWidth))
            var v = MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            try LMDB.check(mdb_cursor_put(handle, &kv, &v, flags), "cursor put")
        }
    }

    /// Puts `count` duplicates of `width` bytes each, packed one after another in `duplicates`,
    /// under one key given as a big-endian integer, in a single `MDB_MULTIPLE` call (DUPFIXED
    /// only): LMDB finds the key once, not once a duplicate.
    func putMultiple(key: UInt64, keyWidth: Int, duplicates: UnsafeRawBufferPointer, width: Int, count: Int, flags: UInt32) throws {
        var keyBE = key.bigEndian
        try withUnsafeMutableBytes(of: &keyBE) { k in
            var kv = MDB_val(mv_size: keyWidth, mv_data: k.baseAddress! + (8 - keyWidth))
            // LMDB reads an array of two: the first duplicate's size and address, then the count
            // (where it writes back how many it put).
            var data = (MDB_val(mv_size: width, mv_data: UnsafeMutableRawPointer(mutating: duplicates.baseAddress)), MDB_val(mv_size: count, mv_data: nil))
            let rc = withUnsafeMutablePointer(to: &data) { pair in
                pair.withMemoryRebound(to: MDB_val.self, capacity: 2) { mdb_cursor_put(handle, &kv, $0, flags | UInt32(MDB_MULTIPLE)) }
            }
            try LMDB.check(rc, "cursor put")
            guard data.1.mv_size == count else {
                throw LumbungError(.storeLMDB, value: "\(data.1.mv_size) of \(count)", rule: "a put of many duplicates stored only part of them")
            }
        }
    }

    /// Positions at a key and duplicate given as big-endian integers (as ``put(key:keyWidth:value:valueWidth:value2:flags:)``
    /// takes them), with `op` `MDB_GET_BOTH` (exact) or `MDB_GET_BOTH_RANGE` (first duplicate >=), without allocating.
    @inline(__always)
    func seek(key: UInt64, keyWidth: Int, value: UInt64, valueWidth: Int, value2: UInt32? = nil, _ op: MDB_cursor_op) throws -> Bool {
        try withPacked(key: key, keyWidth: keyWidth, value: value, valueWidth: valueWidth, value2: value2) { kv, vv in
            self.key = kv
            self.value = vv
            return try move(op)
        }
    }

    /// Positions at a key given as a big-endian integer of `keyWidth` bytes, with `op`
    /// `MDB_SET_KEY` (exact) or `MDB_SET_RANGE` (first key >=), without allocating.
    @inline(__always)
    func seek(key: UInt64, keyWidth: Int, _ op: MDB_cursor_op) throws -> Bool {
        var keyBE = key.bigEndian
        return try withUnsafeMutableBytes(of: &keyBE) { k in
            self.key = MDB_val(mv_size: keyWidth, mv_data: k.baseAddress! + (8 - keyWidth))
            return try move(op)
        }
    }

    /// Positions at a key and a duplicate wider than 8 bytes (the low `width` bytes of `wide`),
    /// both big-endian, without allocating.
    @inline(__always)
    func seek(key: UInt64, keyWidth: Int, wide: UInt128, width: Int, _ op: MDB_cursor_op) throws -> Bool {
        try withWide(key: key, keyWidth: keyWidth, wide: wide, width: width) { kv, vv in
            self.key = kv
            self.value = vv
            return try move(op)
        }
    }

    @inline(__always)
    private func withWide<R>(key: UInt64, keyWidth: Int, wide: UInt128, width: Int,
                             _ body: (inout MDB_val, inout MDB_val) throws -> R) rethrows -> R {
        var keyBE = key.bigEndian
        var valueBE = wide.bigEndian
        return try withUnsafeMutableBytes(of: &keyBE) { k in
            try withUnsafeMutableBytes(of: &valueBE) { v in
                var kv = MDB_val(mv_size: keyWidth, mv_data: k.baseAddress! + (8 - keyWidth))
                var vv = MDB_val(mv_size: width, mv_data: v.baseAddress! + (16 - width))
                return try body(&kv, &vv)
            }
        }
    }

    @inline(__always)
    private func withPacked<R>(key: UInt64, keyWidth: Int, value: UInt64, valueWidth: Int, value2: UInt32?,
                               _ body: (inout MDB_val, inout MDB_val) throws -> R) rethrows -> R {
        var keyBE = key.bigEndian
        var valueBE = (value2 == nil ? value : value << 32 | UInt64(value2!)).bigEndian
        let valueSize = value2 == nil ? valueWidth : 8
        return try withUnsafeMutableBytes(of: &keyBE) { k in
            try withUnsafeMutableBytes(of: &valueBE) { v in
                var kv = MDB_val(mv_size: keyWidth, mv_data: k.baseAddress! + (8 - keyWidth))
                var vv = MDB_val(mv_size: valueSize, mv_data: v.baseAddress! + (8 - valueSize))
                return try body(&kv, &vv)
            }
        }
    }

    func put(_ key: [UInt8], _ value: [UInt8], flags: UInt32) throws {
        try withVal(key) { k in
            try withVal(value) { v in
                try LMDB.check(mdb_cursor_put(handle, &k, &v, flags), "cursor put")
            }
        }
    }
}
