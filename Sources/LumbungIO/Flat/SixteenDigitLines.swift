/// The line each 16-digit number (a NIK, a Nomor KK) of a file was first seen on, in about
/// 11 bytes a number: what the file-wide duplicate checks remember of 40 million NIKs.
///
/// A `[UInt64: UInt32]` takes 12 bytes a bucket at a load of 0.375–0.75 and doubles, holding the
/// old table while it copies (1.15 GB at 40M NIKs). Here each number is mixed by a bijection of
/// its 54 bits; the top 18 bits pick one of 2^18 small open-addressing tables, the other 36 bits
/// are kept in a `UInt64` slot beside the line (28 bits), and each small table grows by a
/// quarter, so the load stays 0.64–0.8 and a growth copies only a few hundred slots.
/// Numbers past 54 bits and lines past 28 bits, which a register's file does not have, go to an
/// ordinary dictionary.
///
/// ```swift
/// var lines = SixteenDigitLines()
/// lines.firstLine(of: 3216_0512_3456_0001, orInsert: 7)   // nil: new, remembered on line 7
/// lines.firstLine(of: 3216_0512_3456_0001, orInsert: 9)   // 7
/// ```
struct SixteenDigitLines: Sendable {
    private static let numberBits = 54
    private static let partitionBits = 18
    private static let remainderBits = numberBits - partitionBits
    private static let remainderMask: UInt64 = 1 << remainderBits - 1
    /// A line field of all ones: the line is in `overflow`.
    private static let lineInOverflow: UInt64 = 1 << (64 - remainderBits) - 1

    /// Slot `(line << remainderBits) | remainder`; 0 is empty (a line is never 0).
    private var partitions = [[UInt64]](repeating: [], count: 1 << partitionBits)
    private var partitionCounts = [UInt32](repeating: 0, count: 1 << partitionBits)
    /// Numbers past 54 bits, and the lines of numbers first seen past line 2^28 - 2.
    private var overflow: [UInt64: UInt32] = [:]
    /// What a number takes on average: an 8-byte slot at a load of 0.64–0.8. For `--help`.
    static let bytesPerNumber = 11

    /// The distinct numbers remembered.
    private(set) var count = 0

    /// The line `number` was first seen on; or nil, when it is new, after remembering `line`
    /// for it (clamped to `UInt32`, as the issues print it).
    mutating func firstLine(of number: UInt64, orInsert line: Int) -> UInt32? {
        let line = UInt32(clamping: line)
        guard number >> Self.numberBits == 0 else {
            if let first = overflow[number] { return first }
            overflow[number] = line
            count += 1
            return nil
        }
        let mixed = Self.mix(number)
        let partition = Int(truncatingIfNeeded: mixed >> Self.remainderBits)
        let remainder = mixed & Self.remainderMask
        if let found = Self.find(remainder, in: partitions[partition]) {
            let field = found >> Self.remainderBits
            return field == Self.lineInOverflow ? overflow[number]! : UInt32(truncatingIfNeeded: field)
        }
        let filled = Int(partitionCounts[partition]) + 1
        // At most 0.8 full: linear probing stays short.
        if filled * 5 > partitions[partition].count * 4 { grow(partition) }
        var field = UInt64(line)
        if field >= Self.lineInOverflow {
            field = Self.lineInOverflow
            overflow[number] = line
        }
        Self.place(field << Self.remainderBits | remainder, in: &partitions[partition])
        partitionCounts[partition] = UInt32(filled)
        count += 1
        return nil
    }

    /// A bijection of 54-bit numbers that spreads NIKs (which share their leading region and
    /// birth-date digits) over every partition and slot: odd multiplications and xor-shifts,
    /// each invertible modulo 2^54.
    private static func mix(_ number: UInt64) -> UInt64 {
        let mask: UInt64 = 1 << numberBits - 1
        var value = number &* 0x9E37_79B9_7F4A_7C15 & mask
        value ^= value >> 29
        value = value &* 0xBF58_476D_1CE4_E5B9 & mask
        value ^= value >> 27
        return value
    }

    /// Where a remainder's probe starts: its high bits scaled to the table (no modulo, any size).
    private static func start(_ remainder: UInt64, capacity: Int) -> Int {
        Int(truncatingIfNeeded: (remainder &* UInt64(capacity)) >> remainderBits)
    }

    /// The slot holding `remainder`, if any.
    private static func find(_ remainder: UInt64, in slots: [UInt64]) -> UInt64? {
        guard !slots.isEmpty else { return nil }
        return slots.withUnsafeBufferPointer { slots in
            var index = start(remainder, capacity: slots.count)
            while true {
                let slot = slots[index]
                if slot == 0 { return nil }
                if slot & remainderMask == remainder { return slot }
                index += 1
                if index == slots.count { index = 0 }
            }
        }
    }

    /// Puts a slot in the first empty place of its probe (the table has room).
    private static func place(_ slot: UInt64, in slots: inout [UInt64]) {
        slots.withUnsafeMutableBufferPointer { slots in
            var index = start(slot & remainderMask, capacity: slots.count)
            while slots[index] != 0 {
                index += 1
                if index == slots.count { index = 0 }
            }
            slots[index] = slot
        }
    }

    /// Grows one small table by a quarter (at least 8 slots), placing its slots again.
    private mutating func grow(_ partition: Int) {
        let old = partitions[partition]
        var slots = [UInt64](repeating: 0, count: old.count + max(8, old.count / 4))
        for slot in old where slot != 0 { Self.place(slot, in: &slots) }
        partitions[partition] = slots
    }
}
