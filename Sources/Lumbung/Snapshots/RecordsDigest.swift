import CLMDB
import Crypto
import Foundation

/// The records' part of a snapshot's content, read in one pass: the content digest (SHA-256 over
/// the canonical records in key order; each record its 4-byte key, the 4-byte big-endian length
/// of its decompressed binary encoding, the encoding) and the households by desil version.
///
/// The records are decompressed on every core, a batch at a time, each straight into its batch,
/// while the calling thread hashes the batch before in key order and reads the next batch's page
/// references; so the digest is the same whatever the number of cores.
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
        let pages = try RecordPages(tx, chunkLength: workers * max(1, recordsPerWorker))
        // Two sets of batches: one is decompressed while the other is hashed.
        let sets = (0..<2).map { _ in (0..<workers).map { _ in Batch(compressor) } }
        let hasher = Hasher()
        var pending: [Batch] = []
        var round = 0
        var households = 0
        try pages.read(into: 0)
        while true {
            let work = pages.chunks[round % 2]
            if work.isEmpty && pending.isEmpty { break }
            households += work.count
            let current = sets[round % 2], hashing = pending, next = (round + 1) % 2
            Parallel.run(workers + 1) { part in
                if part == 0 {
                    // The caller's thread, which owns the cursor: hash the batches before in key
                    // order, then read the next chunk's page references.
                    for batch in hashing { hasher.sha.update(bufferPointer: batch.bytes) }
                    if !work.isEmpty { pages.readCapturingError(into: next) }
                } else {
                    let range = (work.count * (part - 1) / workers)..<(work.count * part / workers)
                    current[part - 1].decompress(work[range])
                }
            }
            if let error = current.lazy.compactMap(\.error).first { throw error }
            if let error = pages.error { throw error }
            if work.isEmpty { pages.chunks[next].removeAll() }
            pending = work.isEmpty ? [] : current
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

    /// One core's share of a chunk: its records as the digest reads them, back to back (each
    /// decompressed straight into place), and the desil versions it saw. Only its worker touches
    /// it during a round.
    private final class Batch: @unchecked Sendable {
        private let decompressor: RecordDecompressor
        private var storage = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
        private var capacity = 1 << 16
        private var count = 0
        var versions: [DesaVersion: Int] = [:]
        var error: (any Error)?

        init(_ compressor: Compressor) {
            decompressor = RecordDecompressor(compressor)
        }

        deinit { storage.deallocate() }

        /// The records of the last round, as hashed.
        var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }

        func decompress(_ records: ArraySlice<(key: PageBytes, value: PageBytes)>) {
            count = 0
            for (key, value) in records {
                do {
                    let envelope = try Compressor.Envelope(value.bytes)
                    let size = try envelope.payloadSize()
                    let header = key.bytes.count + 4
                    let start = reserve(header + size)
                    start.copyMemory(from: key.bytes.baseAddress!, byteCount: key.bytes.count)
                    let written = try decompressor.decompress(envelope, into: start + header, capacity: size)
                    start.storeBytes(of: UInt32(written).bigEndian, toByteOffset: key.bytes.count, as: UInt32.self)
                    count += header + written
                    let (desa, version) = try RecordCodec.desilVersion(UnsafeRawBufferPointer(start: start + header, count: written))
                    if let version { versions[DesaVersion(desa: desa, ordinal: version.ordinal), default: 0] += 1 }
                } catch {
                    let id = HouseholdID(rawValue: Keys.read(key.bytes, width: Keys.idWidth))
                    self.error = (error as? LumbungError)?.about(id) ?? error
                    return
                }
            }
        }

        /// Room for `length` more bytes after the ones held; where they go.
        private func reserve(_ length: Int) -> UnsafeMutableRawPointer {
            if count + length > capacity {
                capacity = max(capacity * 2, count + length)
                let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
                grown.copyMemory(from: storage, byteCount: count)
                storage.deallocate()
                storage = grown
            }
            return storage + count
        }
    }
}
