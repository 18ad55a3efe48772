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

    // MARK: Unique NIK / KK index: key = first 8 digits, PPKKCC DD (4 bytes);
    // dup = last 8 digits << 32 | id (8 bytes). Few keys with many packed duplicates each keep
    // the index near 8 bytes a NIK.

    static let uniqueSplit: UInt64 = 100_000_000
    static let uniqueKeyWidth = 4

    static func uniqueKey(_ number: UInt64) -> [UInt8] { be(number / uniqueSplit, width: uniqueKeyWidth) }

    static func uniqueDup(_ number: UInt64, _ id: HouseholdID) -> [UInt8] {
        be((number % uniqueSplit) << 32 | id.rawValue, width: uniqueDupWidth)
    }

    /// The smallest dup for `number`, for MDB_GET_BOTH_RANGE.
    static func uniqueDupFloor(_ number: UInt64) -> [UInt8] { be((number % uniqueSplit) << 32, width: uniqueDupWidth) }

    static let uniqueDupWidth = 8

    /// Splits a stored dup into (last 6 digits, id).
    static func splitUniqueDup(_ buffer: UnsafeRawBufferPointer) -> (low: UInt64, id: HouseholdID) {
        let value = read(buffer, width: uniqueDupWidth)
        return (value >> 32, HouseholdID(rawValue: value & 0xFFFF_FFFF))
    }

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

    static func entry(_ id: HouseholdID, _ summary: IndexSummary?) -> [UInt8] {
        var bytes = be(id.rawValue, width: idWidth)
        guard let summary else { return bytes }
        bytes.append(summary.status)
        bytes.append(summary.desilAndFlags)
        bytes.append(summary.programs)
        bytes.append(summary.members)
        return bytes
    }

    static func splitEntry(_ buffer: UnsafeRawBufferPointer) -> (id: HouseholdID, summary: IndexSummary?) {
        let id = HouseholdID(rawValue: read(buffer, width: idWidth))
        guard buffer.count >= idWidth + 4 else { return (id, nil) }
        return (id, IndexSummary(status: buffer[4], desilAndFlags: buffer[5], programs: buffer[6], members: buffer[7]))
    }

    // MARK: Counters: key = level (1) + wilayah prefix (5) + dimension (1) + value (1).

    static func counter(level: Int, code: UInt64, dimension: CounterDimension, value: UInt8) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(level)]
        append(code, width: desaWidth, to: &bytes)
        bytes.append(dimension.rawValue)
        bytes.append(value)
        return bytes
    }

    // MARK: Journal: key = sequence number (8 bytes).

    static func journal(_ sequence: UInt64) -> [UInt8] { be(sequence, width: 8) }
}

/// What an index entry carries so a scan can filter and count without decoding records.
struct IndexSummary: Hashable, Sendable {
    var status: UInt8
    /// Low nibble: desil (0 = none). Bit 4: a member has an invalid NIK. Bit 5: a member has none.
    var desilAndFlags: UInt8
    /// Bit n-1 for program raw value n.
    var programs: UInt8
    /// Member count, capped at 255.
    var members: UInt8

    init(status: UInt8, desilAndFlags: UInt8, programs: UInt8, members: UInt8) {
        self.status = status
        self.desilAndFlags = desilAndFlags
        self.programs = programs
        self.members = members
    }

    init(_ household: Household) {
        status = household.status.code
        var flags = UInt8(household.desil ?? 0)
        for member in household.members {
            switch member.nik {
            case .invalid: flags |= 0x10
            case .missing: flags |= 0x20
            case .valid: break
            }
        }
        desilAndFlags = flags
        programs = household.programs.reduce(0) { $0 | (1 << ($1.rawValue - 1)) }
        members = UInt8(min(household.members.count, 255))
    }

    var desil: Int? { desilAndFlags & 0x0F == 0 ? nil : Int(desilAndFlags & 0x0F) }
    var hasInvalidNIK: Bool { desilAndFlags & 0x10 != 0 }
    var hasMissingNIK: Bool { desilAndFlags & 0x20 != 0 }
    func has(_ program: Program) -> Bool { programs & (1 << (program.rawValue - 1)) != 0 }
}

/// The dimensions the counters keep, per wilayah level.
enum CounterDimension: UInt8, CaseIterable {
    case total = 0
    case status = 1
    case program = 2
    case desil = 3
    /// Members whose NIK is flagged: value 1 = invalid, 2 = missing.
    case flaggedNIK = 4
}
