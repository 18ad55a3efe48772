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
        #expect(listed.dropFirst().map(String.init) == left.sorted { $0.id < $1.id }.map { "\($0.id),\($0.kk),\($0.wilayah)" }, "in id order")

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

        // The snapshot manifest names the versions it holds: households per version, per wilayah.
        #expect(try CLITests.run(["snapshot", "create", "2026-11"], store: store, in: directory).status == 0)
        let manifest = try CLIDesilTests.json(try CLITests.run(["snapshot", "show", "2026-11", "--json"], store: store, in: directory))
        let national = try #require((manifest["counts"] as? [[String: Any]])?.first { $0["wilayah"] == nil })
        #expect(national["desil_versi"] as? [String: Int] == ["2026-01-23": ranked.count - 5, "2026-07-01": 5])
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

/// `lumbung dukcapil import`, `stats`, `find --dukcapil` and snapshot manifests end to end.
@Suite("CLI Dukcapil results")
struct CLIDukcapilTests {
    typealias Stored = CLIDesilTests.Stored

    @Test func resultsAreSetCountedAndFound() throws {
        let (directory, store) = try CLITests.generatedStore()
        let all = try CLIDesilTests.households(store, in: directory)
        let mapping = directory.sub("dukcapil.json"), file = directory.sub("hasil.csv")
        try CLIDesilTests.write("""
            {"columns": {"NIK": "anggota.nik", "HASIL": {"field": "anggota.status_dukcapil",
              "values": {"DATA PADAN": "padan", "NIK TIDAK DITEMUKAN": "tidak_padan", "MENINGGAL": "meninggal"}}}}
            """, mapping)
        // Heads 0-9 padan, 10-12 tidak padan, 13 meninggal, a member of 0 ganda; an unknown NIK.
        var rows = ["NIK,HASIL"]
        rows += all[0..<10].map { "\($0.head),DATA PADAN" }
        rows += all[10..<13].map { "\($0.head),NIK TIDAK DITEMUKAN" }
        rows.append("\(all[13].head),MENINGGAL")
        let withOther = try #require(all.first { $0.other != nil })
        rows.append("\(withOther.other!),ganda")
        rows.append("3216010101900099,DATA PADAN")
        try CLIDesilTests.write(rows.joined(separator: "\n") + "\n", file)

        let result = try CLITests.run(["dukcapil", "import", file, "--mapping", mapping, "--json"], store: store, in: directory)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let summary = try CLIDesilTests.json(result)
        #expect(summary["updated"] as? Int == 15)
        #expect(summary["unknown"] as? Int == 1)
        #expect(try String(contentsOfFile: file + ".issues.csv", encoding: .utf8).contains("3216********0099,member.notFound,"))

        let household = try CLIDesilTests.household(all[10].id, store, in: directory)
        let head = try #require((household["anggota"] as? [[String: Any]])?.first { $0["nik"] as? String == all[10].head })
        #expect(head["status_dukcapil"] as? String == "tidak_padan")
        #expect(head["alasan_dukcapil"] as? String == "NIK TIDAK DITEMUKAN", "Dukcapil's wording is the reason")

        let stats = try CLIDesilTests.json(try CLITests.run(["stats", "--json"], store: store, in: directory))
        let counts = try #require(stats["status_dukcapil"] as? [String: [String: Int]])
        let padanHouseholds = Set(all[0..<10].map(\.id)).count
        #expect(counts["padan"]?["members"] == 10 && counts["padan"]?["households"] == padanHouseholds)
        #expect(counts["tidak_padan"]?["members"] == 3)
        #expect(counts["meninggal"]?["members"] == 1)
        #expect(counts["ganda"]?["members"] == 1)

        let found = try CLITests.run(["find", "--dukcapil", "tidak_padan", "--json"], store: store, in: directory)
        #expect(found.status == 0, "\(found.stderr)")
        let ids = try found.lines.map { line in try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? Int) }
        #expect(Set(ids) == Set(all[10..<13].map(\.id)))
        let bad = try CLITests.run(["find", "--dukcapil", "maybe"], store: store, in: directory)
        #expect(bad.status == 3 && bad.stderr.contains("belum_dipadankan"), "\(bad.stderr)")

        // The snapshot manifest counts them per wilayah.
        let snapshot = try CLITests.run(["snapshot", "create", "2026-11"], store: store, in: directory)
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        let show = try CLITests.run(["snapshot", "show", "2026-11", "--json"], store: store, in: directory)
        #expect(show.stdout.contains("\"dukcapil\""), "\(show.stdout.prefix(400))")
        let check = try CLITests.run(["check"], store: store, in: directory)
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test func aBadRowStopsTheImportAndEveryOneIsReported() throws {
        let (directory, store) = try CLITests.generatedStore()
        let all = try CLIDesilTests.households(store, in: directory)
        let before = try CLIDesilTests.export(store, in: directory)
        let file = directory.sub("bad.csv")
        try CLIDesilTests.write("""
            nik,status_dukcapil,alasan_dukcapil
            \(all[0].head),padan,
            \(all[1].head),tidak_padan,
            \(all[2].head),padan,salah
            \(all[3].head),mungkin,
            12345,padan,
            \(all[0].head),ganda,

            """, file)
        let result = try CLITests.run(["dukcapil", "import", file], store: store, in: directory)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        let issues = try String(contentsOfFile: file + ".issues.csv", encoding: .utf8)
        #expect(issues.contains("3,alasan_dukcapil,,member.dukcapil,tidak_padan needs the reason Dukcapil gave"), "\(issues)")
        #expect(issues.contains("4,alasan_dukcapil,salah,member.dukcapil,only tidak_padan takes a reason"))
        #expect(issues.contains("5,status_dukcapil,mungkin,member.dukcapil,\"must be one of belum_dipadankan, padan, tidak_padan, ganda, meninggal\""))
        #expect(issues.contains("6,nik,***45,nik.length,\"must have 16 digits, has 5\""), "the NIK's own rule, masked: \(issues)")
        #expect(issues.contains("7,nik,\(all[0].head.prefix(4))********\(all[0].head.suffix(4)),member.dukcapil,the file gives this NIK more than once"))
        #expect(try CLIDesilTests.export(store, in: directory) == before, "nothing written")
        let dry = try CLITests.run(["dukcapil", "import", file, "--dry-run"], store: store, in: directory)
        #expect(dry.status == 3)
    }
}
