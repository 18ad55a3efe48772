import Foundation
import Testing
@testable import Lumbung
import LumbungIO
import LumbungSynthetic

/// `DesilImporter` reads, re-ranks and writes in a pipeline of batches. Its outcome must not
/// depend on where the batches break: the same file gives the same store and the same report
/// with batches of a few rows as with one batch.
@Suite("Desil import pipeline")
struct DesilImportTests {
    static let count = 240

    /// A store of `count` generated households and, per household, its KK and id.
    static func store(_ path: String, options: Store.Options = Store.Options()) throws -> (Store, [(kk: String, id: HouseholdID)]) {
        let store = try Store(path: path, options: options)
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 5)
        try store.bulkLoad { loader in for household in generator.households(count: count) { try loader.add(household) } }
        var households: [(kk: String, id: HouseholdID)] = []
        try store.read { tx in try tx.forEachHousehold { households.append(($0.nomorKK.text, $0.id!)) } }
        return (store, households)
    }

    /// Each household's desil and desil version, by id.
    static func desils(_ store: Store) throws -> [HouseholdID: String] {
        var desils: [HouseholdID: String] = [:]
        try store.read { tx in try tx.forEachHousehold { desils[$0.id!] = "\($0.desil.map(String.init) ?? "-")@\($0.desilVersion?.description ?? "-")" } }
        return desils
    }

    /// Imports `rows` (after the header) with batches of `batchSize` rows into a fresh store.
    static func run(_ rows: [String], batchSize: Int, in directory: TemporaryDirectory, _ name: String) throws -> (DesilImportSummary, [HouseholdID: String], Store) {
        let (store, _) = try store(directory.sub(name))
        let file = directory.sub("\(name).csv")
        try (["nomor_kk,desil"] + rows).joined(separator: "\n").appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
        var options = DesilImportOptions(version: try DesilVersion(parsing: "2026-01-23"))
        options.batchSize = batchSize
        let summary = try DesilImporter.run(file: file, into: store, options: options)
        return (summary, try desils(store), store)
    }

    @Test("a clean ranking writes the same store whatever the batch size", arguments: [1, 7, 64] as [Int])
    func cleanRankingIsTheSameInAnyBatches(batchSize: Int) throws {
        let directory = TemporaryDirectory()
        let (_, households) = try Self.store(directory.sub("kks"))
        var random = SeededRandom(seed: UInt64(batchSize))
        var rows: [String] = []
        var expected: [HouseholdID: String] = [:]
        for (kk, id) in households.shuffled(using: &random) {
            guard Int.random(in: 0..<10, using: &random) > 0 else { continue }  // some left out: absent
            let desil = Int.random(in: 1...10, using: &random)
            rows.append("\(kk),\(desil)")
            expected[id] = "\(desil)@2026-01-23"
        }
        let unknownKK = String(households[0].kk.prefix(12)) + "9999"
        #expect(!households.contains { $0.kk == unknownKK })
        rows.append("\(unknownKK),4")  // no such KK: reported, not refused
        let (small, smallDesils, store) = try Self.run(rows, batchSize: batchSize, in: directory, "small")
        let (whole, wholeDesils, _) = try Self.run(rows, batchSize: 100_000, in: directory, "whole")
        #expect(small.wrote && whole.wrote)
        #expect(small.refused == 0 && small.unknown == 1 && small.rows == rows.count, "\(small.report.issues)")
        #expect(small.updated + small.unchanged == expected.count)
        #expect(small.absent == Self.count - expected.count)
        #expect(smallDesils == wholeDesils)
        for (id, desil) in expected { #expect(smallDesils[id] == desil, "household \(id)") }
        #expect(Set(small.report.issues) == Set(whole.report.issues))
        #expect(try store.check().isClean)
    }

    @Test("a ranking with bad rows is refused whole, with the same report whatever the batch size", arguments: [1, 5, 33] as [Int])
    func badRankingIsRefusedTheSameInAnyBatches(batchSize: Int) throws {
        let directory = TemporaryDirectory()
        let (_, households) = try Self.store(directory.sub("kks"))
        var random = SeededRandom(seed: 100 + UInt64(batchSize))
        var rows: [String] = []
        var (badDesils, badKKs, twice) = (0, 0, 0)
        for (kk, _) in households.shuffled(using: &random) {
            switch Int.random(in: 0..<12, using: &random) {
            case 0: rows.append("\(kk),11"); badDesils += 1  // desil out of range
            case 1: rows.append("12345,3"); badKKs += 1  // not a KK
            case 2: rows += ["\(kk),2", "\(kk),3"]; twice += 1  // named twice, maybe in two batches
            default: rows.append("\(kk),\(Int.random(in: 1...10, using: &random))")
            }
        }
        let before = try Self.desils(try Self.store(directory.sub("before")).0)
        let (small, smallDesils, store) = try Self.run(rows, batchSize: batchSize, in: directory, "small")
        let (whole, _, _) = try Self.run(rows, batchSize: 100_000, in: directory, "whole")
        #expect(!small.wrote && !whole.wrote)
        #expect(small.refused > 0 && small.refused == whole.refused)
        #expect(small.report.counts == whole.report.counts)
        #expect(Set(small.report.issues) == Set(whole.report.issues))
        #expect(badDesils > 0 && badKKs > 0 && twice > 0, "the seed makes every kind of bad row")
        #expect(small.report.counts[.desilDuplicate] == twice)
        #expect(small.report.counts[.householdDesil] == badDesils)
        #expect(small.refused == badDesils + badKKs + twice)
        #expect(smallDesils == before, "a refused ranking leaves the store as it was")
        #expect(try store.check().isClean)
    }

    @Test("a ranking that fills the map grows it and starts over, with the reading thread stopped first")
    func aRankingThatFillsTheMapStartsOver() throws {
        let directory = TemporaryDirectory()
        var options = Store.Options()
        // Room for the load (with the journal's household index), not for the ranking's copies.
        options.mapSize = 288 << 10
        let (store, households) = try Self.store(directory.sub("small-map"), options: options)
        let file = directory.sub("ranking.csv")
        let rows = households.enumerated().map { "\($1.kk),\($0 % 10 + 1)" }
        try (["nomor_kk,desil"] + rows).joined(separator: "\n").appending("\n").write(toFile: file, atomically: true, encoding: .utf8)
        var importOptions = DesilImportOptions(version: try DesilVersion(parsing: "2026-01-23"))
        importOptions.batchSize = 16
        let before = store.environment.mapSize
        let summary = try DesilImporter.run(file: file, into: store, options: importOptions)
        #expect(store.environment.mapSize > before, "the ranking needed a bigger map")
        #expect(summary.wrote && summary.updated + summary.unchanged == households.count && summary.rows == households.count)
        let desils = try Self.desils(store)
        for (index, household) in households.enumerated() {
            #expect(desils[household.id] == "\(index % 10 + 1)@2026-01-23")
        }
        #expect(try store.check().isClean)
    }
}
