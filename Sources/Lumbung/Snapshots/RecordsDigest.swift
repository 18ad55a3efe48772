import CLMDB
import Crypto
import Foundation

/// The records' part of a snapshot's content, read in one pass: the content digest (SHA-256 over
/// the canonical records in key order; each record its 4-byte key, the 4-byte big-endian length
/// of its decompressed binary encoding, the encoding) and the households by desil version.
///
/// The records are decompressed on every core, a batch at a time, while the calling thread
/// hashes the batch before in key order; so the digest is the same whatever the number of cores.
/// It holds two batches of page references and decompressed records per core at most
/// (``recordsPerWorker`` records each, whatever the store's size).
///
/// ```swift
/// let records = try store.read { tx in try RecordsDigest(tx) }
/// print("sha256:" + records.hex, records.households)
/// ```
struct RecordsDigest {
    /// Lowercase hex of the SHA-256.
    var hex: String
    var households = 0
    /// Households by desil version ordinal, by region: `level << 40 | code`, as the counters key
    /// regions (level 0 is the nation).
    var versions: [UInt64: [Int: Int]] = [:]

    /// Records each core decompresses at a time.
    static let recordsPerWorker = 4_096

    init(_ tx: ReadTransaction, recordsPerWorker: Int = Self.recordsPerWorker) throws {
        try tx.ensureValid()
        // Workers decompress without the transaction: every dictionary it holds is loaded first.
        try tx.environment.loadDictionaries(tx.txn)
        let compressor = tx.environment.compressor
        let workers = CheckReport.workers
        let chunkLength = workers * max(1, recordsPerWorker)
        // Two sets of batches: one is decompressed while the other is hashed.
        let sets = (0..<2).map { _ in (0..<workers).map { _ in Batch() } }
        let hasher = Hasher()
        var chunk: [(key: PageBytes, value: PageBytes)] = []
        chunk.reserveCapacity(chunkLength)
        var pending: [Batch] = []
        var round = 0
        var households = 0
        let cursor = try tx.txn.cursor(tx.dbs.records)
        var found = try cursor.move(MDB_FIRST)
        while true {
            chunk.removeAll(keepingCapacity: true)
            while found && chunk.count < chunkLength {
                chunk.append((PageBytes(bytes: cursor.keyBytes), PageBytes(bytes: cursor.valueBytes)))
                found = try cursor.move(MDB_NEXT)
            }
            if chunk.isEmpty && pending.isEmpty { break }
            households += chunk.count
            let work = chunk, current = sets[round % 2], hashing = pending
            Parallel.run(workers + 1) { part in
                if part == 0 {
                    for batch in hashing { batch.bytes.withUnsafeBytes { hasher.sha.update(bufferPointer: $0) } }
                } else {
                    let range = (work.count * (part - 1) / workers)..<(work.count * part / workers)
                    current[part - 1].decompress(work[range], compressor: compressor)
                }
            }
            if let error = current.lazy.compactMap(\.error).first { throw error }
            pending = chunk.isEmpty ? [] : current
            round += 1
        }
        hex = FileDigest.hex(hasher.sha.finalize())
        self.households = households
        for batch in sets.joined() {
            for (key, count) in batch.versions {
                for level in 0...4 {
                    versions[UInt64(level) << 40 | WilayahLevels.truncate(key.desa, toLevel: level), default: [:]][key.ordinal, default: 0] += count
                }
            }
        }
    }

    /// The hasher, shared with the thread that runs part 0 (the caller's).
    private final class Hasher: @unchecked Sendable {
        var sha = SHA256()
    }

    /// A desa and a desil version ordinal.
    private struct DesaVersion: Hashable {
        let desa: UInt64
        let ordinal: Int
    }

    /// One core's share of a chunk: its records as the digest reads them, back to back, and the
    /// desil versions it saw. Only its worker touches it during a round.
    private final class Batch: @unchecked Sendable {
        var bytes: [UInt8] = []
        var versions: [DesaVersion: Int] = [:]
        var error: (any Error)?

        func decompress(_ records: ArraySlice<(key: PageBytes, value: PageBytes)>, compressor: Compressor) {
            bytes.removeAll(keepingCapacity: true)
            for (key, value) in records {
                do {
                    try compressor.open(value.bytes) { payload in
                        bytes.append(contentsOf: key.bytes)
                        withUnsafeBytes(of: UInt32(payload.count).bigEndian) { bytes.append(contentsOf: $0) }
                        bytes.append(contentsOf: payload)
                        let (desa, version) = try RecordCodec.desilVersion(payload)
                        if let version { versions[DesaVersion(desa: desa, ordinal: version.ordinal), default: 0] += 1 }
                    }
                } catch {
                    let id = HouseholdID(rawValue: Keys.read(key.bytes, width: Keys.idWidth))
                    self.error = (error as? LumbungError)?.about(id) ?? error
                    return
                }
            }
        }
    }
}
