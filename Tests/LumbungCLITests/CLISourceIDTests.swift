import Foundation
import Lumbung
import LumbungIO
import Testing

/// Source ids and NIK placeholders through the real binary: a DTSEN-style export (`;`, BOM, CRLF,
/// string household ids `ID_DTKS`, BPS relation codes, `999999999999999`+reason NIKs) imports with
/// a mapping and no preprocessing, matches by source id, is found by it, and exports as written.
@Suite("CLI source ids and NIK placeholders")
struct CLISourceIDTests {
    static let header = "ID_DTKS;NO_KK;ALAMAT;NIK;NAMA;JK;TGL_LAHIR;HUB_KK"
    static let rows = [
        "DTKS-A-001;3216011503150001;Kp. Sagara;3216012301900001;Budi Santoso;L;23-01-1990;1",
        "DTKS-A-001;3216011503150001;Kp. Sagara;9999999999999995;Andi Saputra;L;02-03-2015;3",
        "DTKS-A/002;3216012004180001;Kp. Sagara Hilir;3216011010750004;Joko Susilo;L;10-10-1975;1",
        "DTKS-A/002;3216012004180001;Kp. Sagara Hilir;9999999999999996;Sumiati;P;12-12-1950;9",
        "DTKS-A/002;3216012004180001;Kp. Sagara Hilir;9999999999999999;John Smith;L;01-01-1980;9",
    ]
    static let mapping = """
        {"code_lists": {"hub": {"1": "kepala_keluarga", "3": "anak", "9": "lainnya"}},
         "columns": [
           {"header": "ID_DTKS", "field": "id_sumber"},
           {"header": "NO_KK", "field": "nomor_kk"},
           {"header": "ALAMAT", "field": "alamat"},
           {"header": "NIK", "field": "anggota.nik"},
           {"header": "NAMA", "field": "anggota.nama"},
           {"header": "JK", "field": "anggota.jenis_kelamin"},
           {"header": "TGL_LAHIR", "field": "anggota.tanggal_lahir", "format": "DD-MM-YYYY"},
           {"header": "HUB_KK", "field": "anggota.hubungan", "code_list": "hub"},
           {"field": "kode_wilayah", "constant": "32.16.01.2001"}],
         "group_by": "id_sumber"}
        """

    struct Place {
        let directory = TemporaryDirectory("lumbung-cli-sourceid")
        var store: String { directory.sub("store") }
        var mapping: String { directory.sub("dtsen.mapping.json") }

        init() throws {
            try CLISourceIDTests.mapping.write(toFile: mapping, atomically: true, encoding: .utf8)
        }

        /// Writes rows as a DTSEN export does: `;`, a BOM, CRLF.
        func write(_ rows: [String], name: String, header: String = CLISourceIDTests.header) throws -> String {
            let path = directory.sub(name)
            try Data(("\u{FEFF}" + ([header] + rows).joined(separator: "\r\n") + "\r\n").utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        func run(_ arguments: [String], store: String? = nil) throws -> CLITests.Result {
            try CLITests.run(arguments, store: store ?? self.store, in: directory)
        }

        func importDTSEN(_ path: String, store: String? = nil) throws -> CLITests.Result {
            try run(["import", path, "--mapping", mapping, "--match-by", "source-id", "--keep-invalid-nik"], store: store)
        }

        func household(_ option: String, _ value: String, store: String? = nil) throws -> Household {
            let got = try run(["get", option, value, "--json"], store: store)
            try #require(got.status == 0, "\(got.stderr)")
            return try HouseholdJSON.decode(got.stdoutBytes)
        }

        func exportJSONL(store: String? = nil) throws -> [Household] {
            let export = try run(["export", "--format", "jsonl", "--out", "-"], store: store)
            try #require(export.status == 0, "\(export.stderr)")
            return try export.stdout.split(separator: "\n").map { try HouseholdJSON.decode(Array($0.utf8)) }
        }
    }

    @Test func aDTSENExportImportsMatchesAndUpdatesBySourceID() throws {
        let place = try Place()
        let csv = try place.write(Self.rows, name: "dtsen.csv")
        let first = try place.importDTSEN(csv)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(CLIImportFixture.summary(first).contains("2 households read: 2 new, 0 updated, 0 unchanged, 0 skipped, 0 rejected"), "\(first.stderr)")
        let again = try place.importDTSEN(csv)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(CLIImportFixture.summary(again).contains("2 households read: 0 new, 0 updated, 2 unchanged"), "\(again.stderr)")

        let budi = try place.household("--source-id", "DTKS-A-001")
        #expect(budi.nomorKK.text == "3216011503150001" && budi.sourceID?.text == "DTKS-A-001")
        #expect(budi.members.map(\.nik) == [.valid(try NIK("3216012301900001")), .placeholder(.under17)])
        let joko = try place.household("--kk", "3216012004180001")
        #expect(joko.sourceID?.text == "DTKS-A/002")
        #expect(joko.members.map(\.nik.status) == [.valid, .placeholder(.aged17OrOlder), .placeholder(.foreignNational)])

        // The next export of the register: Joko's household has a new KK and address; found by its source id.
        var changed = Self.rows
        for index in 2...4 {
            changed[index] = changed[index].replacingOccurrences(of: "3216012004180001;Kp. Sagara Hilir", with: "3216012004180002;Kp. Sagara Baru")
        }
        let update = try place.importDTSEN(try place.write(changed, name: "dtsen-2.csv"))
        #expect(update.status == 0, "\(update.stderr)")
        #expect(CLIImportFixture.summary(update).contains("2 households read: 0 new, 1 updated, 1 unchanged"), "\(update.stderr)")
        let moved = try place.household("--source-id", "DTKS-A/002")
        #expect(moved.id == joko.id && moved.nomorKK.text == "3216012004180002" && moved.alamat == "Kp. Sagara Baru")
        #expect(try place.run(["get", "--kk", "3216012004180001"]).status == 4)

        let summary = try place.run(["get", "--source-id", "DTKS-A-001"])
        #expect(summary.status == 0 && summary.stdout.contains("ID sumber") && summary.stdout.contains("DTKS-A-001"))
        let absent = try place.run(["get", "--source-id", "DTKS-Z-999"])
        #expect(absent.status == 4 && absent.stderr.contains("source id DTKS-Z-999"), "\(absent.stderr)")
        let bad = try place.run(["get", "--source-id", String(repeating: "x", count: 65)])
        #expect(bad.status == 3 && bad.stderr.contains("sourceid.invalid") && bad.stderr.contains(SourceID.rule), "\(bad.stderr)")
        #expect(try place.run(["check"]).status == 0)
    }

    @Test func placeholdersAreCountedFoundAndExportedAsWritten() throws {
        let place = try Place()
        let imported = try place.importDTSEN(try place.write(Self.rows, name: "dtsen.csv"))
        try #require(imported.status == 0, "\(imported.stderr)")

        let stats = try place.run(["stats", "--json", "--nik-reasons"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let flagged = try #require(object["nik_flagged"] as? [String: [String: Int]])
        #expect(flagged["missing"] == ["households": 2, "members": 3])
        #expect(flagged["invalid"] == nil, "a placeholder is never an invalid NIK")
        let reasons = try #require(object["nik_missing_reasons"] as? [String: [String: Int]])
        #expect(reasons == [
            "under_17": ["households": 1, "members": 1], "age_17_plus": ["households": 1, "members": 1],
            "foreign_national": ["households": 1, "members": 1],
        ])
        let table = try place.run(["stats", "--nik-reasons"])
        #expect(table.stdout.contains("NIK missing, by reason") && table.stdout.contains("foreign_national"), "\(table.stdout)")
        #expect(!(try place.run(["stats", "--json"])).stdout.contains("nik_missing_reasons"), "only when asked")

        let found = try place.run(["find", "--nik-status", "missing", "--json"])
        #expect(found.status == 0 && found.lines.count == 2, "\(found.stdout)")
        #expect(try place.run(["find", "--nik-status", "invalid", "--json"]).lines.isEmpty)

        let csv = try place.run(["export", "--format", "csv", "--out", "-"])
        #expect(csv.stdout.contains(",9999999999999995,") && csv.stdout.contains(",9999999999999996,") && csv.stdout.contains(",9999999999999999,"))
        #expect(csv.stdout.split(separator: "\n")[0].hasPrefix("id,nomor_kk,id_sumber,"))
        let jsonl = try place.run(["export", "--format", "jsonl", "--out", "-"])
        #expect(jsonl.stdout.contains(#""nik":"9999999999999995","status_nik":"missing:under_17""#), "\(jsonl.stdout)")
        #expect(jsonl.stdout.contains(#""id_sumber":"DTKS-A/002""#))
    }

    /// Exported as CSV and as JSON Lines, the households import into empty stores by source id
    /// (Lumbung's own layout, grouped by id_sumber) and read back the same.
    @Test(arguments: ["csv", "jsonl"])
    func theExportRoundTripsBySourceID(format: String) throws {
        let place = try Place()
        try #require(try place.importDTSEN(try place.write(Self.rows, name: "dtsen.csv")).status == 0)
        let file = place.directory.sub("export.\(format)")
        #expect(try place.run(["export", "--format", format, "--out", file]).status == 0)
        let second = place.directory.sub("second")
        let imported = try place.run(["import", file, "--match-by", "source-id", "--keep-invalid-nik"], store: second)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(CLIImportFixture.summary(imported).contains("2 households read: 2 new"), "\(imported.stderr)")
        let again = try place.run(["import", file, "--match-by", "source-id", "--keep-invalid-nik"], store: second)
        #expect(CLIImportFixture.summary(again).contains("2 households read: 0 new, 0 updated, 2 unchanged"), "\(again.stderr)")
        let before = try place.exportJSONL().map(\.content).sorted { $0.nomorKK < $1.nomorKK }
        let after = try place.exportJSONL(store: second).map(\.content).sorted { $0.nomorKK < $1.nomorKK }
        #expect(before.count == 2 && after == before)
    }

    @Test func everyBadSourceIDIsReportedWithLineColumnValueAndRule() throws {
        let place = try Place()
        try #require(try place.importDTSEN(try place.write(Self.rows, name: "dtsen.csv")).status == 0)
        let long = String(repeating: "L", count: 65)
        let rows = [
            // line 2: too long
            "\(long);3216011503150003;Kp. A;3216014101800001;Ani;P;01-01-1980;1",
            // line 3: empty on the household's row
            ";3216011503150004;Kp. B;3216014201800002;Bea;P;02-01-1980;1",
            // lines 4-6: DTKS-B-1, another household, DTKS-B-1 again
            "DTKS-B-1;3216011503150005;Kp. C;3216014301800003;Cici;P;03-01-1980;1",
            "DTKS-B-2;3216011503150006;Kp. D;3216014401800004;Dedi;P;04-01-1980;1",
            "DTKS-B-1;3216011503150005;Kp. C;3216014501800005;Euis;P;05-01-1980;9",
            // line 7: household 1's source id with household 2's KK
            "DTKS-A-001;3216012004180001;Kp. E;3216014601800006;Fani;P;06-01-1980;1",
        ]
        let path = try place.write(rows, name: "bad.csv")
        let before = try place.exportJSONL()
        let result = try place.importDTSEN(path)
        #expect(result.status == 3, "\(result.stderr)")
        let report = try FlatFile.read(path + ".issues.csv")
        let expected: [(line: String, column: String, value: String, code: String, rule: String)] = [
            ("2", "ID_DTKS", String(long.prefix(64 + 1)), "sourceid.invalid", SourceID.rule),
            ("3", "ID_DTKS", "", "row.groupKeyMissing", "rows are grouped by id_sumber, which is empty on this row"),
            ("6", "ID_DTKS", "DTKS-B-1", "row.groupNotContiguous", "already appeared from line 4"),
            ("7", "nomor_kk", "3216********0001", "import.ambiguous", "matches household 1 by id_sumber and household 2 by KK"),
        ]
        for issue in expected {
            #expect(
                report.rows.contains { $0[0] == issue.line && $0[1] == issue.column && $0[2] == issue.value && $0[3] == issue.code && $0[4].contains(issue.rule) },
                "\(issue) not in \(report.rows)")
        }
        #expect(try place.exportJSONL() == before, "a refused import writes nothing")

        // Grouped by KK (Lumbung's own layout), a source id on two households, and one a stored household holds.
        let flat = "id,nomor_kk,id_sumber,kode_wilayah,alamat,anggota.nik,anggota.nama,anggota.jenis_kelamin,anggota.hubungan"
        let byKK = try place.write([
            ",3216011503150008,DTKS-C,32.16.01.2001,Kp. F,3216014701800007,Gita,P,kepala_keluarga",
            ",3216011503150009,DTKS-C,32.16.01.2001,Kp. G,3216014801800008,Hana,P,kepala_keluarga",
            ",3216011503150010,DTKS-A-001,32.16.01.2001,Kp. H,3216014901800009,Ina,P,kepala_keluarga",
        ], name: "bykk.csv", header: flat)
        let duplicate = try place.run(["import", byKK])
        #expect(duplicate.status == 3, "\(duplicate.stderr)")
        let second = try FlatFile.read(byKK + ".issues.csv")
        #expect(second.rows.contains { $0[0] == "3" && $0[1] == "id_sumber" && $0[2] == "DTKS-C" && $0[3] == "sourceid.duplicate" && $0[4].contains("already the household on line 2") },
                "\(second.rows)")
        #expect(second.rows.contains { $0[0] == "4" && $0[1] == "id_sumber" && $0[2] == "DTKS-A-001" && $0[3] == "sourceid.duplicate" && $0[4].contains("belongs to household 1 in the store") },
                "\(second.rows)")

        // Matched by source id, a JSON Lines household without one is reported on its line.
        var lines = try place.exportJSONL().map { HouseholdJSON.string($0) }
        lines[1] = lines[1].replacingOccurrences(of: #""id_sumber":"DTKS-A/002","#, with: "")
        let jsonl = place.directory.sub("nosource.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: jsonl, atomically: true, encoding: .utf8)
        let unmatched = try place.run(["import", jsonl, "--match-by", "source-id", "--keep-invalid-nik"])
        #expect(unmatched.status == 3, "\(unmatched.stderr)")
        let third = try FlatFile.read(jsonl + ".issues.csv")
        #expect(third.rows.contains { $0[0] == "2" && $0[1] == "id_sumber" && $0[3] == "row.groupKeyMissing" && $0[4].contains("matched by id_sumber") }, "\(third.rows)")
    }
}
