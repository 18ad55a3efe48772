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

        /// Whether the action wrote or deleted its household's record (a request only names it).
        var changesRecord: Bool { self != .request && self != .event }

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
    /// For an insert read from its record (``fromRecord``) it is filled in when read.
    public internal(set) var digest: [UInt8]
    /// An insert of a bulk load in a store of format 3, whose block holds neither digest nor
    /// desa: while the insert is its household's last change, they are the stored record's;
    /// after, the next change's ``priorDigest`` and first desa (the one it moved from). Saves
    /// about 23 of 26 bytes a household of a bulk load.
    public let fromRecord: Bool
    /// An entry read from its record whose digest and desa are not yet filled in.
    var awaitsRecord: Bool { fromRecord && digest.isEmpty }
    /// The digest of the record this entry replaced, when the household's journal did not hold
    /// it: the first change after an insert read from its record (format 3). Empty otherwise.
    public let priorDigest: [UInt8]
    /// Free text for events (such as the reason for a replaced snapshot).
    public let note: String
    /// The desa the household was in before the change and is in after it (one code when they
    /// agree), so a feed can be cut to a wilayah scope; empty for events, and for entries written
    /// before journals carried it. Filled in when read for an insert read from its record.
    public internal(set) var wilayah: [KodeWilayah]

    public init(
        sequence: UInt64, time: Date, actor: String, action: Action, householdID: HouseholdID, digest: [UInt8],
        note: String = "", wilayah: [KodeWilayah] = [], fromRecord: Bool = false, priorDigest: [UInt8] = []
    ) {
        self.sequence = sequence
        self.time = time
        self.actor = actor
        self.action = action
        self.householdID = householdID
        self.digest = digest
        self.fromRecord = fromRecord
        self.priorDigest = priorDigest
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

    /// The digest of a stored record: of its payload, opened with `compressor`.
    static func digest(ofStored stored: UnsafeRawBufferPointer, _ compressor: Compressor) throws -> [UInt8] {
        try compressor.open(stored) { digest(of: $0) }
    }

}

/// The journal on disk: blocks of consecutive entries, keyed by the first entry's sequence number.
///
/// A transaction appends its entries as blocks with one actor, each as many entries as fit one
/// overflow page (``pageBudget``, at most ``maxEntries``), so a bulk load of a million households
/// costs about 3 bytes an entry in format 3 (27 with its digest and desa), not a B-tree node
/// each. Block layout: count, actor, first time (ms), then per entry: time delta, action (3 bits)
/// with flags (read from the record, prior digest, wilayah, digest, note present), id delta
/// (zigzag), the digest, the prior digest, the note, the desa codes (a count of 0: the previous
/// entry's, format 3).
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
    private static let actionBits: UInt8 = 0x07
    private static let fromRecord: UInt8 = 0x08
    private static let hasPriorDigest: UInt8 = 0x10
    private static let hasWilayah: UInt8 = 0x20
    private static let hasDigest: UInt8 = 0x40
    private static let hasNote: UInt8 = 0x80

    /// The longest prefix of `entries` (at least one entry) that fits ``pageBudget`` and
    /// ``maxEntries``, encoded; and how many entries it holds. `repeatWilayah` (format 3) writes
    /// an entry's desa codes that equal the previous entry's as a count of 0.
    static func encode(prefixOf entries: ArraySlice<JournalEntry>, repeatWilayah: Bool = true) -> (bytes: [UInt8], count: Int) {
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
        var wilayah: [KodeWilayah] = []
        for entry in entries.prefix(maxEntries) {
            let mark = body.bytes.count
            let entryTime = RecordCodec.milliseconds(entry.time)
            body.zigzag(entryTime - time)
            var tag = entry.action.rawValue
            if entry.fromRecord {
                tag |= fromRecord
            } else if entry.digest.count == JournalEntry.digestLength {
                tag |= hasDigest
            }
            if entry.priorDigest.count == JournalEntry.digestLength { tag |= hasPriorDigest }
            if !entry.note.isEmpty { tag |= hasNote }
            if !entry.wilayah.isEmpty { tag |= hasWilayah }
            body.byte(tag)
            body.zigzag(Int64(entry.householdID.rawValue) - id)
            if tag & hasDigest != 0 { body.bytes.append(contentsOf: entry.digest) }
            if tag & hasPriorDigest != 0 { body.bytes.append(contentsOf: entry.priorDigest) }
            if tag & hasNote != 0 { body.string(entry.note) }
            if tag & hasWilayah != 0 {
                if repeatWilayah && entry.wilayah == wilayah {
                    body.varint(0)
                } else {
                    body.varint(entry.wilayah.count)
                    for code in entry.wilayah {
                        body.byte(UInt8(code.level.rawValue))
                        body.varint(code.packed)
                    }
                }
            }
            if body.bytes.count > budget, count > 0 {
                body.bytes.removeSubrange(mark...)
                break
            }
            time = entryTime
            id = Int64(entry.householdID.rawValue)
            if tag & hasWilayah != 0 { wilayah = entry.wilayah }
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
        var previous: [KodeWilayah] = []
        var entries: [JournalEntry] = []
        entries.reserveCapacity(count)
        func digest(_ present: Bool) throws -> [UInt8] {
            guard present else { return [] }
            guard reader.offset + JournalEntry.digestLength <= buffer.count else { throw ByteReader.corrupt("journal digest") }
            defer { reader.offset += JournalEntry.digestLength }
            return Array(buffer[reader.offset..<reader.offset + JournalEntry.digestLength])
        }
        for index in 0..<count {
            time += try reader.zigzag()
            let tag = try reader.byte()
            guard let action = JournalEntry.Action(rawValue: tag & actionBits) else { throw ByteReader.corrupt("journal action") }
            id += try reader.zigzag()
            guard id >= 0 else { throw ByteReader.corrupt("journal household") }
            let entryDigest = try digest(tag & hasDigest != 0)
            let prior = try digest(tag & hasPriorDigest != 0)
            let note = tag & hasNote != 0 ? try reader.string() : ""
            var wilayah: [KodeWilayah] = []
            if tag & hasWilayah != 0 {
                let codes = try reader.int()
                guard codes <= 2, codes > 0 || !previous.isEmpty else { throw ByteReader.corrupt("journal wilayah") }
                for _ in 0..<codes {
                    guard let level = KodeWilayah.Level(rawValue: Int(try reader.byte())) else { throw ByteReader.corrupt("journal wilayah") }
                    wilayah.append(KodeWilayah(unchecked: try reader.varint(), level: level))
                }
                if codes == 0 { wilayah = previous } else { previous = wilayah }
            }
            entries.append(JournalEntry(
                sequence: first + UInt64(index), time: RecordCodec.date(milliseconds: time), actor: actor,
                action: action, householdID: HouseholdID(rawValue: UInt64(id)), digest: entryDigest, note: note, wilayah: wilayah,
                fromRecord: tag & fromRecord != 0, priorDigest: prior))
        }
        return entries
    }
}
