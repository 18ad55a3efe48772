import CLMDB
import Foundation
import Testing
@testable import Lumbung

/// `Store.rankDesil` against a model: a dictionary of each household's desil, version and
/// history. Rankings arrive in random order of versions, name households twice, name unknown
/// ids and wrong heads; a ranking rewrites a plain-head record's head only, and an older
/// (format 1) record in full. Either way the store answers as the model and `check` is clean.
@Suite("Desil rankings")
struct DesilRankingTests {
    /// The obvious implementation.
    struct Model {
        struct Ranked: Equatable {
            var desil: Int?
            var version: DesilVersion?
            var history: [DesilHistoryEntry] = []
        }
        var households: [HouseholdID: Ranked] = [:]

        /// Applies one ranking's rows in order; returns the lines it refuses, with their codes.
        mutating func apply(_ entries: [DesilRanking.Entry], version: DesilVersion, heads: [HouseholdID: NIK?]) -> [Int: LumbungError.Code] {
            var refused: [Int: LumbungError.Code] = [:]
            var seen: Set<HouseholdID> = []
            for entry in entries {
                // A file names a household once: the second naming is refused, known or not.
                guard seen.insert(entry.id).inserted else {
                    refused[entry.line] = .desilDuplicate
                    continue
                }
                guard var ranked = households[entry.id] else {
                    refused[entry.line] = .householdNotFound
                    continue
                }
                if let nik = entry.head, heads[entry.id] != .some(nik) {
                    refused[entry.line] = .desilNotHead
                    continue
                }
                if let current = ranked.version, current > version {
                    refused[entry.line] = .desilOlderVersion
                    continue
                }
                guard ranked.desil != entry.desil || ranked.version != version else { continue }
                ranked.desil = entry.desil
                ranked.version = version
                ranked.history.removeAll { $0.version == version }
                ranked.history.append(DesilHistoryEntry(version: version, desil: entry.desil))
                ranked.history.sort { $0.version < $1.version }
                if ranked.history.count > DesilHistory.maxVersions { ranked.history.removeFirst(ranked.history.count - DesilHistory.maxVersions) }
                households[entry.id] = ranked
            }
            return refused
        }
    }

    static func version(_ day: Int) -> DesilVersion {
        DesilVersion(CalendarDate(daysSinceEpoch: try! CalendarDate(year: 2026, month: 1, day: 1).daysSinceEpoch + day))
    }

    /// Random rankings over the store, checked against the model after each.
    /// `steps`: how the version moves between rounds, in days (mostly newer; sometimes the same
    /// again, or an older one).
    static func rankRandomly(_ store: Store, seed: UInt64, rounds: Int, steps: [Int] = [0, 30, 30, 30, -45]) throws {
        var random = SeededRandom(seed: seed)
        var model = Model()
        var heads: [HouseholdID: NIK?] = [:]
        var others: [NIK] = []
        try store.read { tx in
            try tx.forEachHousehold { household in
                model.households[household.id!] = Model.Ranked(
                    desil: household.desil, version: household.desilVersion, history: try tx.desilHistory(id: household.id!))
                heads[household.id!] = household.head?.nik.nik
                others += household.members.dropFirst().compactMap(\.nik.nik)
            }
        }
        let ids = model.households.keys.sorted { $0.rawValue < $1.rawValue }
        var day = 0
        for round in 0..<rounds {
            day += steps.randomElement(using: &random)!
            let version = version(day)
            var entries: [DesilRanking.Entry] = []
            var line = 2
            for id in ids where Int.random(in: 0..<10, using: &random) < 7 {
                var entry = DesilRanking.Entry(line: line, id: id, desil: Int.random(in: 1...10, using: &random))
                switch Int.random(in: 0..<40, using: &random) {
                case 0: entry.head = heads[id] ?? nil
                case 1: entry.head = others.randomElement(using: &random)
                case 2: entries.append(entry); line += 1  // named twice
                case 3: entry.id = HouseholdID(rawValue: 900_000 + UInt64(line % 5))  // unknown, sometimes twice
                default: break
                }
                entries.append(entry)
                line += 1
            }
            entries.shuffle(using: &random)
            for index in entries.indices { entries[index].line = index + 2 }
            let expected = model.apply(entries, version: version, heads: heads)
            var refused: [Int: LumbungError.Code] = [:]
            try store.rankDesil(version: version) { ranking in
                for batch in stride(from: 0, to: entries.count, by: 97).map({ Array(entries[$0..<min($0 + 97, entries.count)]) }) {
                    let refusals = try ranking.apply(batch)
                    #expect(refusals.map(\.line) == refusals.map(\.line).sorted(), "refusals come in line order")
                    for refusal in refusals { refused[refusal.line] = refusal.error.code }
                }
            }
            #expect(refused == expected, "round \(round): refusals")
            try store.read { tx in
                for id in ids {
                    let household = try #require(try tx.household(id: id))
                    let want = try #require(model.households[id])
                    #expect(household.desil == want.desil && household.desilVersion == want.version, "round \(round), household \(id)")
                    #expect(try tx.desilHistory(id: id) == want.history, "round \(round), history of \(id)")
                }
                for desil in 1...10 {
                    let found = Set(try tx.ids(matching: HouseholdQuery(desil: desil...desil)))
                    #expect(found == Set(ids.filter { model.households[$0]?.desil == desil }), "round \(round): desil \(desil) index")
                }
            }
            let report = try store.check()
            #expect(report.isClean, "round \(round): \(report.issues)")
        }
    }

    @Test("rankings of compressed plain-head records answer as the model", arguments: [1, 2] as [UInt64])
    func plainHeadRecordsAgainstTheModel(seed: UInt64) throws {
        let dir = TemporaryDirectory()
        var options = Store.Options()
        options.dictionaryThreshold = 100
        let store = try Store(path: dir.path, options: options)
        var factory = HouseholdFactory(seed: seed)
        _ = try store.bulkLoad(nikPolicy: .keepFlagged) { loader in
            for _ in 0..<400 { try loader.add(factory.household(flaggedRate: 0.1)) }
        }
        // The ranking must meet the envelope it keeps the frame of.
        let tags = try store.read { tx in
            var tags: Set<UInt8> = []
            let cursor = try tx.txn.cursor(tx.dbs.records)
            var found = try cursor.move(MDB_FIRST)
            while found {
                tags.insert(cursor.valueBytes[0])
                found = try cursor.move(MDB_NEXT)
            }
            return tags
        }
        #expect(tags.contains(Compressor.blockTag), "\(tags)")
        try Self.rankRandomly(store, seed: seed, rounds: 6)
    }

    @Test("check reports history of a household not stored, a bad desil or version, a bad entry, and too many versions")
    func checkFindsABrokenHistory() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path)
        var factory = HouseholdFactory(seed: 6)
        _ = try store.bulkLoad(nikPolicy: .keepFlagged) { loader in
            for _ in 0..<20 { try loader.add(factory.household()) }
        }
        try Self.rankRandomly(store, seed: 6, rounds: 2, steps: [30])
        func kinds() throws -> [CheckReport.Issue.Kind: Int] {
            Dictionary(grouping: try store.check().issues.filter { $0.kind.rawValue.hasPrefix("desilHistory") }, by: \.kind).mapValues(\.count)
        }
        #expect(try kinds().isEmpty)
        let dbs = store.environment.dbs
        let history = try #require(dbs.desilHistory)
        let (first, second) = try store.read { tx in
            var ids: [HouseholdID] = []
            try tx.forEachHousehold { ids.append($0.id!) }
            return (ids[0], ids[1])
        }
        try store.environment.withWrite { txn in
            let cursor = try txn.cursor(history)
            // Two versions of a household never stored: one issue for the household.
            try cursor.put(key: DesilHistory.packedKey(HouseholdID(9_000), 20_000), keyWidth: DesilHistory.keyWidth, value: 3, valueWidth: 1, flags: 0)
            try cursor.put(key: DesilHistory.packedKey(HouseholdID(9_000), 20_030), keyWidth: DesilHistory.keyWidth, value: 3, valueWidth: 1, flags: 0)
            // A desil of 11, and a version of day 0.
            try cursor.put(key: DesilHistory.packedKey(first, 19_000), keyWidth: DesilHistory.keyWidth, value: 11, valueWidth: 1, flags: 0)
            try cursor.put(key: DesilHistory.packedKey(first, 0), keyWidth: DesilHistory.keyWidth, value: 2, valueWidth: 1, flags: 0)
            // More versions than a household keeps (one issue, however many more).
            for day in 0..<(DesilHistory.maxVersions + 3) {
                try cursor.put(key: DesilHistory.packedKey(second, 10_000 + day), keyWidth: DesilHistory.keyWidth, value: 5, valueWidth: 1, flags: 0)
            }
            // An entry of the wrong shape.
            try txn.put(history, [1, 2, 3], [4])
        }
        #expect(try kinds() == [.desilHistoryOrphan: 1, .desilHistoryInvalid: 4])
        let issues = try store.check().issues
        #expect(issues.contains { $0.kind == .desilHistoryOrphan && $0.householdID == HouseholdID(9_000) })
        #expect(issues.contains { $0.kind == .desilHistoryInvalid && $0.householdID == second && $0.detail.contains("more than \(DesilHistory.maxVersions)") })
        #expect(issues.contains { $0.kind == .desilHistoryInvalid && $0.householdID == first && $0.detail.contains("desil 11") })
    }

    @Test("a household ranked more often than the history keeps has its oldest versions dropped, as the model")
    func historyIsTrimmedAsTheModel() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path)
        var factory = HouseholdFactory(seed: 4)
        _ = try store.bulkLoad(nikPolicy: .keepFlagged) { loader in
            for _ in 0..<30 { try loader.add(factory.household()) }
        }
        try Self.rankRandomly(store, seed: 4, rounds: 2 * DesilHistory.maxVersions, steps: [30])
        let longest = try store.read { tx in
            var longest = 0
            try tx.forEachHousehold { longest = max(longest, try tx.desilHistory(id: $0.id!).count) }
            return longest
        }
        #expect(longest == DesilHistory.maxVersions, "some household reached the limit")
    }

    @Test("rankings of format-1 records rewrite them as format 2 and answer as the model")
    func formatOneRecordsAgainstTheModel() throws {
        let (store, dir) = try FormatFixtureTests.openCopy()
        _ = dir
        try Self.rankRandomly(store, seed: 3, rounds: 4)
        let formats = try store.read { tx in
            var formats: Set<UInt8> = []
            let cursor = try tx.txn.cursor(tx.dbs.records)
            var found = try cursor.move(MDB_FIRST)
            while found {
                formats.insert(try tx.openRecord(cursor.valueBytes) { $0[0] })
                found = try cursor.move(MDB_NEXT)
            }
            return formats
        }
        #expect(formats.contains(RecordCodec.version), "ranked records are rewritten in format 2")
    }

    @Test("a plain-head reseal keeps the frame and opens as the re-ranked encoding")
    func resealIsTheRerankedEncoding() throws {
        let dir = TemporaryDirectory()
        var options = Store.Options()
        options.dictionaryThreshold = 100
        let store = try Store(path: dir.path, options: options)
        var factory = HouseholdFactory(seed: 9)
        _ = try store.bulkLoad(nikPolicy: .keepFlagged) { loader in
            for _ in 0..<200 { try loader.add(factory.household()) }
        }
        var random = SeededRandom(seed: 9)
        var resealed = 0
        try store.read { tx in
            let compressor = tx.environment.compressor
            let cursor = try tx.txn.cursor(tx.dbs.records)
            var found = try cursor.move(MDB_FIRST)
            while found {
                let stored = cursor.valueBytes
                let envelope = try Compressor.Envelope(stored)
                if envelope.keepsPlainHead {
                    resealed += 1
                    let id = HouseholdID(rawValue: Keys.read(cursor.keyBytes, width: Keys.idWidth))
                    let household = try tx.openRecord(stored) { try RecordCodec.decode($0, id: id) }
                    let desil = Int.random(in: 1...10, using: &random), version = Self.version(Int.random(in: 0...900, using: &random))
                    let head = try RecordCodec.plainHead(envelope.plainHead).ranked(desil: desil, version: version, milliseconds: 1_767_225_600_123)
                    let sealed = try #require(try Compressor.resealed(stored, head: RecordCodec.plainHeadBytes(head)))
                    #expect(Array(sealed.suffix(envelope.rest.count)) == Array(envelope.rest), "the frame is kept byte for byte")
                    var ranked = household
                    ranked.desil = desil
                    ranked.desilVersion = version
                    ranked.updatedAt = RecordCodec.date(milliseconds: 1_767_225_600_123)
                    var writer = ByteWriter()
                    RecordCodec.encode(ranked, into: &writer)
                    let opened = try sealed.withUnsafeBytes { try compressor.open($0) { Array($0) } }
                    #expect(opened == writer.bytes, "household \(id)")
                }
                found = try cursor.move(MDB_NEXT)
            }
        }
        #expect(resealed > 100, "the records keep their heads outside the compressed bytes")
    }
}
