import CLMDB
import Foundation
import Testing
@testable import Lumbung

/// The journal's household index (`idx.journal`) against a simple model: the whole journal,
/// filtered by household. Stores are written by single writes (inserts, updates, deletes,
/// moves, events), bulk loads (held entries written sorted, several times) and upgrades of
/// stores written without the index; every household's history, read a page at a time either
/// way, is the model's, and `check` stays clean, or names what a broken index lacks and holds.
@Suite("Journal by household")
struct JournalIndexTests {
    let directory = TemporaryDirectory()

    /// The model: every journal entry that names `id`, oldest first.
    static func model(_ journal: [JournalEntry], _ id: HouseholdID) -> [JournalEntry] {
        journal.filter { $0.action != .event && $0.householdID == id && id.rawValue != 0 }
    }

    static func journal(_ store: Store) throws -> [JournalEntry] {
        try store.read { tx in try tx.changes(after: 0, limit: .max) }
    }

    /// A household's history read through the index in pages of `pageSize`, in `order`.
    static func paged(_ store: Store, _ id: HouseholdID, order: HistoryOrder, pageSize: Int,
                      include: @escaping (JournalEntry) -> Bool = { _ in true }) throws -> [JournalEntry] {
        var seen: [JournalEntry] = []
        while true {
            let page = try store.read { tx in
                switch order {
                case .oldestFirst: try tx.changes(household: id, after: seen.last?.sequence ?? 0, order: order, limit: pageSize, where: include)
                case .newestFirst: try tx.changes(household: id, before: seen.last?.sequence ?? .max, order: order, limit: pageSize, where: include)
                }
            }
            #expect(page.count <= pageSize)
            seen += page
            if page.count < pageSize { return seen }
        }
    }

    /// Every household's history (and some ids that have none) equals the model's, both
    /// orders, pages of any size, with and without a filter.
    static func expectMatchesModel(_ store: Store, ids: [HouseholdID], random: inout SeededRandom) throws {
        let journal = try journal(store)
        for id in ids + [HouseholdID(rawValue: 0), HouseholdID(rawValue: 999_999)] {
            let expected = model(journal, id)
            let pageSize = Int.random(in: 1...6, using: &random)
            #expect(try paged(store, id, order: .oldestFirst, pageSize: pageSize) == expected, "household \(id), pages of \(pageSize)")
            #expect(try paged(store, id, order: .newestFirst, pageSize: pageSize) == expected.reversed(), "household \(id) newest first, pages of \(pageSize)")
            let updates: (JournalEntry) -> Bool = { $0.action == .update }
            #expect(try paged(store, id, order: .newestFirst, pageSize: pageSize, include: updates) == expected.filter(updates).reversed())
            // A window in the middle, both bounds exclusive.
            if expected.count >= 3 {
                let after = expected[0].sequence, before = expected[expected.count - 1].sequence
                let window = try store.read { tx in try tx.changes(household: id, after: after, before: before, order: .newestFirst) }
                #expect(window == expected.dropFirst().dropLast().reversed())
            }
        }
    }

    @Test("single writes: every household's history is the journal's, both orders, any page size", arguments: [1, 2, 3] as [UInt64])
    func singleWrites(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var factory = HouseholdFactory(seed: seed)
        let store = try Store(path: directory.path)
        var ids: [HouseholdID] = []
        for _ in 0..<12 {
            try store.write(actor: "property") { tx in
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    switch Int.random(in: 0..<10, using: &random) {
                    case 0..<4, _ where ids.count < 3:
                        ids.append(try tx.put(factory.household()).id)
                    case 4..<7:
                        let id = ids.randomElement(using: &random)!
                        guard var household = try tx.household(id: id) else { continue }
                        household.alamat = "Jl. \(Int.random(in: 1...10_000, using: &random))"
                        if Bool.random(using: &random) { household.wilayah = factory.desa.randomElement(using: &random)! }
                        try tx.put(household)
                    case 7:
                        let id = ids.randomElement(using: &random)!
                        if try tx.household(id: id) != nil { try tx.delete(id: id) }
                    case 8:
                        // A member (not the head, with a NIK) moves to another household.
                        let from = ids.randomElement(using: &random)!, to = ids.randomElement(using: &random)!
                        guard from != to, let source = try tx.household(id: from), try tx.household(id: to) != nil,
                              let member = source.members.dropFirst().first(where: { $0.nik.nik != nil && $0.relation != .kepalaKeluarga }) else { continue }
                        try tx.moveMember(nik: member.nik.nik!, to: to)
                    default:
                        try tx.recordEvent("event \(Int.random(in: 1...100, using: &random))")
                    }
                }
            }
        }
        let journal = try Self.journal(store)
        #expect(journal.contains { $0.action == .moveMember } || seed != 1)
        try Self.expectMatchesModel(store, ids: ids, random: &random)
        let indexed = try store.read { tx in try tx.txn.entryCount(tx.dbs.journalIndex!) }
        #expect(indexed == journal.filter { $0.indexedHousehold != nil }.count)
        #expect(try store.check(limit: 100, runLength: 7, method: .exact).isClean)
        #expect(try store.check().isClean)
    }

    @Test("a bulk load files its entries sorted, across several flushes and beside replaces")
    func bulkLoad() throws {
        var random = SeededRandom(seed: 9)
        var factory = HouseholdFactory(seed: 9)
        let store = try Store(path: directory.path)
        let first = try store.write(actor: "setup") { tx in try (0..<5).map { _ in try tx.put(factory.household()).id } }
        try store.bulkLoad(actor: "load", nikPolicy: .strict, deferredLimit: 7, laterDeferredLimit: 5) { loader in
            for index in 0..<40 {
                if index % 9 == 4, var replaced = try loader.tx.household(id: first[index % first.count]) {
                    replaced.alamat = "Jl. Ganti \(index)"
                    try loader.add(replaced)
                } else {
                    try loader.add(factory.household())
                }
            }
        }
        let ids = Array(Set(first + (try Self.journal(store)).map(\.householdID)))
        #expect(ids.count == 41, "5 stored, 36 loaded (4 of the 40 replaced one)")
        try Self.expectMatchesModel(store, ids: ids, random: &random)
        #expect(try store.check(limit: 100, runLength: 5, method: .exact).isClean)
        #expect(try store.check().isClean)
    }

    /// Removes the index and its mark, as a store written before it has neither.
    static func forgetIndex(_ path: String) throws {
        let store = try Store(path: path)
        try store.environment.withWrite { txn in
            try LMDB.check(mdb_drop(txn.handle, store.environment.dbs.journalIndex!, 1), "drop")
            try txn.delete(store.environment.dbs.meta, MetaKey.journalIndexed)
        }
    }

    @Test("a store written without the index: refused read-only, built when opened for writing")
    func upgrade() throws {
        var random = SeededRandom(seed: 4)
        var factory = HouseholdFactory(seed: 4)
        var ids: [HouseholdID] = []
        do {
            let store = try Store(path: directory.path)
            try store.bulkLoad { loader in for _ in 0..<30 { try loader.add(factory.household()) } }
            ids = try Self.journal(store).map(\.householdID)
            try store.write { tx in
                for id in ids.prefix(10) {
                    var household = try #require(try tx.household(id: id))
                    household.alamat = "Jl. Lama"
                    try tx.put(household)
                }
            }
        }
        try Self.forgetIndex(directory.path)
        do {
            let old = try Store(path: directory.path, options: .readOnly)
            let refusal = #expect(throws: LumbungError.self) { try old.read { tx in try tx.changes(household: ids[0]) } }
            #expect(refusal?.code == .journalIndexMissing)
            #expect(refusal?.rule.contains("open it once for writing") == true)
            #expect(try old.check().isClean, "nothing to check until it is built")
        }
        let store = try Store(path: directory.path)
        try Self.expectMatchesModel(store, ids: ids, random: &random)
        #expect(try store.check(limit: 100, runLength: 4, method: .exact).isClean)
    }

    @Test("entries a Lumbung without the index wrote are refused read-only, then indexed on a writable open")
    func catchUp() throws {
        var random = SeededRandom(seed: 5)
        var factory = HouseholdFactory(seed: 5)
        var ids: [HouseholdID] = []
        var mark: UInt64 = 0
        do {
            let store = try Store(path: directory.path)
            ids = try store.write { tx in try (0..<8).map { _ in try tx.put(factory.household()).id } }
            mark = try store.read { tx in try tx.lastSequence() }
            // An older writer: its entries reach the journal, not the index, nor the mark.
            try store.write { tx in
                for id in ids.prefix(4) {
                    var household = try #require(try tx.household(id: id))
                    household.alamat = "Jl. Tua"
                    try tx.put(household)
                }
            }
            try store.environment.withWrite { txn in
                let dbs = store.environment.dbs
                for entry in try store.read({ tx in try tx.changes(after: mark) }) {
                    let index = JournalIndexEntry(entry.householdID, entry.sequence)
                    try txn.delete(dbs.journalIndex!, Keys.be(index.key, width: Keys.journalIndexKeyWidth), Keys.be(index.dup, width: Keys.journalIndexDupWidth))
                }
                try JournalIndex.setIndexedThrough(mark, txn, meta: dbs.meta)
            }
            // Its own later writes are filed, but the mark stays until the gap is filled.
            try store.write { tx in
                var household = try #require(try tx.household(id: ids[0]))
                household.alamat = "Jl. Baru"
                try tx.put(household)
            }
            let refusal = #expect(throws: LumbungError.self) { try store.read { tx in try tx.changes(household: ids[0]) } }
            #expect(refusal?.rule.contains("covers entries up to \(mark) of \(mark + 5)") == true, "\(refusal?.rule ?? "")")
            #expect(try store.check(limit: 100, runLength: 4, method: .exact).isClean, "entries past the mark are not checked")
        }
        let store = try Store(path: directory.path)
        try Self.expectMatchesModel(store, ids: ids, random: &random)
        #expect(try store.check(limit: 100, runLength: 4, method: .exact).isClean)
    }

    @Test("the format 1 fixture (written before the index) gets it on a writable open")
    func fixture() throws {
        var random = SeededRandom(seed: 6)
        let (store, dir) = try FormatFixtureTests.openCopy()
        _ = dir
        let ids = Array(Set(try Self.journal(store).compactMap(\.indexedHousehold))).sorted { $0.rawValue < $1.rawValue }
        #expect(ids.count > 100)
        try Self.expectMatchesModel(store, ids: Array(ids.prefix(60)), random: &random)
        #expect(try store.check().isClean)
    }

    @Test("check names each missing and extra index entry, by digests and exactly")
    func checkFindsBrokenIndex() throws {
        var factory = HouseholdFactory(seed: 7)
        let store = try Store(path: directory.path)
        let ids = try store.write { tx in try (0..<20).map { _ in try tx.put(factory.household()).id } }
        let journal = try Self.journal(store)
        let lost = try #require(journal.first { $0.householdID == ids[3] })
        try store.environment.withWrite { txn in
            let dbi = store.environment.dbs.journalIndex!
            let missing = JournalIndexEntry(lost.householdID, lost.sequence)
            #expect(try txn.delete(dbi, Keys.be(missing.key, width: Keys.journalIndexKeyWidth), Keys.be(missing.dup, width: Keys.journalIndexDupWidth)))
            // An entry filed under a household the journal entry does not name.
            let extra = JournalIndexEntry(ids[5], lost.sequence)
            try txn.put(dbi, Keys.be(extra.key, width: Keys.journalIndexKeyWidth), Keys.be(extra.dup, width: Keys.journalIndexDupWidth))
        }
        for method in [CheckMethod.digestsFirst, .exact] {
            let report = try store.check(limit: 100, runLength: 3, method: method)
            #expect(report.issueCount == 2, "\(report.issues)")
            #expect(report.issues.contains(CheckReport.Issue(kind: .missingIndexEntry, householdID: ids[3], detail: "journal index entry \(lost.sequence) missing")))
            #expect(report.issues.contains(CheckReport.Issue(kind: .extraIndexEntry, householdID: ids[5], detail: "journal index entry \(lost.sequence) without a journal entry")))
        }
        // The read names the damage rather than answering with another household's entry.
        let refusal = #expect(throws: LumbungError.self) { try store.read { tx in try tx.changes(household: ids[5]) } }
        #expect(refusal?.code == .journalIndexCorrupt)
        #expect(try store.read { tx in try tx.changes(household: ids[3]) }.isEmpty)
    }

    @Test("the key layout: ids and sequences round-trip, and a household's entries sort by sequence")
    func layout() throws {
        var random = SeededRandom(seed: 8)
        for _ in 0..<1000 {
            let id = HouseholdID(rawValue: .random(in: 1...HouseholdID.max.rawValue, using: &random))
            let sequence = UInt64.random(in: 1..<Keys.journalIndexSequenceLimit, using: &random)
            let entry = JournalIndexEntry(id, sequence)
            #expect(entry.household == id && entry.sequence == sequence)
            #expect(JournalIndexEntry(id, sequence - 1) < entry)
            let packed = entry.packed
            #expect(packed.width == Keys.journalIndexKeyWidth + Keys.journalIndexDupWidth)
        }
    }
}
