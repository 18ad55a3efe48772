import Foundation
import Testing
@testable import Lumbung
import LumbungIO
import LumbungSynthetic

@Suite("Import")
struct ImportTests {
    /// Exports a small generated store to `name` and returns the file's path.
    func exported(_ directory: TemporaryDirectory, _ name: String, count: Int = 60) throws -> String {
        let source = try Store(path: directory.sub("source"))
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 21)
        try source.bulkLoad { loader in for household in generator.households(count: count) { try loader.add(household) } }
        let path = directory.sub(name)
        _ = try Exporter.export(from: source, matching: HouseholdQuery(), as: FileFormat(path: name)!, to: path)
        return path
    }

    @Test(arguments: ["h.csv", "h.jsonl.zst"])
    func importIsExactAndIdempotent(name: String) throws {
        let directory = TemporaryDirectory()
        let path = try exported(directory, name)
        let store = try Store(path: directory.sub("target"))
        let first = try Importer.run(file: path, into: store, options: ImportOptions())
        #expect(first.inserted == 60 && first.rejected == 0 && first.wrote)
        let second = try Importer.run(file: path, into: store, options: ImportOptions())
        #expect(second.inserted == 0 && second.updated == 0 && second.unchanged == 60)
        let source = try Store(path: directory.sub("source"))
        try source.read { (tx) throws in
            try store.read { (target) throws in
                try tx.forEachHousehold { household in
                    let copy = try #require(try target.household(kk: household.nomorKK))
                    #expect(copy.content == household.content)
                }
            }
        }
        #expect(try store.check().isClean)
    }

    @Test func badRowsStopTheImportOrAreSkipped() throws {
        let directory = TemporaryDirectory()
        let good = try exported(directory, "good.csv", count: 20)
        var lines = try String(contentsOfFile: good, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let nikColumn = try #require(header.firstIndex(of: "anggota.nik"))
        var cells = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        cells[nikColumn] = "3.21601E+15"
        lines[1] = cells.joined(separator: ",")
        let bad = directory.sub("bad.csv")
        try lines.joined(separator: "\n").write(toFile: bad, atomically: true, encoding: .utf8)

        let store = try Store(path: directory.sub("target"))
        let strict = try Importer.run(file: bad, into: store, options: ImportOptions())
        #expect(!strict.wrote && strict.rejected == 1)
        let issue = try #require(strict.report.issues.first)
        #expect(issue.line == 2 && issue.code == .nikSpreadsheetMangled && issue.column == "anggota.nik")
        #expect(try store.read { tx in try tx.householdCount() } == 0, "nothing is written")

        var options = ImportOptions()
        options.skipInvalid = true
        let skipping = try Importer.run(file: bad, into: store, options: options)
        #expect(skipping.wrote && skipping.inserted == 19 && skipping.rejected == 1)

        options.keepInvalidNIK = true
        let legacy = try Importer.run(file: bad, into: store, options: options)
        #expect(legacy.inserted == 1 && legacy.unchanged == 19 && legacy.flaggedMembers == 1)
        #expect(try store.read { tx in try tx.count(HouseholdQuery(nikStatus: .invalid)).households } == 1)

        options.onExisting = .fail
        options.skipInvalid = false
        let refused = try Importer.run(file: good, into: store, options: options)
        #expect(!refused.wrote && refused.report.counts[.importExists] == 20)
        #expect(try store.check().isClean)
    }

    @Test func aNIKHeldByAnotherHouseholdInTheStoreIsReported() throws {
        let directory = TemporaryDirectory()
        let path = try exported(directory, "h.jsonl", count: 10)
        let store = try Store(path: directory.sub("target"))
        // A household the exported file does not hold.
        var holder = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 3).household(at: 500_000)
        let firstLine = try #require(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").first)
        let imported = try JSONLines.decode(line: 1, String(firstLine)).get()
        holder.members.append(imported.members[0])
        holder.members[holder.members.count - 1].relation = .familiLain
        let holderID = try store.write { tx in try tx.put(holder).id }
        let summary = try Importer.run(file: path, into: store, options: ImportOptions())
        #expect(!summary.wrote)
        let issue = try #require(summary.report.issues.first { $0.code == .nikDuplicate })
        #expect(issue.line == 1 && issue.rule.contains("household \(holderID)"))
    }
}
