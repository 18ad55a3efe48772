import CLMDB
import Crypto
import Foundation

/// One entry of the append-only journal: what changed, when, by whom.
public struct JournalEntry: Hashable, Sendable {
    public enum Action: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case insert = 1
        case update = 2
        case delete = 3
        /// A member moved out of or into this household.
        case moveMember = 4
        /// A store-level event, such as a replaced snapshot or a restore (household id 0).
        case event = 5
        /// A change request moved (created, submitted, verified, approved, applied, rejected,
        /// withdrawn); the note names the request, the action and the new state.
        case request = 6

        public var description: String {
            switch self {
            case .insert: "insert"
            case .update: "update"
            case .delete: "delete"
            case .moveMember: "move_member"
            case .event: "event"
            case .request: "request"
            }
        }
    }

    /// Strictly increasing, starting at 1.
    public let sequence: UInt64
    public let time: Date
    public let actor: String
    public let action: Action
    public let householdID: HouseholdID
    /// SHA-256 of the new record's canonical encoding, truncated to 128 bits; empty for a delete.
    public let digest: [UInt8]
    /// Free text for events (such as the reason for a replaced snapshot).
    public let note: String
    /// The desa the household was in before the change and is in after it (one code when they
    /// agree), so a feed can be cut to a wilayah scope; empty for events, and for entries written
    /// before journals carried it.
    public let wilayah: [KodeWilayah]

    public init(
        sequence: UInt64, time: Date, actor: String, action: Action, householdID: HouseholdID, digest: [UInt8],
        note: String = "", wilayah: [KodeWilayah] = []
    ) {
        self.sequence = sequence
        self.time = time
        self.actor = actor
        self.action = action
        self.householdID = householdID
        self.digest = digest
        self.note = note
        self.wilayah = wilayah
    }

    /// The desa codes of a change from `old` to `new` (either nil for an insert or a delete).
    static func wilayah(old: KodeWilayah?, new: KodeWilayah?) -> [KodeWilayah] {
        switch (old, new) {
        case let (old?, new?): old == new ? [new] : [old, new]
        case let (old?, nil): [old]
        case let (nil, new?): [new]
        case (nil, nil): []
        }
    }

    /// The household the per-household index (``JournalIndex``) files this entry under: every
    /// entry that names one, so not store-level events, nor a request that has no household yet
    /// (id 0).
    public var indexedHousehold: HouseholdID? {
        action == .event || householdID.rawValue == 0 ? nil : householdID
    }

    /// The digest in lowercase hex.
    public var digestHex: String { digest.map { String(format: "%02x", $0) }.joined() }

    static let digestLength = 16

    static func digest(of payload: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: payload).prefix(digestLength))
    }

    static func digest(of payload: UnsafeRawBufferPointer) -> [UInt8] {
        Array(SHA256.hash(data: payload).prefix(digestLength))
    }

}

/// The journal on disk: blocks of consecutive entries, keyed by the first entry's sequence number.
///
/// A transaction appends its entries as blocks with one actor, each as many entries as fit one
/// overflow page (``pageBudget``, at most ``maxEntries``), so a bulk load of a million households
/// costs about 27 bytes an entry (mostly the digest and the desa), not a B-tree node each. Block
/// layout: count, actor, first time (ms), then per entry: time delta, action with flags (digest,
/// note, wilayah present), id delta (zigzag), the digest, the note, the desa codes.
///
/// ```swift
/// let (block, count) = JournalBlock.encode(prefixOf: entries[...])   // count ≤ entries.count
/// let back = try block.withUnsafeBytes { try JournalBlock.decode(first: entries[0].sequence, $0) }
/// ```
enum JournalBlock {
    /// Entries a block holds at most (a block of deletes, without digests, is about 4 bytes an entry).
    static let maxEntries = 400
    /// The bytes a block may take: what one overflow page of a 4 KiB-page store holds (LMDB's
    /// page header is 16 bytes). Blocks of 100 entries (2.6 KB) left two-fifths of each page empty.
    static let pageBudget = 4096 - 16
    private static let hasWilayah: UInt8 = 0x20
    private static let hasDigest: UInt8 = 0x40
    private static let hasNote: UInt8 = 0x80

    /// The longest prefix of `entries` (at least one entry) that fits ``pageBudget`` and
    /// ``maxEntries``, encoded; and how many entries it holds.
    static func encode(prefixOf entries: ArraySlice<JournalEntry>) -> (bytes: [UInt8], count: Int) {
        let actor = entries.first!.actor
        let firstTime = RecordCodec.milliseconds(entries.first!.time)
        var header = ByteWriter(capacity: actor.utf8.count + 16)
        header.varint(maxEntries)
        header.string(actor)
        header.varint(UInt64(max(0, firstTime)))
        // The count's varint is written last and may be shorter than the bound reserved here.
        let budget = pageBudget - header.bytes.count
        var body = ByteWriter(capacity: pageBudget)
        var time = firstTime
        var id: Int64 = 0
        var count = 0
        for entry in entries.prefix(maxEntries) {
            let mark = body.bytes.count
            let entryTime = RecordCodec.milliseconds(entry.time)
            body.zigzag(entryTime - time)
            var tag = entry.action.rawValue
            if entry.digest.count == JournalEntry.digestLength { tag |= hasDigest }
            if !entry.note.isEmpty { tag |= hasNote }
            if !entry.wilayah.isEmpty { tag |= hasWilayah }
            body.byte(tag)
            body.zigzag(Int64(entry.householdID.rawValue) - id)
            if tag & hasDigest != 0 { body.bytes.append(contentsOf: entry.digest) }
            if tag & hasNote != 0 { body.string(entry.note) }
            if tag & hasWilayah != 0 {
                body.varint(entry.wilayah.count)
                for code in entry.wilayah {
                    body.byte(UInt8(code.level.rawValue))
                    body.varint(code.packed)
                }
            }
            if body.bytes.count > budget, count > 0 {
                body.bytes.removeSubrange(mark...)
                break
            }
            time = entryTime
            id = Int64(entry.householdID.rawValue)
            count += 1
        }
        var block = ByteWriter(capacity: body.bytes.count + actor.utf8.count + 16)
        block.varint(count)
        block.string(actor)
        block.varint(UInt64(max(0, firstTime)))
        block.bytes.append(contentsOf: body.bytes)
        return (block.bytes, count)
    }

    /// Positions `cursor` (on the journal) at the block holding `sequence`: the last one that
    /// starts at or before it. False when none does.
    static func seek(_ cursor: Cursor, toBlockHolding sequence: UInt64) throws -> Bool {
        let found = try cursor.seek(Keys.journal(sequence))
        if found, Keys.read(cursor.keyBytes, width: 8) <= sequence { return true }
        return try cursor.move(found ? MDB_PREV : MDB_LAST)
    }

    /// The sequence of the journal's newest entry (0 for an empty journal).
    static func lastSequence(_ txn: Txn, journal: MDB_dbi) throws -> UInt64 {
        let cursor = try txn.cursor(journal)
        guard try cursor.move(MDB_LAST) else { return 0 }
        var reader = ByteReader(cursor.valueBytes)
        return Keys.read(cursor.keyBytes, width: 8) + (try reader.varint()) - 1
    }

    static func decode(first: UInt64, _ buffer: UnsafeRawBufferPointer) throws -> [JournalEntry] {
        var reader = ByteReader(buffer)
        let count = try reader.int()
        guard count <= maxEntries else { throw ByteReader.corrupt("journal block") }
        let actor = try reader.string()
        var time = Int64(try reader.varint())
        var id: Int64 = 0
        var entries: [JournalEntry] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            time += try reader.zigzag()
            let tag = try reader.byte()
            guard let action = JournalEntry.Action(rawValue: tag & 0x1F) else { throw ByteReader.corrupt("journal action") }
            id += try reader.zigzag()
            let length = tag & hasDigest != 0 ? JournalEntry.digestLength : 0
            guard reader.offset + length <= buffer.count, id >= 0 else { throw ByteReader.corrupt("journal digest") }
            let digest = Array(buffer[reader.offset..<reader.offset + length])
            reader.offset += length
            let note = tag & hasNote != 0 ? try reader.string() : ""
            var wilayah: [KodeWilayah] = []
            if tag & hasWilayah != 0 {
                let codes = try reader.int()
                guard codes <= 2 else { throw ByteReader.corrupt("journal wilayah") }
                for _ in 0..<codes {
                    guard let level = KodeWilayah.Level(rawValue: Int(try reader.byte())) else { throw ByteReader.corrupt("journal wilayah") }
                    wilayah.append(KodeWilayah(unchecked: try reader.varint(), level: level))
                }
            }
            entries.append(JournalEntry(
                sequence: first + UInt64(index), time: RecordCodec.date(milliseconds: time), actor: actor,
                action: action, householdID: HouseholdID(rawValue: UInt64(id)), digest: digest, note: note, wilayah: wilayah))
        }
        return entries
    }
}
