import CLMDB

/// Look-ups for many keys at once, in key order: a merge join of a sorted list with an index,
/// so neighbouring keys share the pages the cursor already holds.
extension ReadTransaction {
    /// The household id of each NIK in `numbers` (raw NIK values, ascending; repeats allowed),
    /// written to the same position of `ids`; 0 where no member has that NIK.
    ///
    /// The cursor steps forward along the index (MDB_NEXT_DUP) while the next NIK is close,
    /// and seeks (MDB_GET_BOTH_RANGE) when it is not.
    ///
    /// ```swift
    /// var ids = [UInt32](repeating: 0, count: numbers.count)
    /// try numbers.withUnsafeBufferPointer { n in
    ///     try ids.withUnsafeMutableBufferPointer { try tx.householdIDs(nikNumbers: n, into: $0) }
    /// }
    /// ```
    public func householdIDs(nikNumbers numbers: UnsafeBufferPointer<UInt64>, into ids: UnsafeMutableBufferPointer<UInt32>) throws {
        try ensureValid()
        precondition(ids.count >= numbers.count, "one id slot a NIK")
        let cursor = try txn.cursor(dbs.nik)
        let layout = dbs.unique
        // The cursor's key (the NIK's high digits), when it sits on an entry.
        var cursorHigh: UInt64? = nil
        for index in numbers.indices {
            let number = numbers[index]
            let high = layout.key(number), low = layout.low(number)
            var answer: UInt64? = nil
            if cursorHigh == high {
                // Walk a few duplicates forward: the cursor is at or before this NIK's place.
                for _ in 0..<Self.walkLimit {
                    let dup = layout.readDup(cursor.valueBytes)
                    if layout.low(dup: dup) >= low {
                        answer = layout.low(dup: dup) == low ? layout.id(dup: dup) : 0
                        break
                    }
                    guard try cursor.move(MDB_NEXT_DUP) else { break }
                }
            }
            if answer == nil {
                if try layout.seek(cursor, number) {
                    cursorHigh = high
                    let dup = layout.readDup(cursor.valueBytes)
                    answer = layout.low(dup: dup) == low ? layout.id(dup: dup) : 0
                } else {
                    cursorHigh = nil
                    answer = 0
                }
            }
            ids[index] = UInt32(truncatingIfNeeded: answer!)
        }
    }

    /// How many duplicates a walk steps over before it seeks instead.
    static let walkLimit = 16

    /// The outline of the household with this id (its head only, members not decoded), or nil.
    public func outline(id: HouseholdID) throws -> HouseholdOutline? {
        try ensureValid()
        guard id.isStorable, let stored = try txn.get(dbs.records, Keys.record(id)) else { return nil }
        do {
            return try openRecord(stored.buffer) { try RecordCodec.outline($0, id: id) }
        } catch let error as LumbungError {
            throw error.about(id)
        }
    }
}
