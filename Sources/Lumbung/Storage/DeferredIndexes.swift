import CLMDB
import Foundation

/// Index entries a bulk load collects and writes at its end, sorted, so LMDB appends them to
/// full pages instead of inserting them one by one at random places.
struct DeferredIndexes {
    private struct Unique { var number: UInt64, id: UInt64, member: Int32 }
    private struct Secondary { var key: UInt64, id: UInt64, summary: UInt32 }
    /// A ``MemberIndex`` entry: the desa and the member's duplicate.
    private struct MemberEntry { var desa: UInt64, entry: UInt128 }

    /// The entries of one flush, sorted by two threads: the first sorts `niks`, `members` and `journal`,
    /// the second `kks` and `secondary`, so no property is touched by both.
    private final class Sorting: @unchecked Sendable {
        var niks: [Unique]
        var kks: [Unique]
        var secondary: [[Secondary]]
        var members: [MemberEntry]
        var journal: [JournalIndexEntry]

        init(niks: [Unique], kks: [Unique], secondary: [[Secondary]], members: [MemberEntry], journal: [JournalIndexEntry]) {
            self.niks = niks
            self.kks = kks
            self.secondary = secondary
            self.members = members
            self.journal = journal
        }
    }

    private var niks: [Unique] = []
    private var kks: [Unique] = []
    /// Only households with a source id have one.
    private var sources: [(key: [UInt8], id: UInt64)] = []
    /// By ``IndexDimension`` raw value.
    private var secondary = Self.noSecondary
    private var members: [MemberEntry] = []
    /// The journal's household index entries of the households loaded (``JournalIndex``).
    private var journal: [JournalIndexEntry] = []
    private static let noSecondary = [[Secondary]](repeating: [], count: Int(IndexDimension.allCases.map(\.rawValue).max()!) + 1)

    var isEmpty: Bool { kks.isEmpty }
    /// Households collected (each has one KK entry).
    var households: Int { kks.count }

    /// Room for the entries of `households` households (of 4.5 members on average: the register
    /// has about 4).
    mutating func reserve(_ households: Int) {
        niks.reserveCapacity(households * 9 / 2)
        members.reserveCapacity(households * 9 / 2)
        kks.reserveCapacity(households)
        journal.reserveCapacity(households)
    }

    /// Files journal entry `sequence` under household `id`, with the other entries.
    mutating func addJournal(_ id: HouseholdID, _ sequence: UInt64) throws {
        try JournalIndex.checkSequence(sequence)
        journal.append(JournalIndexEntry(id, sequence))
    }

    mutating func add(_ household: Household, _ contribution: Contribution) {
        let id = household.id!.rawValue
        // By index: a loop variable would copy (retain and release) each member.
        for index in household.members.indices {
            if let nik = household.members[index].nik.nik { niks.append(Unique(number: nik.rawValue, id: id, member: Int32(index))) }
        }
        kks.append(Unique(number: household.nomorKK.rawValue, id: id, member: -1))
        if let sourceID = household.sourceID { sources.append((Keys.sourceID(sourceID), id)) }
        let packed = contribution.summary.packed
        let desa = contribution.desa
        contribution.forEachValue { dimension, value in
            secondary[Int(dimension.rawValue)].append(Secondary(key: dimension.packedKey(value, desa: desa), id: id, summary: packed))
        }
        MemberIndex.forEachEntry(household) { members.append(MemberEntry(desa: desa, entry: $0)) }
    }

    /// Sorts (on every core), refuses duplicates inside the load, and writes every entry.
    mutating func flush(into txn: Txn, dbs: Environment.Databases) throws {
        // Replacing households one by one flushes before each: nothing to sort, no thread to start.
        if niks.isEmpty && kks.isEmpty && sources.isEmpty && members.isEmpty && journal.isEmpty && secondary.allSatisfy(\.isEmpty) { return }
        // Moved out of self into one box, so each part sorts its arrays in place: a copy would
        // hold every entry twice (about 440 MB more at a million households).
        let result = Sorting(niks: niks, kks: kks, secondary: secondary, members: members, journal: journal)
        self.journal = []
        self.niks = []
        self.kks = []
        self.secondary = Self.noSecondary
        self.members = []
        Parallel.run(2) { part in
            if part == 0 {
                Self.sortByKeyThenID(&result.niks, key: { $0.number }, id: { $0.id })
                Self.sortMembers(&result.members)
                // New ids and sequences both ascend: usually sorted already, which the sort finds in one pass.
                result.journal.sort()
            } else {
                Self.sortByKeyThenID(&result.kks, key: { $0.number }, id: { $0.id })
                for index in result.secondary.indices {
                    Self.sortByKeyThenID(&result.secondary[index], key: { $0.key }, id: { $0.id })
                }
            }
        }
        try writeUnique(result.niks, txn: txn, dbi: dbs.nik, layout: dbs.unique, duplicate: .nikDuplicate, field: "nik")
        try writeUnique(result.kks, txn: txn, dbi: dbs.kk, layout: dbs.unique, duplicate: .kkDuplicate, field: "nomor_kk")
        try writeSources(txn: txn, dbs: dbs)
        for dimension in IndexDimension.allCases {
            let entries = result.secondary[Int(dimension.rawValue)]
            if entries.isEmpty { continue }
            let withSummary = dimension.isPrimary
            var writer = try SortedDupWriter(txn.cursor(dbs[dimension]), keyWidth: dimension.keyWidth, dupWidth: withSummary ? Keys.idWidth + Keys.summaryWidth : Keys.idWidth)
            for entry in entries {
                try writer.put(key: entry.key, dup: Keys.packedEntry(HouseholdID(rawValue: entry.id), withSummary ? IndexSummary(packed: entry.summary) : nil).bits)
            }
            try writer.finish()
        }
        if !result.members.isEmpty {
            var writer = try SortedDupWriter(txn.cursor(dbs[.member]), keyWidth: Keys.desaWidth, dupWidth: MemberIndex.entryWidth)
            for member in result.members { try writer.put(key: member.desa, dup: member.entry) }
            try writer.finish()
        }
        if !result.journal.isEmpty, let dbi = dbs.journalIndex {
            var writer = try SortedDupWriter(txn.cursor(dbi), keyWidth: Keys.journalIndexKeyWidth, dupWidth: Keys.journalIndexDupWidth)
            for entry in result.journal { try writer.put(key: entry.key, dup: UInt128(entry.dup)) }
            try writer.finish()
        }
        // The pages these writes read through the map are now copies of the transaction's own:
        // they leave the resident size (`Storage/MappedPages.swift`).
        txn.releaseMappedPages()
    }

    /// Sorts entries by key, then id, keeping the order of entries equal in both (a NIK twice in
    /// one household is reported at its later member), as a stable comparison sort would.
    /// Held entries come in id order unless a load keeps ids out of order, so usually one radix
    /// sort by key does (``RadixSort``).
    @inline(__always)
    private static func sortByKeyThenID<Entry: BitwiseCopyable>(_ entries: inout [Entry], key: (Entry) -> UInt64, id: (Entry) -> UInt64) {
        var idsAscend = true
        for index in entries.indices.dropFirst() where id(entries[index - 1]) > id(entries[index]) {
            idsAscend = false
            break
        }
        if !idsAscend { RadixSort.sort(&entries, by: id) }
        RadixSort.sort(&entries, by: key)
    }

    /// Sorts member entries by desa, then entry (72 bits: birth, position and facts, then the
    /// id's low 32 bits), as a stable comparison sort would: by the id bits only when they do not
    /// already ascend, then by the rest of the entry, then by desa.
    private static func sortMembers(_ members: inout [MemberEntry]) {
        var idsAscend = true
        for index in members.indices.dropFirst() where UInt32(truncatingIfNeeded: members[index - 1].entry) > UInt32(truncatingIfNeeded: members[index].entry) {
            idsAscend = false
            break
        }
        if !idsAscend { RadixSort.sort(&members) { UInt64(UInt32(truncatingIfNeeded: $0.entry)) } }
        RadixSort.sort(&members) { UInt64(truncatingIfNeeded: $0.entry >> 32) }
        RadixSort.sort(&members) { $0.desa }
    }

    private func writeUnique(_ entries: [Unique], txn: Txn, dbi: MDB_dbi, layout: UniqueLayout, duplicate: LumbungError.Code, field: String) throws {
        if entries.isEmpty { return }
        for index in entries.indices.dropFirst() where entries[index].number == entries[index - 1].number {
            let entry = entries[index]
            let masked = field == "nik" ? NIK(unchecked: entry.number).masked : NomorKK(unchecked: entry.number).masked
            throw LumbungError.heldElsewhere(
                duplicate, field: entry.member >= 0 ? "anggota[\(entry.member)].nik" : field, value: masked,
                householdID: HouseholdID(rawValue: entry.id), other: HouseholdID(rawValue: entries[index - 1].id))
        }
        var writer = try SortedDupWriter(txn.cursor(dbi), keyWidth: layout.keyWidth, dupWidth: layout.dupWidth)
        for entry in entries { try writer.put(key: layout.key(entry.number), dup: layout.dup(entry.number, id: entry.id)) }
        try writer.finish()
    }

    /// Sorts the source ids, refuses one held twice inside the load, and writes them.
    private mutating func writeSources(txn: Txn, dbs: Environment.Databases) throws {
        guard !sources.isEmpty, let dbi = dbs.source else { return }
        var entries = sources
        sources = []
        entries.sort { $0.key.lexicographicallyPrecedes($1.key) || ($0.key == $1.key && $0.id < $1.id) }
        for index in entries.indices.dropFirst() where entries[index].key == entries[index - 1].key {
            throw LumbungError.heldElsewhere(
                .sourceIDDuplicate, field: "id_sumber", value: String(decoding: entries[index].key, as: UTF8.self),
                householdID: HouseholdID(rawValue: entries[index].id), other: HouseholdID(rawValue: entries[index - 1].id))
        }
        let cursor = try txn.cursor(dbi)
        let append = try cursor.move(MDB_LAST) ? Array(cursor.keyBytes).lexicographicallyPrecedes(entries[0].key) : true
        for entry in entries {
            try cursor.put(entry.key, Keys.be(entry.id, width: Keys.idWidth), flags: append ? UInt32(MDB_APPEND) : 0)
        }
    }
}
