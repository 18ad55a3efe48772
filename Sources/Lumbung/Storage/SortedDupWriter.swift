import CLMDB

/// Writes the sorted new entries of a DUPSORT, DUPFIXED database (sorted by key, then
/// duplicate): each key's duplicates are gathered into runs of at most ``runLimit``, and a run
/// that follows the key's stored duplicates (``AppendByKey``) is put in one `MDB_MULTIPLE` call,
/// where one put an entry had LMDB find the key and the first duplicate again each time (about
/// half of a bulk load's index writing). Other runs go one by one with `MDB_NODUPDATA`.
///
/// ```swift
/// var writer = SortedDupWriter(cursor, keyWidth: Keys.desaWidth, dupWidth: MemberIndex.entryWidth)
/// for member in sorted { try writer.put(key: member.desa, dup: member.entry) }
/// try writer.finish()
/// ```
struct SortedDupWriter {
    /// Duplicates a run holds at most: LMDB makes room in the transaction's dirty pages for a
    /// whole run before it writes one.
    static let runLimit = 2048

    private let cursor: Cursor
    private let keyWidth: Int
    private let dupWidth: Int
    private var append: AppendByKey
    private var key: UInt64 = 0
    /// The run's duplicates, big-endian, one after another.
    private var run: [UInt8] = []
    private var count = 0

    init(_ cursor: Cursor, keyWidth: Int, dupWidth: Int) {
        self.cursor = cursor
        self.keyWidth = keyWidth
        self.dupWidth = dupWidth
        append = AppendByKey(cursor, keyWidth: keyWidth, dupWidth: dupWidth)
        run.reserveCapacity(Self.runLimit * dupWidth)
    }

    /// Adds the next entry: `dup` as a big-endian integer of `dupWidth` bytes.
    @inline(__always)
    mutating func put(key: UInt64, dup: UInt128) throws {
        if count > 0 && (key != self.key || count == Self.runLimit) { try writeRun() }
        self.key = key
        var bigEndian = dup.bigEndian
        withUnsafeBytes(of: &bigEndian) { run.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[(16 - dupWidth)...])) }
        count += 1
    }

    /// Writes the last run.
    mutating func finish() throws {
        if count > 0 { try writeRun() }
    }

    private mutating func writeRun() throws {
        try run.withUnsafeBytes { bytes in
            let flags = try append.flags(key: key, firstDup: Keys.readWide(bytes, width: dupWidth))
            if flags == UInt32(MDB_APPENDDUP) {
                try cursor.putMultiple(key: key, keyWidth: keyWidth, duplicates: bytes, width: dupWidth, count: count, flags: flags)
            } else {
                for start in stride(from: 0, to: count * dupWidth, by: dupWidth) {
                    try cursor.put(key: key, keyWidth: keyWidth, bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + dupWidth)]), flags: flags)
                }
            }
        }
        run.removeAll(keepingCapacity: true)
        count = 0
    }
}

/// The put flags for each key of a sorted run of new entries (DUPSORT): `MDB_APPENDDUP` when the
/// key's new duplicates all follow its stored ones (a new key, or one whose last duplicate is
/// smaller), so LMDB fills the key's pages full; `MDB_NODUPDATA` otherwise, where it splits them
/// in half. Deciding per key, not once for the whole run, matters when loads interleave: a
/// kabupaten loaded after a later-coded one adds new keys between stored ones (status 1 of its
/// desa sorts before status 2 of the other's), and these were all written half-full.
struct AppendByKey {
    private let cursor: Cursor
    private let keyWidth: Int
    private let dupWidth: Int
    private var key: UInt64?
    private var current: UInt32 = 0

    init(_ cursor: Cursor, keyWidth: Int, dupWidth: Int) {
        self.cursor = cursor
        self.keyWidth = keyWidth
        self.dupWidth = dupWidth
    }

    /// The flags for an entry of `key` (entries come sorted by key, then duplicate): looked up
    /// once a key, with `firstDup` (the key's first new duplicate, as a big-endian integer).
    @inline(__always)
    mutating func flags(key: UInt64, firstDup: @autoclosure () -> UInt128) throws -> UInt32 {
        if key == self.key { return current }
        self.key = key
        if try cursor.seek(key: key, keyWidth: keyWidth, MDB_SET_KEY), try cursor.move(MDB_LAST_DUP) {
            current = UInt32(Keys.readWide(cursor.valueBytes, width: dupWidth) < firstDup() ? MDB_APPENDDUP : MDB_NODUPDATA)
        } else {
            current = UInt32(MDB_APPENDDUP)
        }
        return current
    }
}
