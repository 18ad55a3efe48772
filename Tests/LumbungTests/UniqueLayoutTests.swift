import CLMDB
import Foundation
import Testing
@testable import Lumbung

/// The unique indexes' layouts (``UniqueLayout``), the store format that chooses one, and the
/// per-key append of sorted runs (``AppendByKey``, ``SortedDupWriter``).
@Suite struct UniqueLayoutTests {
    let directory = TemporaryDirectory()

    /// A 16-digit number shaped like a NIK or KK: region, date, serial.
    static func number(_ random: inout SeededRandom) -> UInt64 {
        UInt64.random(in: 1_100_000_000_000_000...9_999_999_999_999_999, using: &random)
    }

    @Test("both layouts give back number and id, and sort entries by number, then id", arguments: [UniqueLayout.regionKeys, .dayKeys])
    func layoutRoundTripsAndSorts(layout: UniqueLayout) {
        var random = SeededRandom(seed: 41)
        var pairs: [(number: UInt64, id: UInt64)] = (0..<2_000).map { _ in (Self.number(&random), UInt64.random(in: 0...0xFFFF_FFFF, using: &random)) }
        // Neighbours too: the same number with other ids, and numbers one apart.
        pairs += pairs.prefix(200).flatMap { [($0.number, $0.id ^ 1), ($0.number + 1, $0.id)] }
        for pair in pairs {
            #expect(layout.split(entry: layout.entry(pair.number, id: pair.id)) == pair)
            #expect(layout.number(key: layout.key(pair.number), dup: layout.dup(pair.number, id: pair.id)) == pair.number)
            let bytes = layout.keyBytes(pair.number) + layout.dupBytes(pair.number, id: pair.id)
            #expect(bytes.count == 12)
            #expect(bytes.withUnsafeBytes { Keys.readWide($0, width: 12) } == layout.entry(pair.number, id: pair.id))
        }
        let byModel = pairs.sorted { ($0.number, $0.id) < ($1.number, $1.id) }
        let byBytes = pairs.sorted { layout.entry($0.number, id: $0.id) < layout.entry($1.number, id: $1.id) }
        #expect(byModel.map(\.number) == byBytes.map(\.number))
        #expect(byModel.map(\.id) == byBytes.map(\.id))
    }

    @Test("a new store is of the current format and keys its unique indexes by region")
    func newStoreKeysByRegion() throws {
        let store = try Store(path: directory.sub("new"))
        #expect(store.environment.dbs.unique == .regionKeys)
        var factory = HouseholdFactory(seed: 3)
        let household = factory.household()
        let id = try store.write { tx in try tx.put(household).id }
        let nik = try #require(household.validNIKs.first)
        let stored = try store.environment.withRead { txn in
            let cursor = try txn.cursor(store.environment.dbs.nik)
            _ = try cursor.move(MDB_FIRST)
            return (cursor.keyBytes.count, cursor.valueBytes.count)
        }
        #expect(stored == (3, 9))
        #expect(try store.read { tx in try tx.householdID(nik: nik) } == id)
        #expect(try store.check().isClean)
    }

    /// Writes format 1 into a new, empty store's meta, as an older Lumbung made it.
    func markFormat1(_ path: String) throws {
        let store = try Store(path: path)
        try store.environment.withWrite { txn in try txn.put(store.environment.dbs.meta, MetaKey.format, Keys.be(1, width: 4)) }
    }

    @Test("an empty format-1 store opened writable becomes the current format; opened read-only it keeps format 1")
    func emptyFormat1StoreUpgrades() throws {
        let path = directory.sub("empty1")
        try markFormat1(path)
        do {
            let readOnly = try Store(path: path, options: .readOnly)
            #expect(readOnly.environment.dbs.unique == .dayKeys)
        }
        let store = try Store(path: path)
        #expect(store.environment.dbs.unique == .regionKeys)
        let format = try store.environment.withRead { txn in try txn.get(store.environment.dbs.meta, MetaKey.format).map { Keys.read($0.buffer, width: 4) } }
        #expect(format == UInt64(Environment.formatVersion))
    }

    @Test("a store of format 2 opened writable becomes format 3, full as it is; read-only it stays format 2")
    func format2StoreUpgrades() throws {
        let path = directory.sub("filled2")
        var factory = HouseholdFactory(seed: 5)
        let households = (0..<80).map { _ in factory.household() }
        do {
            let store = try Store(path: path)
            try store.bulkLoad { loader in for household in households { try loader.add(household) } }
            try store.environment.withWrite { txn in try txn.put(store.environment.dbs.meta, MetaKey.format, Keys.be(2, width: 4)) }
        }
        do {
            let readOnly = try Store(path: path, options: .readOnly)
            #expect(readOnly.environment.dbs.format == 2 && !readOnly.environment.dbs.writesFormat3)
        }
        let store = try Store(path: path)
        #expect(store.environment.dbs.format == 3 && store.environment.dbs.unique == .regionKeys)
        #expect(try store.read { tx in try tx.householdCount() } == 80)
        #expect(try store.check().isClean)
    }

    @Test("a format-1 store that holds households keeps its layout: writes, lookups and check")
    func filledFormat1StoreKeepsItsLayout() throws {
        let (store, dir) = try FormatFixtureTests.openCopy()
        _ = dir
        #expect(store.environment.dbs.unique == .dayKeys)
        var factory = HouseholdFactory(seed: 77)
        let added = (0..<20).map { _ in factory.household() }
        let ids = try store.write { tx in try added.map { try tx.put($0).id } }
        for (household, id) in zip(added, ids) {
            for nik in household.validNIKs { #expect(try store.read { tx in try tx.householdID(nik: nik) } == id) }
            #expect(try store.read { tx in try tx.householdID(kk: household.nomorKK) } == id)
        }
        let key = try store.environment.withRead { txn in
            let cursor = try txn.cursor(store.environment.dbs.nik)
            _ = try cursor.move(MDB_FIRST)
            return (cursor.keyBytes.count, cursor.valueBytes.count)
        }
        #expect(key == (4, 8))
        // It writes format 1's encodings too: records as zstd frames, each insert with its digest.
        #expect(!store.environment.dbs.writesFormat3)
        try store.read { tx in
            let tags = try ids.map { id in try Compressor.Envelope(try #require(try tx.txn.get(tx.dbs.records, Keys.record(id))).buffer).tag }
            #expect(tags.contains(Compressor.plainHeadTag) && !tags.contains(Compressor.blockTag), "\(tags)")
            let journal = try tx.changes(household: ids[0])
            #expect(journal.count == 1 && !journal[0].fromRecord && journal[0].digest.count == JournalEntry.digestLength)
        }
        #expect(try store.check().isClean)
    }

    /// How many pages the store's file uses.
    func pagesUsed(_ store: Store) -> Int {
        var info = MDB_envinfo()
        mdb_env_info(store.environment.handle, &info)
        return info.me_last_pgno + 1
    }

    /// Writes `ids` under `key` of the status index, sorted, as a bulk load writes (``SortedDupWriter``).
    func writeRun(_ store: Store, key: UInt64, ids: [UInt64]) throws {
        try store.environment.withWrite { txn in
            var writer = try SortedDupWriter(txn.cursor(store.environment.dbs[.status]), keyWidth: IndexDimension.status.keyWidth, dupWidth: Keys.idWidth)
            for id in ids.sorted() { try writer.put(key: key, dup: UInt128(id)) }
            try writer.finish()
        }
    }

    @Test("a run under a new key before stored ones is appended full, as one after them is")
    func newKeyBeforeStoredOnesIsAppended() throws {
        let ids = (1...20_000).map(UInt64.init)
        let ordered = try Store(path: directory.sub("ordered")), reversed = try Store(path: directory.sub("reversed"))
        let low = IndexDimension.status.packedKey(1, desa: 3216012001), high = IndexDimension.status.packedKey(2, desa: 3216012001)
        try writeRun(ordered, key: low, ids: ids)
        try writeRun(ordered, key: high, ids: ids)
        try writeRun(reversed, key: high, ids: ids)
        try writeRun(reversed, key: low, ids: ids)
        // Half-filled pages (a plain sorted insert) would take about 20 pages more for the second run.
        #expect(pagesUsed(reversed) <= pagesUsed(ordered) + 2)
    }

    @Test("sorted runs written by key store exactly the union of stored and new entries", arguments: [1, 2, 3, 4] as [UInt64])
    func sortedRunsMatchAModel(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let store = try Store(path: directory.sub("model-\(seed)"))
        let dimension = IndexDimension.status
        var model = Set<[UInt64]>()
        for round in 0..<6 {
            // Some keys new, some stored; ids before, among and after the stored ones. The later
            // rounds put thousands under two keys, so runs pass the writer's limit.
            let many = round >= 3
            var run: [(key: UInt64, id: UInt64)] = []
            var seen = Set<[UInt64]>()
            for _ in 0..<Int.random(in: 1...(many ? 6_000 : 600), using: &random) {
                let key = dimension.packedKey(UInt8.random(in: 1...(many ? 2 : 3), using: &random),
                                              desa: many ? 3216012001 : UInt64.random(in: 3216012001...3216012006, using: &random))
                let id = UInt64.random(in: 1...UInt64((many ? 5_000 : 2_000) * (round + 1)), using: &random)
                if !model.contains([key, id]) && seen.insert([key, id]).inserted { run.append((key, id)) }
            }
            run.sort { ($0.key, $0.id) < ($1.key, $1.id) }
            try store.environment.withWrite { txn in
                var writer = try SortedDupWriter(txn.cursor(store.environment.dbs[dimension]), keyWidth: dimension.keyWidth, dupWidth: Keys.idWidth)
                for entry in run { try writer.put(key: entry.key, dup: UInt128(entry.id)) }
                try writer.finish()
            }
            for entry in run { model.insert([entry.key, entry.id]) }
            let stored = try store.environment.withRead { txn in
                let cursor = try txn.cursor(store.environment.dbs[dimension])
                var all = Set<[UInt64]>()
                var more = try cursor.move(MDB_FIRST)
                while more {
                    all.insert([Keys.read(cursor.keyBytes, width: dimension.keyWidth), Keys.read(cursor.valueBytes, width: Keys.idWidth)])
                    more = try cursor.move(MDB_NEXT)
                }
                return all
            }
            #expect(stored == model)
        }
    }
}
