/// Byte layouts of every key and index entry. Big-endian, so byte order is numeric order.
enum Keys {
    @inline(__always)
    static func append(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        var shift = (width - 1) * 8
        while shift >= 0 {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
            shift -= 8
        }
    }

    @inline(__always)
    static func be(_ value: UInt64, width: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(width)
        append(value, width: width, to: &bytes)
        return bytes
    }

    /// The low `width` bytes (at most 16) of `value`, big-endian.
    static func be(wide value: UInt128, width: Int) -> [UInt8] {
        (0..<width).map { UInt8(truncatingIfNeeded: value >> UInt128(8 * (width - 1 - $0))) }
    }

    @inline(__always)
    static func read(_ buffer: UnsafeRawBufferPointer, at offset: Int = 0, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<(offset + width) { value = value << 8 | UInt64(buffer[index]) }
        return value
    }

    /// Record key: the household id, 4 bytes.
    static let idWidth = 4
    static func record(_ id: HouseholdID) -> [UInt8] {
        // A wider id would wrap onto another household's key; callers refuse such ids first.
        precondition(id.isStorable, "household id \(id) does not fit a record key")
        return be(id.rawValue, width: idWidth)
    }

    /// The big-endian number in bytes `offset ..< offset + width` (at most 16).
    @inline(__always)
    static func readWide(_ buffer: UnsafeRawBufferPointer, at offset: Int = 0, width: Int) -> UInt128 {
        var value: UInt128 = 0
        for index in offset..<(offset + width) { value = value << 8 | UInt128(buffer[index]) }
        return value
    }

    // MARK: Unique NIK / KK indexes: see ``UniqueLayout``, which a store's format chooses.

    // MARK: Unique source-id index `idx.source`: key = the source id's UTF-8 bytes (at most
    // 256, inside LMDB's 511), value = household id (4 bytes).

    static let sourceIndexName = "idx.source"

    static func sourceID(_ sourceID: SourceID) -> [UInt8] { Array(sourceID.text.utf8) }

    // MARK: Secondary indexes: key = [dimension value]? + desa code (5 bytes).
    // The wilayah index's dup is id (4) + summary (4); the others hold the id (4) alone and
    // borrow the summary from the wilayah index when a scan filters on more than one dimension.

    static let desaWidth = 5

    static func secondaryKey(prefix: UInt8?, desa: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(6)
        if let prefix { bytes.append(prefix) }
        append(desa, width: desaWidth, to: &bytes)
        return bytes
    }

    static let summaryWidth = 4

    static func entry(_ id: HouseholdID, _ summary: IndexSummary?) -> [UInt8] {
        let packed = packedEntry(id, summary)
        return be(wide: packed.bits, width: packed.width)
    }

    /// A secondary index entry as one big-endian integer: the id (``idWidth`` bytes), then the
    /// summary (``summaryWidth``) in the primary index's entries.
    @inline(__always)
    static func packedEntry(_ id: HouseholdID, _ summary: IndexSummary?) -> (bits: UInt128, width: Int) {
        let id = UInt128(id.rawValue & 0xFFFF_FFFF)
        guard let summary else { return (id, idWidth) }
        return (id << UInt128(8 * summaryWidth) | UInt128(summary.packed), idWidth + summaryWidth)
    }

    static func splitEntry(_ buffer: UnsafeRawBufferPointer) -> (id: HouseholdID, summary: IndexSummary?) {
        let id = HouseholdID(rawValue: read(buffer, width: idWidth))
        guard buffer.count >= idWidth + summaryWidth else { return (id, nil) }
        return (id, IndexSummary(packed: UInt32(read(buffer, at: idWidth, width: summaryWidth))))
    }

    /// Where a secondary index key's value byte goes in a key packed into an integer.
    static let secondaryValueShift = UInt64(desaWidth * 8)

    // MARK: Counters: key = level (1) + wilayah prefix (5) + dimension (1) + value (1).

    static func counter(level: Int, code: UInt64, dimension: IndexDimension, value: UInt8) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(level)]
        append(code, width: desaWidth, to: &bytes)
        bytes.append(dimension.counterCode)
        bytes.append(value)
        return bytes
    }

    // MARK: Change requests: `requests` key = request id (8 bytes) → ``RequestCodec`` bytes.
    // `idx.requests` (DUPSORT, DUPFIXED): key = kind byte + value → request ids (8 bytes each),
    // in id order; see ``RequestIndexKey``.

    static let requestsName = "requests"
    static let requestIndexName = "idx.requests"
    static let requestIDWidth = 8

    static func request(_ id: RequestID) -> [UInt8] { be(id.rawValue, width: requestIDWidth) }

    // MARK: Journal: key = sequence number (8 bytes).

    static func journal(_ sequence: UInt64) -> [UInt8] { be(sequence, width: 8) }

    // MARK: Journal by household `idx.journal` (DUPSORT, DUPFIXED): key = the household id's
    // high 2 bytes; dup = its low 2 bytes, then the entry's sequence (6 bytes). A household's
    // entries lie side by side in sequence order, and with so few keys nearly every entry is a
    // packed 8-byte duplicate: about 8 bytes an entry (a key per household would cost 22).
    // ``JournalIndex`` writes, reads and checks it through these alone.

    static let journalIndexName = "idx.journal"
    static let journalIndexKeyWidth = 2
    static let journalIndexDupWidth = 8
    /// Sequences the index can hold: below 2⁴⁸ (a million changes a day for 770,000 years).
    static let journalIndexSequenceLimit: UInt64 = 1 << 48

    /// The key (as an integer of ``journalIndexKeyWidth`` bytes) of household `id`'s entries.
    @inline(__always)
    static func journalIndexKey(_ id: HouseholdID) -> UInt64 { id.rawValue >> 16 }

    /// The duplicate (an integer of ``journalIndexDupWidth`` bytes) for entry `sequence` of `id`.
    @inline(__always)
    static func journalIndexDup(_ id: HouseholdID, _ sequence: UInt64) -> UInt64 { (id.rawValue & 0xFFFF) << 48 | sequence }

    /// The household and sequence of a stored entry (the inverse of the two above).
    @inline(__always)
    static func splitJournalIndex(key: UInt64, dup: UInt64) -> (id: HouseholdID, sequence: UInt64) {
        (HouseholdID(rawValue: key << 16 | dup >> 48), dup & (journalIndexSequenceLimit - 1))
    }
}

/// What an index entry carries so a scan can filter and count without decoding records:
/// (status, desil and NIK flags, programs, members), one byte each, in this order on disk; the
/// top two bits of the first two bytes hold the members' Dukcapil statuses (``dukcapil``).
/// ``Contribution`` builds it from a household; ``IndexDimension/values(_:)`` reads it.
struct IndexSummary: Hashable, Sendable {
    /// Bits 0-5: ``HouseholdStatus/code``; bits 6-7: see ``dukcapil``.
    var status: UInt8
    /// Low nibble: desil (0 = none). Bits 4 and 5: ``NIKStatus/Kind/summaryFlag`` (a member
    /// has an invalid NIK, a member has none). Bits 6-7: see ``dukcapil``.
    var desilAndFlags: UInt8
    /// ``Program/summaryByte(_:)``: bit n-1 for program raw value n.
    var programs: UInt8
    /// Member count, capped at 255.
    var members: UInt8

    init(status: UInt8, desilAndFlags: UInt8, programs: UInt8, members: UInt8) {
        self.status = status
        self.desilAndFlags = desilAndFlags
        self.programs = programs
        self.members = members
    }

    /// The four bytes as one big-endian integer, as an index entry stores them.
    init(packed: UInt32) {
        self.init(
            status: UInt8(truncatingIfNeeded: packed >> 24), desilAndFlags: UInt8(truncatingIfNeeded: packed >> 16),
            programs: UInt8(truncatingIfNeeded: packed >> 8), members: UInt8(truncatingIfNeeded: packed))
    }

    init(_ household: Household) { self = Contribution(household).summary }

    var packed: UInt32 { UInt32(status) << 24 | UInt32(desilAndFlags) << 16 | UInt32(programs) << 8 | UInt32(members) }

    /// The smallest summary: with an id, the first possible entry of that id.
    static let floor = IndexSummary(packed: 0)

    var desil: Int? {
        get { desilAndFlags & 0x0F == 0 ? nil : Int(desilAndFlags & 0x0F) }
        set { desilAndFlags = desilAndFlags & 0xF0 | UInt8(newValue ?? 0) }
    }

    // The Dukcapil statuses some member has, one bit each, in the bytes' free top bits (stores
    // written before them have 0 there: no results): padan in status bit 6, tidak_padan bit 7,
    // ganda in desilAndFlags bit 6, meninggal bit 7.

    /// The ``DukcapilStatus`` values present, as a value bitmask (bit v for value v).
    @inline(__always)
    var dukcapil: UInt64 { UInt64(status >> 6) << 1 | UInt64(desilAndFlags >> 6) << 3 }

    /// Sets the statuses of a value bitmask (values 1...4).
    mutating func setDukcapil(_ mask: UInt64) {
        status = status & 0x3F | UInt8(truncatingIfNeeded: (mask >> 1) & 3) << 6
        desilAndFlags = desilAndFlags & 0x3F | UInt8(truncatingIfNeeded: (mask >> 3) & 3) << 6
    }
}
