import CLMDB
import Foundation
import Testing
@testable import Lumbung

/// A bulk load holds the index entries of a bounded number of households and writes them when
/// it reaches the limit. Past the limit the store must come out exactly as one write at the end
/// makes it, and a key held twice must be refused wherever the limit falls between the two.
@Suite struct BulkLoadLimitTests {
    let directory = TemporaryDirectory()

    /// Every entry of every index database and the counters, in key order.
    func indexEntries(_ store: Store) throws -> [[[UInt8]]] {
        let dbs = store.environment.dbs
        var databases = [dbs.nik, dbs.kk, dbs.counters] + IndexDimension.allCases.filter { !dbs.lacks($0) }.map { dbs[$0] }
        if let source = dbs.source { databases.append(source) }
        return try store.read { tx in
            try databases.map { dbi in
                let cursor = try tx.txn.cursor(dbi)
                var entries: [[UInt8]] = []
                var more = try cursor.move(MDB_FIRST)
                while more {
                    entries.append(Array(cursor.keyBytes) + [0xFF] + Array(cursor.valueBytes))
                    more = try cursor.move(MDB_NEXT)
                }
                return entries
            }
        }
    }

    func households(seed: UInt64, count: Int) throws -> [Household] {
        var factory = HouseholdFactory(seed: 900 + seed)
        return try (0..<count).map { index in
            var household = factory.household(flaggedRate: 0.1)
            if index % 4 == 0 { household.sourceID = try SourceID("SRC-\(seed)-\(index)") }
            return household
        }
    }

    @Test("a load past the limit leaves the indexes and counters one write at the end leaves", arguments: [1, 2, 3] as [UInt64])
    func limitedLoadMatchesOneWrite(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let loaded = try households(seed: seed, count: 120)
        let whole = try Store(path: directory.sub("whole-\(seed)"))
        let limited = try Store(path: directory.sub("limited-\(seed)"))
        let limit = Int.random(in: 1...25, using: &random)
        // Once entries are written the limit may shrink (an import's): the outcome must not change.
        let laterLimit = Int.random(in: 1...limit, using: &random)
        try whole.bulkLoad(nikPolicy: .keepFlagged) { loader in for household in loaded { try loader.add(household) } }
        let summary = try limited.bulkLoad(actor: nil, nikPolicy: .keepFlagged, deferredLimit: limit, laterDeferredLimit: laterLimit) { loader in
            for household in loaded { try loader.add(household) }
        }
        #expect(summary.inserted == loaded.count)
        #expect(try indexEntries(limited) == indexEntries(whole))
        #expect(try limited.check(limit: 1000).isClean)
    }

    /// The first repeated KK or source id, in load order (a repeated NIK may instead be kept
    /// flagged, by the validation's rules, so the one-write load is the oracle for those).
    func firstRepeat(_ loaded: [Household]) -> LumbungError.Code? {
        var kks = Set<UInt64>(), sources = Set<String>()
        for household in loaded {
            if !kks.insert(household.nomorKK.rawValue).inserted { return .kkDuplicate }
            if let source = household.sourceID, !sources.insert(source.text).inserted { return .sourceIDDuplicate }
        }
        return nil
    }

    /// The code a load throws, if any.
    func outcome(_ loaded: [Household], into store: Store, limit: Int) throws -> LumbungError.Code? {
        do {
            try store.bulkLoad(actor: nil, nikPolicy: .keepFlagged, deferredLimit: limit) { loader in
                for household in loaded { try loader.add(household) }
            }
            return nil
        } catch let error as LumbungError {
            return error.code
        }
    }

    @Test("a key held twice is refused wherever the limit falls, and the store is left empty", arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func repeatsAcrossTheLimitAreRefused(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var loaded = try households(seed: seed, count: 60)
        // Copy one key from an earlier household to a later one, on either side of the limit.
        let limit = Int.random(in: 1...20, using: &random)
        let from = Int.random(in: 0..<40, using: &random), to = Int.random(in: (from + 1)..<60, using: &random)
        switch seed % 3 {
        case 0: loaded[to].nomorKK = loaded[from].nomorKK
        case 1: loaded[to].sourceID = try SourceID("SRC-\(seed)-shared"); loaded[from].sourceID = loaded[to].sourceID
        default:
            // The whole member, so that its NIK agrees with its birth date and sex.
            if let member = loaded[from].members.first(where: { $0.nik.nik != nil }) {
                var copy = member
                copy.relation = .lainnya
                loaded[to].members.append(copy)
            }
        }
        let expected = try outcome(loaded, into: Store(path: directory.sub("repeat-whole-\(seed)")), limit: BulkLoader.deferredLimit)
        if seed % 3 != 2 { #expect(expected == firstRepeat(loaded)) } else { #expect(expected == .nikDuplicate) }
        let store = try Store(path: directory.sub("repeat-\(seed)"))
        let thrown = try outcome(loaded, into: store, limit: limit)
        #expect(thrown == expected, "limit \(limit), copied from \(from) to \(to)")
        if expected != nil {
            #expect(try store.read { tx in try tx.householdCount() } == 0)
        }
    }

    @Test("a producer that vouches for its households' uniqueness gets the same store past the limit", arguments: [1, 2] as [UInt64])
    func vouchedLoadMatchesOneWrite(seed: UInt64) throws {
        let loaded = try households(seed: 40 + seed, count: 90)
        let whole = try Store(path: directory.sub("vouched-whole-\(seed)"))
        let vouched = try Store(path: directory.sub("vouched-\(seed)"))
        try whole.bulkLoad(nikPolicy: .keepFlagged) { loader in for household in loaded { try loader.add(household) } }
        try vouched.bulkLoad(actor: nil, nikPolicy: .keepFlagged, deferredLimit: 7, laterDeferredLimit: 3) { loader in
            loader.producerChecksUniqueness = true
            for household in loaded { try loader.add(household) }
        }
        #expect(try indexEntries(vouched) == indexEntries(whole))
        #expect(try vouched.check(limit: 1000).isClean)
    }

    @Test("a vouching producer's household is still checked against a store that held households")
    func vouchedLoadIntoAFilledStoreChecksIt() throws {
        let loaded = try households(seed: 77, count: 20)
        let store = try Store(path: directory.sub("vouched-filled"))
        try store.bulkLoad(nikPolicy: .keepFlagged) { loader in for household in loaded[..<10] { try loader.add(household) } }
        var repeated = Array(loaded[10...])
        repeated[5].nomorKK = loaded[3].nomorKK
        let thrown = try #require(throws: LumbungError.self) {
            try store.bulkLoad(actor: nil, nikPolicy: .keepFlagged, deferredLimit: 4) { loader in
                loader.producerChecksUniqueness = true
                for household in repeated { try loader.add(household) }
            }
        }
        #expect(thrown.code == .kkDuplicate)
        #expect(try store.read { tx in try tx.householdCount() } == 10)
    }

    @Test("a producer that catches a failed write cannot commit: every later call throws, and the store is left as it was")
    func caughtFailureStillRollsBack() throws {
        let store = try Store(path: directory.sub("caught"))
        // Enough to train a dictionary, so the next load writes in parallel chunks.
        let first = try households(seed: 81, count: 100)
        try store.bulkLoad(nikPolicy: .keepFlagged) { loader in for household in first { try loader.add(household) } }
        let countersBefore = try indexEntries(store)
        var next = try households(seed: 82, count: 2 * BulkLoader.chunkSize + 800)
        // Thrown while the first chunk is written, at an add of the third chunk.
        next[20].nomorKK = first[3].nomorKK
        var firstFailure: Int?
        var succeededAfterIt = 0
        let thrown = try #require(throws: LumbungError.self) {
            try store.bulkLoad(nikPolicy: .keepFlagged) { loader in
                for (index, household) in next.enumerated() {
                    do {
                        try loader.add(household)
                        if firstFailure != nil { succeededAfterIt += 1 }
                    } catch {
                        firstFailure = firstFailure ?? index
                    }
                }
            }
        }
        #expect(thrown.code == .kkDuplicate)
        #expect(firstFailure == 2 * BulkLoader.chunkSize - 1)
        #expect(succeededAfterIt == 0)
        #expect(try store.read { tx in try tx.householdCount() } == 100)
        #expect(try indexEntries(store) == countersBefore)
        #expect(try store.check(limit: 1000).isClean)
    }
}
