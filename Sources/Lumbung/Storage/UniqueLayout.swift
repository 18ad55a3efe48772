import CLMDB

/// How the unique indexes `idx.nik` and `idx.kk` (DUPSORT, DUPFIXED) lay out a 16-digit number
/// and its household: key = the number's first digits, big-endian in ``keyWidth`` bytes;
/// duplicate = the remaining digits << 32 | the household id, big-endian in ``dupWidth`` bytes.
/// Both layouts sort entries by number, then id, and pack key and duplicate into 12 bytes.
///
/// A store keeps the layout of the format it was created with (``Environment/formatVersion``):
/// - format 2, ``regionKeys``: the key is the region (`PPKKCC`, 3 bytes) and the duplicate 9
///   bytes. A kabupaten's NIKs fall under a few hundred keys of thousands of packed duplicates
///   each: about 9 bytes a NIK.
/// - format 1, ``dayKeys``: the key also held the birth or issue day (`PPKKCC DD`, 4 bytes), the
///   duplicate 8 bytes. Keys of a few hundred numbers each made sub-databases whose last pages
///   are part-filled: about 15 bytes a NIK (BENCHMARKS.md).
///
/// ```swift
/// let layout = UniqueLayout.regionKeys
/// layout.key(3216051201900001)                  // 321605
/// layout.low(dup: layout.dup(3216051201900001, id: 7))   // 1201900001
/// ```
struct UniqueLayout: Hashable, Sendable {
    let keyWidth: Int
    let dupWidth: Int
    /// 10 to the power of the digits the duplicate holds.
    let split: UInt64

    static let regionKeys = UniqueLayout(keyWidth: 3, dupWidth: 9, split: 10_000_000_000)
    static let dayKeys = UniqueLayout(keyWidth: 4, dupWidth: 8, split: 100_000_000)

    /// The layout of a store of `format`.
    static func of(format: UInt32) -> UniqueLayout { format >= 2 ? .regionKeys : .dayKeys }

    @inline(__always) func key(_ number: UInt64) -> UInt64 { number / split }

    @inline(__always) func dup(_ number: UInt64, id: UInt64) -> UInt128 {
        UInt128(low(number)) << 32 | UInt128(id & 0xFFFF_FFFF)
    }

    /// The digits of `number` below its key, which its duplicate holds; and those a stored
    /// duplicate holds (equal for the same number).
    @inline(__always) func low(_ number: UInt64) -> UInt64 { number % split }
    @inline(__always) func low(dup: UInt128) -> UInt64 { UInt64(truncatingIfNeeded: dup >> 32) }

    /// The smallest duplicate of `number`, for MDB_GET_BOTH_RANGE.
    @inline(__always) func dupFloor(_ number: UInt64) -> UInt128 { dup(number, id: 0) }

    /// The number and household of a stored entry (the inverse of the two above).
    @inline(__always) func number(key: UInt64, dup: UInt128) -> UInt64 { key * split + low(dup: dup) }
    @inline(__always) func id(dup: UInt128) -> UInt64 { UInt64(truncatingIfNeeded: dup) & 0xFFFF_FFFF }

    /// A stored duplicate (at `offset` of a page of them).
    @inline(__always) func readDup(_ buffer: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt128 {
        Keys.readWide(buffer, at: offset, width: dupWidth)
    }

    /// Key and duplicate as one big-endian integer of `keyWidth + dupWidth` (12) bytes.
    @inline(__always) func entry(_ number: UInt64, id: UInt64) -> UInt128 {
        UInt128(key(number)) << UInt128(8 * dupWidth) | dup(number, id: id)
    }

    /// The number and household of an entry packed as ``entry(_:id:)`` packs it.
    @inline(__always) func split(entry: UInt128) -> (number: UInt64, id: UInt64) {
        let dup = entry & ((1 << UInt128(8 * dupWidth)) - 1)
        return (number(key: UInt64(truncatingIfNeeded: entry >> UInt128(8 * dupWidth)), dup: dup), id(dup: dup))
    }

    /// Positions `cursor` at `number`'s first entry, or the next number's; false past the end.
    @inline(__always) func seek(_ cursor: Cursor, _ number: UInt64) throws -> Bool {
        try cursor.seek(key: key(number), keyWidth: keyWidth, wide: dupFloor(number), width: dupWidth, MDB_GET_BOTH_RANGE)
    }

    /// The household holding `number`, with the cursor at its entry; nil when none does.
    @inline(__always) func find(_ cursor: Cursor, _ number: UInt64) throws -> UInt64? {
        guard try seek(cursor, number) else { return nil }
        let found = readDup(cursor.valueBytes)
        return low(dup: found) == low(number) ? id(dup: found) : nil
    }

    /// Adds `number` of household `id` in a one-by-one write, refusing one already there.
    func insert(_ txn: Txn, _ dbi: MDB_dbi, _ number: UInt64, id: UInt64) throws {
        try txn.put(dbi, keyBytes(number), dupBytes(number, id: id), flags: UInt32(MDB_NODUPDATA))
    }

    /// Deletes `number` of household `id`; false when it was not there.
    @discardableResult
    func delete(_ txn: Txn, _ dbi: MDB_dbi, _ number: UInt64, id: UInt64) throws -> Bool {
        try txn.delete(dbi, keyBytes(number), dupBytes(number, id: id))
    }

    func keyBytes(_ number: UInt64) -> [UInt8] { Keys.be(key(number), width: keyWidth) }
    func dupBytes(_ number: UInt64, id: UInt64) -> [UInt8] { Keys.be(wide: dup(number, id: id), width: dupWidth) }
}
