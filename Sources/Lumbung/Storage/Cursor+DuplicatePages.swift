import CLMDB

extension Cursor {
    /// Calls `body` with the duplicates of the cursor's key a page at a time (MDB_GET_MULTIPLE,
    /// then MDB_NEXT_MULTIPLE; DUPFIXED databases only), from the start of the page holding the
    /// current duplicate, until the key's duplicates end or `body` returns false. A scan of many
    /// entries costs one LMDB call a page instead of one an entry.
    ///
    /// The cursor must sit on a duplicate just placed there (a seek, MDB_NEXT_NODUP): LMDB
    /// returns the whole page, so a caller that seeked into the middle of it skips what lies
    /// before. Returns false when `body` stopped the walk. The key's bytes stay as they were.
    ///
    /// ```swift
    /// var found = try cursor.seek(start)
    /// while found {
    ///     _ = try cursor.forEachDuplicatePage { page in /* entries of the dup width */ true }
    ///     found = try cursor.move(MDB_NEXT_NODUP)
    /// }
    /// ```
    @inline(__always)
    func forEachDuplicatePage(_ body: (UnsafeRawBufferPointer) throws -> Bool) throws -> Bool {
        // A key with a single value has no duplicate page, and LMDB may still hold the previous
        // key's there (its duplicate cursor is reset only on some moves): the value is the page.
        var count = 0
        try LMDB.check(mdb_cursor_count(handle, &count), "cursor count")
        if count == 1 { return try body(valueBytes) }
        guard try move(MDB_GET_MULTIPLE) else { return true }
        repeat {
            guard try body(valueBytes) else { return false }
        } while try move(MDB_NEXT_MULTIPLE)
        return true
    }
}
