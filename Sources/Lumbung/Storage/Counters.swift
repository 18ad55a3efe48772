import CLMDB

/// Household and member counts per wilayah level and dimension, kept in the write transaction.
///
/// A transaction adds deltas at the desa level only; the flush expands them to kecamatan,
/// kabupaten, provinsi and national keys, so a bulk load touches each counter once.
struct CounterDeltas {
    private struct Delta { var households: Int64 = 0, members: Int64 = 0 }
    private var deltas: [UInt64: Delta] = [:]

    var isEmpty: Bool { deltas.isEmpty }

    /// Adds (sign +1) or removes (sign -1) a household's contribution.
    mutating func add(_ household: Household, sign: Int64) {
        add(Contribution(household), sign: sign)
    }

    mutating func add(_ contribution: Contribution, sign: Int64) {
        contribution.forEachValue { dimension, value in
            bump(contribution.desa, dimension, value, sign, dimension.members(value: value, of: contribution) * sign)
        }
    }

    /// Adds another set of deltas (a part of the same walk).
    mutating func add(_ other: CounterDeltas) {
        deltas.merge(other.deltas) { Delta(households: $0.households + $1.households, members: $0.members + $1.members) }
    }

    /// Moves a household's counters from `old` to `new`, touching only the dimensions whose
    /// values changed when the desa and every member count stay (a new desil).
    mutating func replaceValues(_ old: Contribution, with new: Contribution) {
        guard old.desa == new.desa, old.members == new.members, old.invalidNIKs == new.invalidNIKs,
            old.missingNIKs == new.missingNIKs, old.dukcapilMembers == new.dukcapilMembers
        else {
            add(old, sign: -1)
            add(new, sign: 1)
            return
        }
        IndexDimension.forEach { dimension in
            guard !dimension.isPrimary else { return }
            let before = dimension.values(old.summary) & ~1, after = dimension.values(new.summary) & ~1
            guard before != after else { return }
            for value in IndexDimension.values(in: before) {
                bump(old.desa, dimension, value, -1, -dimension.members(value: value, of: old))
            }
            for value in IndexDimension.values(in: after) {
                bump(new.desa, dimension, value, 1, dimension.members(value: value, of: new))
            }
        }
    }

    @inline(__always)
    private mutating func bump(_ desa: UInt64, _ dimension: IndexDimension, _ value: UInt8, _ households: Int64, _ members: Int64) {
        let key = desa << 16 | UInt64(dimension.rawValue) << 8 | UInt64(value)
        Self.add(households, members, to: &deltas[key, default: Delta()])
    }

    /// One hash lookup a bump: the dictionary's entry is changed in place.
    @inline(__always)
    private static func add(_ households: Int64, _ members: Int64, to delta: inout Delta) {
        delta.households += households
        delta.members += members
    }

    /// The deltas at every level, by counter key: (households, members).
    func expanded() -> [[UInt8]: (Int64, Int64)] {
        var expanded: [[UInt8]: (Int64, Int64)] = [:]
        for (key, delta) in deltas where delta.households != 0 || delta.members != 0 {
            let desa = key >> 16
            let dimension = IndexDimension(rawValue: UInt8(truncatingIfNeeded: key >> 8))!
            let value = UInt8(truncatingIfNeeded: key)
            for level in 0...4 {
                let counterKey = Keys.counter(level: level, code: WilayahLevels.truncate(desa, toLevel: level), dimension: dimension, value: value)
                expanded[counterKey, default: (0, 0)].0 += delta.households
                expanded[counterKey, default: (0, 0)].1 += delta.members
            }
        }
        return expanded
    }

    /// A counter key in words, for check reports.
    static func describe(_ key: [UInt8]) -> String {
        guard key.count == 8 else { return "?" }
        let code = key.withUnsafeBytes { Keys.read($0, at: 1, width: 5) }
        let dimension = IndexDimension(counterCode: key[6])?.counterName ?? "?"
        return "level \(key[0]) wilayah \(code) \(dimension)=\(key[7])"
    }

    /// Applies the deltas at every level and clears them.
    mutating func flush(into txn: Txn, dbi: MDB_dbi) throws {
        guard !deltas.isEmpty else { return }
        let expanded = self.expanded()
        deltas.removeAll(keepingCapacity: true)
        for (key, delta) in expanded.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            var households = delta.0, members = delta.1
            if let stored = try txn.get(dbi, key) {
                households += Int64(bitPattern: Keys.read(stored.buffer, width: 8))
                members += Int64(bitPattern: Keys.read(stored.buffer, at: 8, width: 8))
            }
            if households == 0 && members == 0 {
                try txn.delete(dbi, key)
            } else {
                try txn.put(dbi, key, Keys.be(UInt64(bitPattern: households), width: 8) + Keys.be(UInt64(bitPattern: members), width: 8))
            }
        }
    }
}

/// Counts of households and of their members.
public struct Count: Hashable, Sendable, CustomStringConvertible {
    public var households: Int
    public var members: Int

    public init(households: Int = 0, members: Int = 0) {
        self.households = households
        self.members = members
    }

    public static let zero = Count()
    public var description: String { "\(households) households, \(members) members" }

    static func += (lhs: inout Count, rhs: Count) {
        lhs.households += rhs.households
        lhs.members += rhs.members
    }
}

/// The counters of one wilayah (or the whole store): totals by status, program and desil.
public struct RegionCounts: Hashable, Sendable {
    public var wilayah: KodeWilayah?
    /// Every counter read, by counter code << 8 | value.
    private var counters: [UInt16: Count] = [:]

    public init(wilayah: KodeWilayah?) { self.wilayah = wilayah }

    public var total: Count { count(.wilayah, value: 0) }
    public var byStatus: [HouseholdStatus: Count] { counts(.status, HouseholdStatus.init(code:)) }
    public var byProgram: [Program: Count] { counts(.program, Program.init(rawValue:)) }
    public var byDesil: [Int: Count] { counts(.desil) { Int($0) } }
    /// Members whose NIK is invalid or missing (households: those with at least one such member).
    public var flaggedNIK: [NIKStatus.Kind: Count] { counts(.nikStatus, NIKStatus.Kind.init(flagValue:)) }
    /// Members by Dukcapil status (households: those with at least one such member).
    public var byDukcapil: [DukcapilStatus: Count] { counts(.dukcapil, DukcapilStatus.init(rawValue:)) }

    /// The counter of one value of a dimension (zero when none is stored).
    func count(_ dimension: IndexDimension, value: UInt8) -> Count {
        counters[UInt16(dimension.counterCode) << 8 | UInt16(value)] ?? .zero
    }

    private func counts<Key: Hashable>(_ dimension: IndexDimension, _ key: (UInt8) -> Key?) -> [Key: Count] {
        var result: [Key: Count] = [:]
        for (code, count) in counters where UInt8(code >> 8) == dimension.counterCode {
            if let key = key(UInt8(truncatingIfNeeded: code)) { result[key] = count }
        }
        return result
    }

    /// Adds the counter under a counters-database cursor (key: level, wilayah, code, value).
    mutating func read(_ cursor: Cursor) {
        let key = cursor.keyBytes, value = cursor.valueBytes
        counters[UInt16(key[key.count - 2]) << 8 | UInt16(key[key.count - 1])] = Count(
            households: Int(Int64(bitPattern: Keys.read(value, width: 8))),
            members: Int(Int64(bitPattern: Keys.read(value, at: 8, width: 8))))
    }
}

/// Level arithmetic on packed 10-digit wilayah codes.
enum WilayahLevels {
    /// Level 0 is national, 1 provinsi, 2 kabupaten, 3 kecamatan, 4 desa.
    static func truncate(_ desa: UInt64, toLevel level: Int) -> UInt64 {
        switch level {
        case 0: 0
        case 1: desa / 100_000_000 * 100_000_000
        case 2: desa / 1_000_000 * 1_000_000
        case 3: desa / 10_000 * 10_000
        default: desa
        }
    }

    static func level(of code: KodeWilayah?) -> Int { code.map { $0.level.rawValue } ?? 0 }
}

extension ReadTransaction {
    /// Counts for a wilayah at any level (nil: the whole store), read from the counters:
    /// the cost does not grow with the number of households.
    public func counts(wilayah: KodeWilayah? = nil) throws -> RegionCounts {
        try ensureValid()
        var result = RegionCounts(wilayah: wilayah)
        let level = WilayahLevels.level(of: wilayah)
        let code = wilayah?.packed ?? 0
        var prefix: [UInt8] = [UInt8(level)]
        Keys.append(code, width: Keys.desaWidth, to: &prefix)
        let cursor = try txn.cursor(dbs.counters)
        var found = try cursor.seek(prefix)
        while found, cursor.keyBytes.starts(with: prefix) {
            result.read(cursor)
            found = try cursor.move(MDB_NEXT)
        }
        return result
    }
}
