import CLMDB

/// Each household's desil by ranking version: the `desil.history` database.
///
/// Key: household id (4) + version days (4), big-endian, so one household's entries are
/// adjacent and ascending by version; value: the desil (1 byte). `lumbung desil import` writes
/// an entry for every household it ranks, in the transaction that sets the current desil; a
/// household keeps its newest ``maxVersions`` entries, and loses them all when it is deleted.
///
/// ```swift
/// let history = try store.read { tx in try tx.desilHistory(id: id) }   // [(2025-07-01, 3), (2026-01-23, 2)]
/// ```
enum DesilHistory {
    static let databaseName = "desil.history"
    /// The most versions kept per household (BPS re-ranks a few times a year).
    static let maxVersions = 24
    static let keyWidth = Keys.idWidth + 4

    /// The key as one big-endian integer of ``keyWidth`` bytes; version 0 is before any
    /// version, so `packedKey(id, 0)` is where a household's entries start.
    static func packedKey(_ id: HouseholdID, _ ordinal: Int) -> UInt64 {
        UInt64(id.rawValue) << 32 | UInt64(UInt32(ordinal))
    }

    /// Puts one entry and drops the household's oldest beyond ``maxVersions``, without
    /// allocating (a ranking puts one for every household).
    static func put(_ cursor: Cursor, id: HouseholdID, version: DesilVersion, desil: Int) throws {
        try cursor.put(key: packedKey(id, version.ordinal), keyWidth: keyWidth, value: UInt64(desil), valueWidth: 1, flags: 0)
        // Counted from the new entry, where the put leaves the cursor: a household has a few.
        func isHousehold() -> Bool { holds(cursor, id) }
        var count = 1
        while try cursor.move(MDB_PREV), isHousehold() { count += 1 }
        _ = try cursor.seek(key: packedKey(id, version.ordinal), keyWidth: keyWidth, MDB_SET_KEY)
        while try cursor.move(MDB_NEXT), isHousehold() { count += 1 }
        guard count > maxVersions else { return }
        var surplus = count - maxVersions
        while surplus > 0, try first(cursor, id) {
            try cursor.deleteCurrent()
            surplus -= 1
        }
    }

    /// Deletes every entry of a household.
    static func delete(_ txn: Txn, dbi: MDB_dbi, id: HouseholdID) throws {
        let cursor = try txn.cursor(dbi)
        while try first(cursor, id) { try cursor.deleteCurrent() }
    }

    /// Positions `cursor` at the household's oldest entry; false when it has none.
    static func first(_ cursor: Cursor, _ id: HouseholdID) throws -> Bool {
        try cursor.seek(key: packedKey(id, 0), keyWidth: keyWidth, MDB_SET_RANGE) && holds(cursor, id)
    }

    /// Whether the cursor's entry is the household's.
    @inline(__always)
    static func holds(_ cursor: Cursor, _ id: HouseholdID) -> Bool {
        Keys.read(cursor.keyBytes, width: Keys.idWidth) == id.rawValue
    }

    /// The version ordinal of the cursor's entry.
    static func ordinal(_ cursor: Cursor) -> Int {
        Int(Keys.read(cursor.keyBytes, at: Keys.idWidth, width: keyWidth - Keys.idWidth))
    }
}

/// One entry of a household's desil history.
public struct DesilHistoryEntry: Hashable, Sendable {
    public var version: DesilVersion
    public var desil: Int

    public init(version: DesilVersion, desil: Int) {
        self.version = version
        self.desil = desil
    }
}

extension ReadTransaction {
    /// The desils a household was given by imported rankings, oldest version first (empty for
    /// an unknown id, or a store that predates the history).
    public func desilHistory(id: HouseholdID) throws -> [DesilHistoryEntry] {
        try ensureValid()
        guard id.isStorable, let dbi = dbs.desilHistory else { return [] }
        let cursor = try txn.cursor(dbi)
        var found = try DesilHistory.first(cursor, id)
        var entries: [DesilHistoryEntry] = []
        while found {
            entries.append(DesilHistoryEntry(version: DesilVersion(ordinal: DesilHistory.ordinal(cursor)), desil: Int(cursor.valueBytes[0])))
            found = try cursor.move(MDB_NEXT) && DesilHistory.holds(cursor, id)
        }
        return entries
    }
}

extension ReadTransaction {
    /// `check`'s part for `desil.history`, in one pass in key order with a cursor on each table
    /// (no memory beyond them): every entry is a stored household's (`desilHistoryOrphan`), keyed
    /// by its id and a version and holding a desil under ``Household/desilRule``, and no household
    /// holds more than ``DesilHistory/maxVersions`` (`desilHistoryInvalid`).
    func checkDesilHistory(limit: Int) throws -> CheckReport {
        var report = CheckReport()
        guard let dbi = dbs.desilHistory else { return report }
        let history = try txn.cursor(dbi)
        defer { history.close() }
        let records = try txn.cursor(dbs.records)
        defer { records.close() }
        var household: UInt64?
        var versions = 0
        var found = try history.move(MDB_FIRST)
        while found {
            defer { found = (try? history.move(MDB_NEXT)) ?? false }
            let key = history.keyBytes, value = history.valueBytes
            guard key.count == DesilHistory.keyWidth, value.count == 1 else {
                report.report(.desilHistoryInvalid, nil, "desil.history holds an entry with a \(key.count)-byte key and a \(value.count)-byte value (an entry is \(DesilHistory.keyWidth) and 1)", limit: limit)
                continue
            }
            let id = Keys.read(key, width: Keys.idWidth)
            if id != household {
                household = id
                versions = 0
                if try !records.seek(key: id, keyWidth: Keys.idWidth, MDB_SET_KEY) {
                    report.report(.desilHistoryOrphan, HouseholdID(id), "desil.history holds versions of a household that is not stored", limit: limit)
                }
            }
            versions += 1
            if versions == DesilHistory.maxVersions + 1 {
                report.report(.desilHistoryInvalid, HouseholdID(id), "desil.history holds more than \(DesilHistory.maxVersions) versions of the household", limit: limit)
            }
            let ordinal = DesilHistory.ordinal(history), desil = Int(value[0])
            if ordinal == 0 || !Household.desilRule.range.contains(desil) {
                report.report(.desilHistoryInvalid, HouseholdID(id),
                              "desil.history holds version ordinal \(ordinal) with desil \(desil) (a version is a date; \(Household.desilRule.label) is \(Household.desilRule.range.lowerBound)-\(Household.desilRule.range.upperBound))", limit: limit)
            }
        }
        return report
    }
}
