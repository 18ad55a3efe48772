import CLMDB

/// The records' page references in key order, a chunk at a time, into one of two chunks (so one
/// can be read while the other is worked on): the one walk of every record that `check` and a
/// snapshot's records digest share. Only the transaction's thread uses it; the references are
/// valid while the transaction is open.
///
/// ```swift
/// let pages = try RecordPages(tx, chunkLength: 8_192)
/// try pages.read(into: 0)
/// while !pages.chunks[0].isEmpty { work(pages.chunks[0]); try pages.read(into: 0) }
/// ```
final class RecordPages: @unchecked Sendable {
    /// Two chunks of records, each a key and a value in the map.
    var chunks: [[(key: PageBytes, value: PageBytes)]] = [[], []]
    /// The error of the last ``readCapturingError(into:)``.
    var error: (any Error)?
    private let cursor: Cursor
    private let chunkLength: Int
    private var found: Bool

    init(_ tx: ReadTransaction, chunkLength: Int) throws {
        let cursor = try tx.txn.cursor(tx.dbs.records)
        self.cursor = cursor
        self.chunkLength = chunkLength
        found = try cursor.move(MDB_FIRST)
        for index in chunks.indices { chunks[index].reserveCapacity(chunkLength) }
    }

    /// Replaces chunk `index` with the next records (empty at the end).
    func read(into index: Int) throws {
        chunks[index].removeAll(keepingCapacity: true)
        while found && chunks[index].count < chunkLength {
            chunks[index].append((PageBytes(bytes: cursor.keyBytes), PageBytes(bytes: cursor.valueBytes)))
            found = try cursor.move(MDB_NEXT)
        }
    }

    /// ``read(into:)`` from a part of `Parallel.run` that cannot throw: the error is kept in ``error``.
    func readCapturingError(into index: Int) {
        do { try read(into: index) } catch { self.error = error }
    }

    /// A record key's household id.
    static func id(_ key: PageBytes) -> HouseholdID {
        HouseholdID(rawValue: Keys.read(key.bytes, width: Keys.idWidth))
    }
}
