import CLMDB

/// Index entries a bulk load collects and writes at its end, sorted, so LMDB appends them to
/// full pages instead of inserting them one by one at random places.
struct DeferredIndexes {
    private struct Unique { var number: UInt64, id: UInt64, member: Int32 }
    private struct Secondary { var key: UInt64, id: UInt64, summary: UInt32 }

    private var niks: [Unique] = []
    private var kks: [Unique] = []
    private var secondary: [SecondaryIndex: [Secondary]] = [:]

    var isEmpty: Bool { kks.isEmpty }

    mutating func reserve(_ households: Int) {
        niks.reserveCapacity(households * 4)
        kks.reserveCapacity(households)
    }

    mutating func add(_ household: Household) {
        let id = household.id!.rawValue
        for (index, member) in household.members.enumerated() {
            if let nik = member.nik.nik { niks.append(Unique(number: nik.rawValue, id: id, member: Int32(index))) }
        }
        kks.append(Unique(number: household.nomorKK.rawValue, id: id, member: -1))
        let summary = IndexSummary(household)
        let packed = UInt32(summary.status) << 24 | UInt32(summary.desilAndFlags) << 16 | UInt32(summary.programs) << 8 | UInt32(summary.members)
        let desa = household.wilayah.packed
        func add(_ index: SecondaryIndex, _ prefix: UInt8?) {
            let key = prefix.map { UInt64($0) << 40 | desa } ?? desa
            secondary[index, default: []].append(Secondary(key: key, id: id, summary: packed))
        }
        add(.wilayah, nil)
        add(.status, summary.status)
        for program in household.programs { add(.program, program.rawValue) }
        if let desil = household.desil { add(.desil, UInt8(desil)) }
        if summary.hasInvalidNIK { add(.flagged, 1) }
        if summary.hasMissingNIK { add(.flagged, 2) }
    }

    /// Sorts, refuses duplicates inside the load, and writes every entry.
    mutating func flush(into txn: Txn, dbs: Environment.Databases) throws {
        try writeUnique(&niks, txn: txn, dbi: dbs.nik, duplicate: .nikDuplicate, field: "nik")
        try writeUnique(&kks, txn: txn, dbi: dbs.kk, duplicate: .kkDuplicate, field: "nomor_kk")
        for (index, entries) in secondary {
            var sorted = entries
            sorted.sort { ($0.key, $0.id) < ($1.key, $1.id) }
            let cursor = try txn.cursor(dbs[index])
            var append = try canAppend(cursor, firstKey: keyBytes(index, sorted.first?.key ?? 0), firstValue: entryBytes(sorted.first?.id ?? 0, sorted.first?.summary ?? 0))
            for entry in sorted {
                let key = keyBytes(index, entry.key)
                let value = entryBytes(entry.id, entry.summary)
                try put(cursor, key, value, &append)
            }
        }
        niks = []
        kks = []
        secondary = [:]
    }

    private func writeUnique(_ entries: inout [Unique], txn: Txn, dbi: MDB_dbi, duplicate: LumbungError.Code, field: String) throws {
        guard !entries.isEmpty else { return }
        entries.sort { ($0.number, $0.id) < ($1.number, $1.id) }
        for index in entries.indices.dropFirst() where entries[index].number == entries[index - 1].number {
            let entry = entries[index]
            let masked = field == "nik" ? NIK(unchecked: entry.number).masked : NomorKK(unchecked: entry.number).masked
            throw LumbungError(
                duplicate, field: entry.member >= 0 ? "anggota[\(entry.member)].nik" : field, value: masked,
                rule: "the \(field == "nik" ? "NIK" : "KK number") already belongs to household \(entries[index - 1].id)",
                householdID: HouseholdID(rawValue: entry.id))
        }
        let cursor = try txn.cursor(dbi)
        let first = entries[0]
        var append = try canAppend(cursor, firstKey: Keys.uniqueKey(first.number), firstValue: Keys.uniqueDup(first.number, HouseholdID(rawValue: first.id)))
        for entry in entries {
            try put(cursor, Keys.uniqueKey(entry.number), Keys.uniqueDup(entry.number, HouseholdID(rawValue: entry.id)), &append)
        }
    }

    /// Whether every sorted entry lands after the database's last entry (so MDB_APPENDDUP works).
    private func canAppend(_ cursor: Cursor, firstKey: [UInt8], firstValue: [UInt8]) throws -> Bool {
        guard try cursor.move(MDB_LAST) else { return true }
        let lastKey = Array(cursor.keyBytes), lastValue = Array(cursor.valueBytes)
        if lastKey.lexicographicallyPrecedes(firstKey) { return true }
        return lastKey == firstKey && lastValue.lexicographicallyPrecedes(firstValue)
    }

    @inline(__always)
    private func put(_ cursor: Cursor, _ key: [UInt8], _ value: [UInt8], _ append: inout Bool) throws {
        if append {
            try cursor.put(key, value, flags: UInt32(MDB_APPENDDUP))
        } else {
            try cursor.put(key, value, flags: UInt32(MDB_NODUPDATA))
        }
    }

    private func keyBytes(_ index: SecondaryIndex, _ key: UInt64) -> [UInt8] {
        index == .wilayah ? Keys.be(key, width: 5) : Keys.be(key, width: 6)
    }

    private func entryBytes(_ id: UInt64, _ summary: UInt32) -> [UInt8] {
        var bytes = Keys.be(id, width: 5)
        Keys.append(UInt64(summary), width: 4, to: &bytes)
        return bytes
    }
}
