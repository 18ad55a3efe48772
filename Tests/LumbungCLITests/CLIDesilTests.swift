import Foundation
import Testing

/// `lumbung desil import` end to end through the built binary: versions set, history kept,
/// absent households reported, every bad row reported, all or nothing, dry runs.
@Suite("CLI desil import")
struct CLIDesilTests {
    /// A stored household as the export shows it: id, KK, wilayah, the head's and another member's NIK.
    struct Stored {
        var id: Int, kk: String, wilayah: String, head: String, other: String?
    }

    static func households(_ store: String, in directory: TemporaryDirectory) throws -> [Stored] {
        let export = try CLITests.run(["export", "--format", "jsonl", "--out", "-"], store: store, in: directory)
        #expect(export.status == 0, "\(export.stderr)")
        return try export.lines.map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let members = try #require(object["anggota"] as? [[String: Any]])
            let head = try #require(members.first { $0["hubungan"] as? String == "kepala_keluarga" }?["nik"] as? String)
            let other = members.first { $0["hubungan"] as? String != "kepala_keluarga" && $0["nik"] is String }?["nik"] as? String
            return Stored(
                id: try #require(object["id"] as? Int), kk: try #require(object["nomor_kk"] as? String),
                wilayah: try #require(object["kode_wilayah"] as? String), head: head, other: other)
        }
    }

    static func household(_ id: Int, _ store: String, in directory: TemporaryDirectory) throws -> [String: Any] {
        let result = try CLITests.run(["get", "--id", String(id), "--json"], store: store, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    static func write(_ text: String, _ path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func json(_ result: CLITests.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)\(result.stderr)")
    }

    static func export(_ store: String, in directory: TemporaryDirectory) throws -> String {
        let result = try CLITests.run(["export", "--format", "jsonl", "--out", "-"], store: store, in: directory)
        #expect(result.status == 0)
        return result.stdout
    }

    @Test func rankingSetsVersionKeepsHistoryAndReportsAbsentHouseholds() throws {
        let (directory, store) = try CLITests.generatedStore()
        let all = try Self.households(store, in: directory)
        let ranked = Array(all.dropLast(10)), left = Array(all.suffix(10))
        let first = directory.sub("desil-2026-01.csv"), absent = directory.sub("absent.csv")
        try Self.write("nomor_kk,desil\n" + ranked.enumerated().map { "\($1.kk),\($0 % 10 + 1)\n" }.joined(), first)

        let result = try CLITests.run(["desil", "import", first, "--version", "2026-01-23", "--absent", absent, "--json"], store: store, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try Self.json(result)
        #expect(summary["rows"] as? Int == ranked.count)
        #expect(summary["refused"] as? Int == 0)
        #expect(summary["absent"] as? Int == 10)
        #expect(summary["wrote"] as? Bool == true)
        let updated = try #require(summary["updated"] as? Int), unchanged = try #require(summary["unchanged"] as? Int)
        #expect(updated + unchanged == ranked.count && updated > 0, "every ranked household gets the version")
        var byWilayah: [String: Int] = [:]
        for household in left { byWilayah[household.wilayah, default: 0] += 1 }
        #expect((summary["absent_by_wilayah"] as? [String: Int]) == byWilayah, "absent households are counted by their desa")
        let listed = try String(contentsOfFile: absent, encoding: .utf8).split(separator: "\n")
        #expect(listed.first == "id,nomor_kk,kode_wilayah")
        #expect(listed.dropFirst().map(String.init) == left.map { "\($0.id),\($0.kk),\($0.wilayah)" })

        for (index, household) in ranked.enumerated().prefix(20) {
            let stored = try Self.household(household.id, store, in: directory)
            #expect(stored["desil"] as? Int == index % 10 + 1)
            #expect(stored["desil_versi"] as? String == "2026-01-23")
        }
        let before = try Self.household(left[0].id, store, in: directory)
        #expect(before["desil_versi"] == nil, "an absent household keeps what it had")

        // A second ranking, by the head's NIK, for a few households.
        let second = directory.sub("desil-2026-07.csv")
        try Self.write("nik,desil\n" + ranked.prefix(5).map { "\($0.head),10\n" }.joined(), second)
        let again = try CLITests.run(["desil", "import", second, "--version", "2026-07-01", "--by", "nik"], store: store, in: directory)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("5 updated"), "\(again.stdout)")
        #expect(again.stdout.contains("\(all.count - 5) stored households absent"), "\(again.stdout)")
        let history = try CLITests.run(["get", "--id", String(ranked[1].id), "--desil-history", "--json"], store: store, in: directory)
        #expect(history.status == 0, "\(history.stderr)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["desil_versi"] as? String } == ["2026-01-23", "2026-07-01"])
        #expect(entries.map { $0["desil"] as? Int } == [2, 10])
        let text = try CLITests.run(["get", "--id", String(ranked[1].id)], store: store, in: directory)
        #expect(text.stdout.contains("10 (2026-07-01)"), "get shows the desil with its version: \(text.stdout)")

        // The same ranking again changes nothing; an older one is refused.
        let same = try CLITests.run(["desil", "import", second, "--version", "2026-07-01", "--by", "nik", "--json"], store: store, in: directory)
        #expect(try Self.json(same)["unchanged"] as? Int == 5)
        let older = try CLITests.run(["desil", "import", second, "--version", "2026-03-01", "--by", "nik"], store: store, in: directory)
        #expect(older.status == 3)
        let issues = try String(contentsOfFile: second + ".issues.csv", encoding: .utf8)
        #expect(issues.contains("2,desil_versi,2026-03-01,desil.olderVersion,"), "\(issues)")

        let stats = try CLITests.run(["stats", "--json"], store: store, in: directory)
        let desil = try #require(try Self.json(stats)["desil"] as? [String: [String: Int]])
        #expect(desil["10"]?["households"] ?? 0 >= 5)
        let check = try CLITests.run(["check"], store: store, in: directory)
        #expect(check.status == 0, "indexes, counters and records agree: \(check.stdout)\(check.stderr)")
    }

    @Test func everyBadRowIsReportedAndTheStoreIsLeftAsItWas() throws {
        let (directory, store) = try CLITests.generatedStore()
        let all = try Self.households(store, in: directory)
        let before = try Self.export(store, in: directory)
        let file = directory.sub("bad.csv")
        let notHead = try #require(all.first { $0.other != nil })
        try Self.write("""
            nomor_kk,desil
            \(all[0].kk),3
            1234,3
            \(all[1].kk),11
            \(all[2].kk),x
            \(all[0].kk),4
            3216999999999999,2
            \(all[3].kk),

            """, file)
        let result = try CLITests.run(["desil", "import", file, "--version", "2026-01-23"], store: store, in: directory)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        let rows = try String(contentsOfFile: file + ".issues.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(rows.first == "line,column,value,code,rule")
        #expect(rows.contains("3,nomor_kk,**34,kk.length,\"must have 16 digits, has 4\""), "\(rows)")
        #expect(rows.contains("4,desil,11,household.desil,desil is 1 to 10"))
        #expect(rows.contains("5,desil,x,household.desil,desil is 1 to 10"))
        #expect(rows.contains { $0.hasPrefix("6,nomor_kk,\(all[0].kk.prefix(4))********\(all[0].kk.suffix(4)),desil.duplicate,") }, "\(rows)")
        #expect(rows.contains { $0.hasPrefix("7,nomor_kk,3216********9999,household.notFound,") || $0.hasPrefix("7,nomor_kk,3216********9999,kk.") }, "\(rows)")
        #expect(rows.contains("8,desil,,household.desil,desil is 1 to 10"))
        #expect(!rows.joined().contains(all[0].kk), "KKs are masked in the report")
        #expect(try Self.export(store, in: directory) == before, "a failed import writes nothing")

        // By NIK, a member who is not the head names no household.
        let byNIK = directory.sub("nik.csv")
        try Self.write("nik,desil\n\(notHead.other!),2\n", byNIK)
        let refused = try CLITests.run(["desil", "import", byNIK, "--version", "2026-01-23", "--by", "nik"], store: store, in: directory)
        #expect(refused.status == 3)
        #expect(try String(contentsOfFile: byNIK + ".issues.csv", encoding: .utf8).contains("2,nik,\(notHead.other!.prefix(4))********\(notHead.other!.suffix(4)),desil.notHead,"))
        #expect(try Self.export(store, in: directory) == before)
    }

    @Test func dryRunReportsWithoutWriting() throws {
        let (directory, store) = try CLITests.generatedStore()
        let all = try Self.households(store, in: directory)
        let before = try Self.export(store, in: directory)
        let file = directory.sub("dry.csv")
        try Self.write("nomor_kk,desil\n" + all.prefix(50).map { "\($0.kk),1\n" }.joined(), file)
        let result = try CLITests.run(["desil", "import", file, "--version", "2026-01-23", "--dry-run", "--json"], store: store, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try Self.json(result)
        #expect(summary["wrote"] as? Bool == false)
        #expect(summary["absent"] as? Int == all.count - 50)
        #expect((summary["updated"] as? Int ?? 0) > 0)
        #expect(try Self.export(store, in: directory) == before, "a dry run writes nothing")
        #expect(result.stderr.contains("dry run"))
    }

    @Test func aMappingTranslatesForeignHeadersAndValues() throws {
        let (directory, store) = try CLITests.generatedStore()
        let all = try Self.households(store, in: directory)
        let mapping = directory.sub("bps.json"), file = directory.sub("bps.csv")
        try Self.write("""
            {"columns": {"NO_KK": "nomor_kk", "PERINGKAT": {"field": "desil", "values": {"SATU": "1", "DUA": "2"}}}}
            """, mapping)
        try Self.write("NO_KK;PERINGKAT\n\(all[0].kk);SATU\n\(all[1].kk);DUA\n", file)
        let result = try CLITests.run(["desil", "import", file, "--version", "2026-01-23", "--mapping", mapping], store: store, in: directory)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(try Self.household(all[0].id, store, in: directory)["desil"] as? Int == 1)
        #expect(try Self.household(all[1].id, store, in: directory)["desil"] as? Int == 2)
        let missing = try CLITests.run(["desil", "import", file, "--version", "2026-01-23"], store: store, in: directory)
        #expect(missing.status == 3, "without the mapping no column holds the key: \(missing.stderr)")
        #expect(missing.stderr.contains("nomor_kk"))
    }
}
