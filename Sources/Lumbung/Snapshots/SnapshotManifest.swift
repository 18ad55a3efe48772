import CLMDB
import Crypto
import Foundation

/// What a snapshot holds and how to prove it: `manifest.json` next to the snapshot's `data.mdb`.
///
/// The content digest is SHA-256 over the canonical records in key order (each record: its
/// 4-byte id, the 4-byte length of its decompressed binary encoding, the encoding), so it does
/// not depend on compression, dictionaries or page layout. `files` holds each file's size and
/// SHA-256, so any changed byte, truncation or missing file shows. It is read with
/// `JSONDecoder` and written by ``encoded()`` (the project's ``JSONWriter``).
public struct SnapshotManifest: Decodable, Sendable, Hashable {
    /// The manifest layout this build writes.
    public static let currentFormat = 1

    public var format: Int
    public var period: String
    /// ISO 8601, UTC, when the copy was taken.
    public var createdAt: String
    /// The store's on-disk format version (and so the record encoding) of the copy.
    public var schemaVersion: Int
    /// The newest journal entry the snapshot reflects (0 for an empty journal).
    public var journalSequence: UInt64
    public var households: Int
    public var members: Int
    /// `sha256:` and 64 hex digits.
    public var contentDigest: String
    public var files: [File]
    /// Counts by status, program, desil, Dukcapil status and desil version for the whole store (`wilayah` nil) and every
    /// provinsi, kabupaten, kecamatan and desa that holds households.
    public var counts: [RegionEntry]
    /// Set when this snapshot replaced an earlier one of the same period.
    public var replaced: Replacement?
    /// A `YYYY-MM` snapshot's decree: the period's requests and the households set `ditetapkan`
    /// (absent in automatic snapshots and in manifests written before decrees were recorded).
    public var decree: Decree? = nil

    public struct File: Decodable, Sendable, Hashable {
        public var name: String
        public var bytes: Int
        public var sha256: String
    }

    public struct Replacement: Decodable, Sendable, Hashable {
        public var reason: String
        public var previousCreatedAt: String
        public var previousContentDigest: String
    }

    public struct CountPair: Decodable, Sendable, Hashable {
        public var households: Int
        public var members: Int
    }

    /// One region's counters, as ``RegionCounts`` holds them.
    public struct RegionEntry: Decodable, Sendable, Hashable {
        public var wilayah: String?
        public var level: String
        public var total: CountPair
        public var status: [String: CountPair]
        public var program: [String: CountPair]
        public var desil: [String: CountPair]
        public var nikFlagged: [String: CountPair]
        /// Members by Dukcapil status (households: those with such a member); absent when no
        /// member has a result (and in manifests written before results existed).
        public var dukcapil: [String: CountPair]?
        /// Households by the version of their desil (``DesilVersion``); absent when none has one.
        public var desilVersi: [String: Int]?

        init(_ counts: RegionCounts, desilVersions: [Int: Int]? = nil) {
            func pair(_ count: Count) -> CountPair { CountPair(households: count.households, members: count.members) }
            wilayah = counts.wilayah?.dotted
            level = SnapshotDiff.Grouping(counts.wilayah?.level).rawValue
            total = pair(counts.total)
            status = Dictionary(uniqueKeysWithValues: counts.byStatus.map { ($0.key.description, pair($0.value)) })
            program = Dictionary(uniqueKeysWithValues: counts.byProgram.map { ($0.key.name, pair($0.value)) })
            desil = Dictionary(uniqueKeysWithValues: counts.byDesil.map { (String($0.key), pair($0.value)) })
            nikFlagged = Dictionary(uniqueKeysWithValues: counts.flaggedNIK.map { ($0.key.rawValue, pair($0.value)) })
            let results = counts.byDukcapil
            dukcapil = results.isEmpty ? nil : Dictionary(uniqueKeysWithValues: results.map { ($0.key.name, pair($0.value)) })
            desilVersi = desilVersions.flatMap { versions in
                versions.isEmpty ? nil : Dictionary(uniqueKeysWithValues: versions.map { (DesilVersion(ordinal: $0.key).description, $0.value) })
            }
        }
    }

    /// The counts of one region (nil: the whole store), if it holds households.
    public func counts(wilayah: KodeWilayah?) -> RegionEntry? {
        counts.first { $0.wilayah == wilayah?.dotted }
    }

    // MARK: Coding

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    public static func decode(_ data: Data, name: String) throws -> SnapshotManifest {
        do {
            return try decoder.decode(SnapshotManifest.self, from: data)
        } catch {
            throw LumbungError(.snapshotCorrupt, field: "manifest.json", value: name, rule: "the manifest does not parse: \(error)")
        }
    }
}

/// What a snapshot's records and counters say, computed from an open (copied) store.
struct SnapshotContent: Equatable {
    var journalSequence: UInt64
    var households = 0
    var members = 0
    var contentDigest = ""
    var counts: [SnapshotManifest.RegionEntry] = []
    var schemaVersion = 0
    /// The period's decree, when asked for one.
    var decree: SnapshotManifest.Decree?
}

extension ReadTransaction {
    /// Reads the journal position, counters and content digest in this transaction, and
    /// `period`'s decree when one is given.
    func snapshotContent(decreeOf period: Period? = nil) throws -> SnapshotContent {
        try ensureValid()
        var content = SnapshotContent(journalSequence: try lastSequence())
        content.decree = try period.map { try decree(period: $0) }
        if let stored = try txn.get(dbs.meta, MetaKey.format) {
            content.schemaVersion = Int(Keys.read(stored.buffer, width: 4))
        }
        let records = try RecordsDigest(self)
        content.households = records.households
        content.contentDigest = "sha256:" + records.hex
        let regions = try allRegionCounts()
        content.members = regions.first { $0.wilayah == nil }?.total.members ?? 0
        content.counts = regions.map { counts in
            let level = UInt64(WilayahLevels.level(of: counts.wilayah))
            return SnapshotManifest.RegionEntry(counts, desilVersions: records.versions[level << 40 | (counts.wilayah?.packed ?? 0)])
        }
        return content
    }

    /// Every region's counters in one pass over the counters database, national first.
    func allRegionCounts() throws -> [RegionCounts] {
        var result: [RegionCounts] = []
        let cursor = try txn.cursor(dbs.counters)
        var found = try cursor.move(MDB_FIRST)
        var currentPrefix: UInt64 = .max
        while found {
            let key = cursor.keyBytes
            guard key.count == 8 else { found = try cursor.move(MDB_NEXT); continue }
            let prefix = Keys.read(key, width: 6)
            if prefix != currentPrefix {
                currentPrefix = prefix
                let level = Int(key[0])
                let code = Keys.read(key, at: 1, width: Keys.desaWidth)
                let wilayah = KodeWilayah.Level(rawValue: level).map { KodeWilayah(unchecked: code, level: $0) }
                result.append(RegionCounts(wilayah: wilayah))
            }
            result[result.count - 1].read(cursor)
            found = try cursor.move(MDB_NEXT)
        }
        return result
    }
}

/// SHA-256 of a file, streamed in 1 MiB reads.
enum FileDigest {
    /// A file's size and SHA-256 (lowercase hex), as manifests state them.
    typealias Sum = (bytes: Int, hex: String)

    /// Lowercase hex, as manifests write digests.
    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Reads the file a MiB at a time into one buffer (no allocation a read).
    static func sha256(path: String) throws -> Sum {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else {
            throw LumbungError(.snapshotCorrupt, value: (path as NSString).lastPathComponent, rule: "the file is missing or unreadable")
        }
        defer { close(file) }
        _ = posix_fadvise(file, 0, 0, POSIX_FADV_SEQUENTIAL)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 4096)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        var total = 0
        while true {
            let count = read(file, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw LumbungError(.snapshotCorrupt, value: (path as NSString).lastPathComponent, rule: "the file does not read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            total += count
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
        return (total, hex(hasher.finalize()))
    }
}
