import Foundation
import Lumbung
import LumbungIO
import Testing

/// Issue 13's whole path through the real binary: one register in another system's vocabulary
/// (word statuses, `Istri` and `ISTRI`, BPS numeric codes, string household ids, NIK
/// placeholders, `;` + BOM + CRLF) imports with one mapping and no preprocessing from `.csv`,
/// from `.csv.zst` (compressed by the real `zstd`) and from `.xlsx` (written by LibreOffice), to
/// the same store, each reporting its bad cell by line, column, value and rule; then a BPS desil
/// ranking keyed by the source id and a Dukcapil response file update it.
@Suite("CLI a foreign register, end to end")
struct CLIForeignRegisterTests {
    static let header = "ID_DTKS;NO_KK;ALAMAT;STATUS;NIK;NAMA;JK;TGL_LAHIR;HUB_KRT;PENDIDIKAN;DISABILITAS"
    static let rows = [
        "HH0000000001;3216011503150001;Kp. Sagara;aktif;3216012301900001;Budi Santoso;L;23-01-1990;1;S1;0",
        "HH0000000001;3216011503150001;Kp. Sagara;aktif;3216015505920002;Siti Aminah;P;15-05-1992;Istri;D3;0",
        "HH0000000001;3216011503150001;Kp. Sagara;aktif;9999999999999995;Andi Saputra;L;02-03-2015;3;SD;1",
        "HH0000000002;3216012004180001;Kp. Sagara Hilir;nonaktif-mampu;3216011010750004;Joko Susilo;L;10-10-1975;1;SLTA;0",
        "HH0000000002;3216012004180001;Kp. Sagara Hilir;nonaktif-mampu;9999999999999996;Sumiati;P;12-12-1950;ISTRI;Tidak Sekolah;0",
        "HH0000000003;3216012004180002;Kp. Sagara Hilir;baru;3216016512800005;Wati;P;25-12-1980;1;SMP;1",
        // Line 8: a cell no rule reads (JK X); the household is rejected and reported.
        "HH0000000004;3216012004180003;Kp. Sagara;baru;3216010101850006;Salah Kelamin;X;01-01-1985;1;SD;0",
    ]
    static let mapping = """
        {"code_lists": {"hub_bps": {"1": "kepala_keluarga", "2": "istri_suami", "3": "anak"}},
         "columns": [
           {"header": "ID_DTKS", "field": "id_sumber"},
           {"header": "NO_KK", "field": "nomor_kk"},
           {"header": "ALAMAT", "field": "alamat"},
           {"header": "STATUS", "field": "status",
            "values": {"aktif": "ditetapkan", "nonaktif-mampu": "tidak_layak:mampu", "baru": "usulan"}},
           {"header": "NIK", "field": "anggota.nik"},
           {"header": "NAMA", "field": "anggota.nama"},
           {"header": "JK", "field": "anggota.jenis_kelamin"},
           {"header": "TGL_LAHIR", "field": "anggota.tanggal_lahir", "format": "DD-MM-YYYY"},
           {"header": "HUB_KRT", "field": "anggota.hubungan", "code_list": "hub_bps", "values": {"Istri": "istri_suami"}},
           {"header": "PENDIDIKAN", "field": "anggota.pendidikan",
            "values": {"Tidak Sekolah": "tidak_sekolah", "SD": "sd", "SMP": "smp", "SLTA": "sma", "D3": "diploma", "S1": "sarjana"}},
           {"header": "DISABILITAS", "field": "anggota.atribut.penyandang_disabilitas", "format": "boolean"},
           {"field": "kode_wilayah", "constant": "32.16.01.2001"}],
         "group_by": "id_sumber"}
        """

    let directory = TemporaryDirectory("lumbung-cli-foreign")

    func write(_ text: String, _ name: String) throws -> String {
        let path = directory.sub(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func run(_ arguments: [String], store: String) throws -> CLITests.Result {
        try CLITests.run(arguments, store: directory.sub(store), in: directory)
    }

    /// Imports `file` into the store `store` with the mapping, keeping the placeholders and
    /// skipping the bad household; returns the run and its issue report.
    func importFile(_ file: String, store: String, mapping: String) throws -> (CLITests.Result, String) {
        let result = try run(["import", file, "--mapping", mapping, "--match-by", "source-id", "--keep-invalid-nik", "--skip-invalid"], store: store)
        // The report sits beside the file, `.zst` left out of its name (`a.csv.zst` → `a.csv.issues.csv`).
        let name = file.hasSuffix(".zst") ? String(file.dropLast(4)) : file
        let report = try String(contentsOfFile: name + ".issues.csv", encoding: .utf8)
        return (result, report)
    }

    /// The store's households, without the import times.
    func households(_ store: String) throws -> [Household] {
        let export = try run(["export", "--format", "jsonl", "--out", "-"], store: store)
        try #require(export.status == 0, "\(export.stderr)")
        return try export.stdout.split(separator: "\n").map { line in
            var household = try HouseholdJSON.decode(Array(line.utf8))
            household.updatedAt = nil
            return household
        }
    }

    @Test func csvZstAndXLSXImportWithOneMappingThenRankingAndDukcapilUpdateThem() throws {
        let mapping = try write(Self.mapping, "dtsen.mapping.json")
        let csv = try write("\u{FEFF}" + ([Self.header] + Self.rows).joined(separator: "\r\n") + "\r\n", "dtsen.csv")

        // .csv.zst by the real zstd tool.
        let zstd = try #require(CLIExportMatchTests.zstdTool, "tools/setup.sh installs zstd")
        let compressed = directory.sub("dtsen-zst.csv.zst")
        #expect(try CLIExportMatchTests.runTool(zstd, ["-q", csv, "-o", compressed]) == 0)
        // .xlsx by LibreOffice from the same CSV, every column typed Text (`;` is 59).
        let workbook = try LibreOffice.convert(
            csv, to: "xlsx", filter: LibreOffice.textColumnsFilter(11, separator: 59), in: directory)

        var stores: [[Household]] = []
        for (file, store) in [(csv, "from-csv"), (compressed, "from-zst"), (workbook, "from-xlsx")] {
            let (result, report) = try importFile(file, store: store, mapping: mapping)
            #expect(result.status != 2, "\(file): \(result.stderr)")
            #expect(CLIImportFixture.summary(result).contains("4 households read: 3 new"), "\(file): \(result.stderr)")
            // The bad cell by its line (the sheet's row number in a workbook), column, value and rule.
            #expect(report.contains("8,JK,X,"), "\(file): \(report)")
            stores.append(try households(store))
        }
        #expect(stores[0].count == 3)
        #expect(stores[1] == stores[0], "the .csv.zst gives the CSV's store")
        #expect(stores[2] == stores[0], "the .xlsx gives the CSV's store")

        // The vocabulary read: words, codes in any case, a status with its reason, placeholders.
        let first = try #require(stores[0].first { $0.sourceID?.text == "HH0000000001" })
        #expect(first.status == .ditetapkan)
        #expect(first.members.map(\.relation) == [.kepalaKeluarga, .istriSuami, .anak])
        #expect(first.members[2].nik == .placeholder(.under17))
        let second = try #require(stores[0].first { $0.sourceID?.text == "HH0000000002" })
        #expect(second.members.map(\.relation) == [.kepalaKeluarga, .istriSuami], "ISTRI reads as Istri")
        #expect(second.members[1].nik == .placeholder(.aged17OrOlder))
        #expect(try run(["get", "--source-id", "HH0000000002", "--json"], store: "from-csv").stdout.contains("tidak_layak"))
        let missing = try run(["find", "--nik-status", "missing", "--json"], store: "from-csv")
        #expect(missing.lines.count == 2, "\(missing.stdout)")
        // Placeholders go back out as written.
        let flat = try run(["export", "--format", "csv", "--out", "-"], store: "from-csv")
        #expect(flat.status == 0, "\(flat.stderr)")
        #expect(flat.stdout.contains("9999999999999995") && flat.stdout.contains("9999999999999996"))

        // A BPS ranking keyed by the source register's id; HH0000000003 is left out and reported.
        let rankingMapping = try write(#"{"columns": {"ID_DTKS": "id_sumber", "DESIL": "desil"}}"#, "ranking.mapping.json")
        let ranking = try write("ID_DTKS;DESIL\r\nHH0000000001;2\r\nHH0000000002;9\r\n", "desil-2026-01.csv")
        let ranked = try run(["desil", "import", ranking, "--version", "2026-01-23", "--by", "source-id", "--mapping", rankingMapping, "--json"],
                             store: "from-csv")
        #expect(ranked.status == 0, "\(ranked.stdout)\(ranked.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(ranked.stdout.utf8)) as? [String: Any])
        #expect(summary["absent"] as? Int == 1, "\(ranked.stdout)")
        let rankedFirst = try run(["get", "--source-id", "HH0000000001", "--json"], store: "from-csv")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(rankedFirst.stdout.utf8)) as? [String: Any])
        #expect(json["desil"] as? Int == 2 && json["desil_versi"] as? String == "2026-01-23", "\(rankedFirst.stdout)")

        // Dukcapil's answer for two members, in its own words.
        let dukcapilMapping = try write("""
            {"columns": {"NIK": "anggota.nik", "HASIL": {"field": "anggota.status_dukcapil",
              "values": {"DATA PADAN": "padan", "NIK TIDAK DITEMUKAN": "tidak_padan"}}}}
            """, "dukcapil.mapping.json")
        let answer = try write("NIK;HASIL\r\n3216012301900001;DATA PADAN\r\n3216011010750004;NIK TIDAK DITEMUKAN\r\n", "hasil.csv")
        let matched = try run(["dukcapil", "import", answer, "--mapping", dukcapilMapping], store: "from-csv")
        #expect(matched.status == 0, "\(matched.stdout)\(matched.stderr)")
        let needing = try run(["find", "--dukcapil", "tidak_padan", "--json"], store: "from-csv")
        #expect(needing.lines.count == 1 && needing.stdout.contains("HH0000000002"), "\(needing.stdout)")
        #expect(try run(["check"], store: "from-csv").status == 0)
    }
}
