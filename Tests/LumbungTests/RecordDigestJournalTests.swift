import CLMDB
import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung

/// Format 3's journal against a model: a bulk load's inserts keep no digest nor desa (the record
/// holds them) and a household's first change keeps the digest it replaces. Whatever happens
/// after, every entry reports the digest and desa it reported when it was new, and the newest
/// entry of each household the digest and desa of its record as stored.
@Suite("Journal digests kept by the records (format 3)")
struct RecordDigestJournalTests {
    let directory = TemporaryDirectory("lumbung-digests")

    @Test("every entry keeps the digest and desa it first reported, through updates, rankings, requests and deletes", arguments: 0..<4)
    func digestsNeverChange(seed: UInt64) throws {
        let store = try Store(path: directory.sub("model\(seed)"))
        var factory = HouseholdFactory(seed: 300 + seed)
        var random = SeededRandom(seed: seed)
        let first = (0..<500).map { _ in factory.household() }
        try store.bulkLoad(actor: "import:test") { loader in for household in first { try loader.add(household) } }
        var reported: [UInt64: Reported] = [:]
        try observe(store, &reported)
        #expect(reported.count == 500)

        for round in 0..<6 {
            let ids = try store.read { tx in try tx.ids(matching: HouseholdQuery()) }
            switch round % 3 {
            case 0:
                // Updates, some twice in one transaction, and requests that only name a household.
                try store.write(actor: "operator") { tx in
                    for id in ids where Int.random(in: 0..<4, using: &random) == 0 {
                        var household = try #require(try tx.household(id: id))
                        for _ in 0..<Int.random(in: 1...2, using: &random) {
                            household.alamat = "JL. UJI \(Int.random(in: 1...1_000_000, using: &random))"
                            _ = try tx.put(household)
                        }
                    }
                    for id in ids where Int.random(in: 0..<10, using: &random) == 0 {
                        _ = try tx.appendJournal(action: .request, id: id, digest: [], note: "usulan")
                    }
                }
            case 1:
                // A ranking of most households, then a few deletes.
                let day = try CalendarDate(year: 2026, month: 1, day: 1).daysSinceEpoch + 30 * round
                try store.rankDesil(version: DesilVersion(CalendarDate(daysSinceEpoch: day))) { ranking in
                    let entries = ids.enumerated().filter { _ in Int.random(in: 0..<3, using: &random) > 0 }.map { line, id in
                        DesilRanking.Entry(line: line + 2, id: id, desil: Int.random(in: 1...10, using: &random))
                    }
                    _ = try ranking.apply(entries)
                }
                try store.write(actor: "operator") { tx in
                    for id in ids where Int.random(in: 0..<25, using: &random) == 0 { try tx.delete(id: id) }
                }
            default:
                // Another bulk load, after the others.
                let more = (0..<Int.random(in: 50...300, using: &random)).map { _ in factory.household() }
                try store.bulkLoad(actor: "import:more") { loader in for household in more { try loader.add(household) } }
            }
            try observe(store, &reported)
        }
        #expect(try store.check().isClean)
    }

    /// Reads the whole feed and every household's history: each record-changing entry but a
    /// delete has a digest, the same as the first time it was read; the newest entry of each
    /// household names its stored record's.
    struct Reported: Equatable {
        let digest: [UInt8]
        let wilayah: [KodeWilayah]
    }

    func observe(_ store: Store, _ reported: inout [UInt64: Reported]) throws {
        try store.read { tx in
            let feed = try tx.changes(after: 0, limit: 1_000_000)
            var newest: [HouseholdID: JournalEntry] = [:]
            for entry in feed where entry.action.changesRecord {
                newest[entry.householdID] = entry
                if entry.action == .delete { continue }
                #expect(entry.digest.count == JournalEntry.digestLength && !entry.wilayah.isEmpty, "entry \(entry.sequence)")
                let now = Reported(digest: entry.digest, wilayah: entry.wilayah)
                if let before = reported[entry.sequence] {
                    #expect(now == before, "entry \(entry.sequence) changed its digest or desa")
                } else {
                    reported[entry.sequence] = now
                }
            }
            for (id, entry) in newest where entry.action != .delete {
                let stored = try #require(try tx.txn.get(tx.dbs.records, Keys.record(id)))
                let digest = try tx.environment.compressor.open(stored.buffer) { JournalEntry.digest(of: $0) }
                #expect(entry.digest == digest, "household \(id): its newest entry names the record as stored")
                #expect(entry.wilayah.last == (try tx.household(id: id))?.wilayah, "household \(id): and its desa")
                let history = try tx.changes(household: id)
                #expect(history == feed.filter { $0.householdID == id }, "household \(id): history and feed agree")
                // A scope's filter sees each entry's desa already filled in.
                let desa = entry.wilayah.last!
                #expect(try tx.changes(household: id, where: { $0.wilayah.contains(desa) }) == history.filter { $0.wilayah.contains(desa) })
            }
        }
    }

    @Test("a bulk load's entries take about 3 bytes each: a block holds the most entries it may")
    func bulkLoadJournalIsSmall() throws {
        let store = try Store(path: directory.sub("dense"))
        let households = Array(try SyntheticKabupaten(kabupaten: KodeWilayah("32.16"), seed: 5).households(count: 4_000))
        try store.bulkLoad(actor: "import:test") { loader in for household in households { try loader.add(household) } }
        let (blocks, pages) = try store.environment.withRead { txn in
            (try txn.entryCount(store.environment.dbs.journal), try Self.pages(txn, store.environment.dbs.journal))
        }
        #expect(blocks == 4_000 / JournalBlock.maxEntries)
        // 400 entries of about 3 bytes: no block needs an overflow page (with digests and desa
        // codes each took one, 26 pages).
        #expect(pages <= 6)
        let feed = try store.read { tx in try tx.changes(after: 0, limit: 10_000) }
        #expect(feed.count == 4_000 && feed.allSatisfy { $0.fromRecord && $0.digest.count == JournalEntry.digestLength })
        #expect(zip(feed, households).allSatisfy { $0.wilayah == [$1.wilayah] })
        #expect(feed.first.map { Set(feed.map(\.actor)) == ["import:test"] && $0.time.timeIntervalSinceNow > -600 } == true)
    }

    /// The pages a database's tree holds (branch, leaf and overflow).
    static func pages(_ txn: Txn, _ dbi: MDB_dbi) throws -> Int {
        var stat = MDB_stat()
        mdb_stat(txn.handle, dbi, &stat)
        return Int(stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages)
    }

    @Test("records are bare zstd blocks in format 3, frames in format 1, and both open to the same household")
    func recordForms() throws {
        let store = try Store(path: directory.sub("forms"))
        var factory = HouseholdFactory(seed: 8)
        let households = (0..<300).map { _ in factory.household() }
        try store.bulkLoad(actor: "import:test") { loader in for household in households { try loader.add(household) } }
        try store.read { tx in
            let id = try #require(try tx.ids(matching: HouseholdQuery()).first)
            let stored = try #require(try tx.txn.get(tx.dbs.records, Keys.record(id)))
            let envelope = try Compressor.Envelope(stored.buffer)
            #expect(envelope.tag == Compressor.blockTag && envelope.dictionaryID == 1)
            let payload = try tx.environment.compressor.open(stored.buffer) { Array($0) }
            let frame = try tx.environment.compressor.seal(payload, dictionaryID: 1, form: .frame)
            let block = try tx.environment.compressor.seal(payload, dictionaryID: 1, form: .block)
            #expect(frame.first == Compressor.plainHeadTag && block == Array(stored.buffer))
            // The magic number, frame header and block header: 8 bytes or more.
            #expect(frame.count - block.count >= 7)
            for sealed in [frame, block] {
                #expect(try sealed.withUnsafeBytes { try tx.environment.compressor.open($0) { Array($0) } } == payload)
            }
            // A block whose stated length disagrees is refused, not read short.
            var wrong = block
            let sizeAt = block.count - envelope.rest.count - 1  // the length's last varint byte
            wrong[sizeAt] = wrong[sizeAt] ^ 1
            #expect(throws: LumbungError.self) { try wrong.withUnsafeBytes { try tx.environment.compressor.open($0) { Array($0) } } }
        }
    }
}
