import CLMDB
import Foundation
import Testing
@testable import Lumbung

/// `check` compares digests first and sorts what the records imply (in bounded runs spilled to
/// files) only when one differs. The spilled way must sort as an array does and find exactly what
/// checking in one run in memory finds; the digest way must find exactly what the exact way finds.
@Suite struct CheckSpillTests {
    let directory = TemporaryDirectory()

    /// Sorts `values` through an ``ExternalSort`` with runs of `runLength`, checking it spilled.
    func externallySorted<Element: Spillable>(_ values: [Element], runLength: Int) throws -> [Element] {
        var sort = ExternalSort<Element>(runLength: runLength, directories: ["/nonexistent-\(UUID())", directory.path])
        for value in values { try sort.append(value) }
        #expect(sort.spilledRuns == values.count / runLength)
        var sorted = try sort.sorted()
        var out: [Element] = []
        while let value = try sorted.next() { out.append(value) }
        return out
    }

    @Test("an external sort gives what sorting the array gives, for every entry kind", arguments: [1, 2, 3] as [UInt64])
    func externalSortModel(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        for _ in 0..<12 {
            let count = Int.random(in: 0...400, using: &random)
            let runLength = Int.random(in: 1...40, using: &random)
            // Small ranges make equal values common across runs.
            let unique = (0..<count).map { _ in UniqueEntry(number: .random(in: 0...20, using: &random), id: .random(in: 0...3, using: &random)) }
            #expect(try externallySorted(unique, runLength: runLength) == unique.sorted())
            let sources = (0..<count).map { _ in
                SourceEntry(key: (0..<Int.random(in: 0...5, using: &random)).map { _ in UInt8.random(in: 0...2, using: &random) }, id: .random(in: 0...3, using: &random))
            }
            #expect(try externallySorted(sources, runLength: runLength) == sources.sorted())
            // Widths past 16 bytes are the damaged entries kept whole.
            let packed = (0..<count).map { _ in
                PackedEntry((0..<Int.random(in: 0...20, using: &random)).map { _ in [0, 1, 0xFF].randomElement(using: &random)! }, [UInt8]())
            }
            #expect(try externallySorted(packed, runLength: runLength) == packed.sorted())
        }
    }

    @Test func aSortWithNoDirectoryThatTakesAFileNamesThem() throws {
        var sort = ExternalSort<UniqueEntry>(runLength: 1, directories: ["/nonexistent-a", "/nonexistent-b"])
        #expect {
            try sort.append(UniqueEntry(number: 1, id: 1))
        } throws: { error in
            guard let error = error as? LumbungError, error.code == .storeIO else { return false }
            return error.value == "/nonexistent-a, /nonexistent-b" && error.rule.contains("temporary sort file")
        }
    }

    @Test("check with tiny runs finds exactly what check in one run finds, on damaged stores", arguments: [1, 2, 3, 4] as [UInt64])
    func spilledCheckMatchesInMemoryCheck(seed: UInt64) throws {
        let store = try Store(path: directory.sub("store-\(seed)"))
        var factory = HouseholdFactory(seed: 40 + seed)
        var random = SeededRandom(seed: seed)
        let count = 150
        try store.bulkLoad { loader in
            for index in 0..<count {
                var household = factory.household()
                if index % 3 == 0 { household.sourceID = try SourceID("SRC-\(seed)-\(index)") }
                try loader.add(household)
            }
        }
        #expect(try store.check(limit: 1000, runLength: 2).isClean)

        let dbs = store.environment.dbs
        try store.environment.withWrite { txn in
            // Index entries lost and invented, in every index.
            for dbi in Self.indexes(of: dbs) {
                let entries = try Self.entries(of: dbi, in: txn)
                guard !entries.isEmpty else { continue }  // an index no household reaches
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let (key, value) = entries.randomElement(using: &random)!
                    _ = try txn.delete(dbi, key, dbi == dbs.source ? nil : value)
                }
                let (key, value) = entries.randomElement(using: &random)!
                var invented = value
                invented[invented.count - 1] ^= 0x5A
                try txn.put(dbi, key + (dbi == dbs.source ? [0x41] : []), invented)
            }
            // Records copied under new ids: duplicate NIKs, KKs and source ids.
            for copy in 0..<3 {
                // The first copy is of household 1, which has a source id.
                let from = HouseholdID(copy == 0 ? 1 : UInt64(Int.random(in: 1...count, using: &random)))
                let record = try #require(try txn.get(dbs.records, Keys.record(from))).array
                try txn.put(dbs.records, Keys.record(HouseholdID(UInt64(count + 1 + copy))), record)
            }
            // A record that does not decode.
            try txn.put(dbs.records, Keys.record(HouseholdID(UInt64(count + 10))), [1, 2, 3])
        }

        for limit in [3, 40, 1000] {
            let inMemory = try store.check(limit: limit, runLength: .max, method: .exact)
            let digestsFirst = try store.check(limit: limit, runLength: .max)
            #expect(digestsFirst.comparedExactly)
            #expect(digestsFirst.issueCount == inMemory.issueCount && digestsFirst.issues == inMemory.issues)
            let spilled = try store.check(limit: limit, runLength: 3, method: .exact)
            #expect(spilled.issueCount == inMemory.issueCount)
            #expect(spilled.issues == inMemory.issues)
            #expect(spilled.households == inMemory.households && spilled.members == inMemory.members)
            #expect(spilled.flaggedMembers == inMemory.flaggedMembers)
            #expect(spilled.issues.count == min(limit, spilled.issueCount))
        }
        let kinds = Set(try store.check(limit: 1000, runLength: 3).issues.map(\.kind))
        #expect(kinds.isSuperset(of: [.duplicateNIK, .duplicateKK, .missingIndexEntry, .extraIndexEntry, .duplicateSourceID, .recordCorrupt, .counterMismatch]))
    }

    /// Every index the store has.
    static func indexes(of dbs: Environment.Databases) -> [MDB_dbi] {
        [dbs.nik, dbs.kk] + IndexDimension.allCases.filter { !dbs.lacks($0) }.map { dbs[$0] } + (dbs.source.map { [$0] } ?? [])
    }

    /// Every entry of `dbi`, key then value, in order.
    static func entries(of dbi: MDB_dbi, in txn: Txn) throws -> [([UInt8], [UInt8])] {
        let cursor = try txn.cursor(dbi)
        var entries: [([UInt8], [UInt8])] = []
        var more = try cursor.move(MDB_FIRST)
        while more {
            entries.append((Array(cursor.keyBytes), Array(cursor.valueBytes)))
            more = try cursor.move(MDB_NEXT)
        }
        return entries
    }

    /// A store of `count` generated households, some with source ids.
    func generatedStore(_ name: String, seed: UInt64, count: Int = 120) throws -> Store {
        let store = try Store(path: directory.sub(name))
        var factory = HouseholdFactory(seed: 70 + seed)
        try store.bulkLoad { loader in
            for index in 0..<count {
                var household = factory.household()
                if index % 4 == 0 { household.sourceID = try SourceID("SRC-\(seed)-\(index)") }
                try loader.add(household)
            }
        }
        return store
    }

    @Test("a healthy store is checked by digests alone, on every core, and an exact check agrees")
    func healthyStoresNeedNoExactComparison() throws {
        let store = try generatedStore("healthy", seed: 1, count: 500)
        var progress: [Int] = []
        // Batches of 2 × 37 records: many batches, the last one short.
        let report = try store.check(limit: 1000, runLength: .max, recordsPerWorker: 37) { progress.append($0) }
        #expect(report.isClean && !report.comparedExactly)
        #expect(report.households == 500)
        #expect(progress.last == 500 && progress == progress.sorted() && progress.count >= 500 / (CheckReport.workers * 37))
        let exact = try store.check(limit: 1000, runLength: .max, method: .exact)
        #expect(exact.isClean && exact.households == report.households && exact.members == report.members)
        #expect(exact.flaggedMembers == report.flaggedMembers)
    }

    @Test("one changed byte in any index sends check to the exact comparison, which names it", arguments: [1, 2, 3] as [UInt64])
    func aChangedEntryIsFoundInEveryIndex(seed: UInt64) throws {
        let store = try generatedStore("changed-\(seed)", seed: seed)
        let dbs = store.environment.dbs
        let indexes = Self.indexes(of: dbs)
        var random = SeededRandom(seed: seed)
        for dbi in indexes {
            let saved = try store.environment.withWrite { txn -> (key: [UInt8], value: [UInt8], changed: [UInt8])? in
                let entries = try Self.entries(of: dbi, in: txn)
                guard let (key, value) = entries.randomElement(using: &random) else { return nil }
                // The same count of entries, one of them different (and new): only the sum can tell.
                var changed = value
                repeat {
                    changed = value
                    changed[Int.random(in: 0..<changed.count, using: &random)] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
                } while entries.contains(where: { $0 == key && $1 == changed })
                _ = try txn.delete(dbi, key, dbi == dbs.source ? nil : value)
                try txn.put(dbi, key, changed)
                return (key, value, changed)
            }
            guard let saved else { continue }
            let report = try store.check(limit: 1000, runLength: .max)
            #expect(report.comparedExactly)
            #expect(report.issues.map(\.kind).contains(.missingIndexEntry))
            let exact = try store.check(limit: 1000, runLength: .max, method: .exact)
            #expect(report.issues == exact.issues && report.issueCount == exact.issueCount)
            try store.environment.withWrite { txn in
                _ = try txn.delete(dbi, saved.key, dbi == dbs.source ? nil : saved.changed)
                try txn.put(dbi, saved.key, saved.value)
            }
            #expect(try store.check(limit: 1000, runLength: .max).isClean)
        }
    }

    @Test("duplicates the indexes hold consistently are reported by the digest check as the exact check reports them")
    func consistentDuplicatesAreReportedWithoutTheExactComparison() throws {
        let store = try generatedStore("duplicates", seed: 5)
        let dbs = store.environment.dbs
        // Household 2 (no source id) copied under id 500, with every index entry and counter it
        // implies: only the duplicate NIKs and KK are wrong.
        let original = try #require(try store.read { tx in try tx.household(id: HouseholdID(2)) })
        #expect(original.sourceID == nil)
        var copy = original
        copy.id = HouseholdID(500)
        try store.environment.withWrite { txn in
            let record = try #require(try txn.get(dbs.records, Keys.record(HouseholdID(2)))).array
            try txn.put(dbs.records, Keys.record(HouseholdID(500)), record)
            for nik in copy.validNIKs { try txn.put(dbs.nik, dbs.unique.keyBytes(nik.rawValue), dbs.unique.dupBytes(nik.rawValue, id: 500)) }
            try txn.put(dbs.kk, dbs.unique.keyBytes(copy.nomorKK.rawValue), dbs.unique.dupBytes(copy.nomorKK.rawValue, id: 500))
            for (kind, key, entry) in IndexDimension.entries(copy) where !dbs.lacks(kind) { try txn.put(dbs[kind], key, entry) }
            var deltas = CounterDeltas()
            deltas.add(copy, sign: 1)
            try deltas.flush(into: txn, dbi: dbs.counters)
        }
        let report = try store.check(limit: 1000, runLength: .max)
        #expect(!report.comparedExactly)
        #expect(report.issueCount == original.validNIKs.count + 1)
        #expect(Set(report.issues.map(\.kind)) == [.duplicateNIK, .duplicateKK])
        #expect(report.issues.allSatisfy { $0.householdID == HouseholdID(500) && $0.detail.hasSuffix("also in household 2") })
        let exact = try store.check(limit: 1000, runLength: .max, method: .exact)
        #expect(report.issues == exact.issues && report.issueCount == exact.issueCount)
    }
}
