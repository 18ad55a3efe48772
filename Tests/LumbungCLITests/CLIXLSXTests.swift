import Foundation
import Lumbung
import LumbungIO
import Testing

/// .xlsx through the real binary and a real peer, LibreOffice (Debian's libreoffice-calc-nogui,
/// which make test installs): Lumbung's workbook converts back to the same rows as its CSV export; a
/// workbook LibreOffice wrote from that CSV imports to the same store as the CSV; numeric NIKs that
/// lost digits are reported by line, column, value and rule; a register in its own vocabulary
/// imports from .xlsx with its mapping, serial dates included.
@Suite("CLI .xlsx with LibreOffice")
struct CLIXLSXTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/Mapping").path

    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func libreOfficeReadsLumbungsWorkbookAsTheSameRowsAsItsCSV() throws {
        let (directory, store) = try CLITests.generatedStore()
        let csv = directory.sub("ekspor.csv"), xlsx = directory.sub("ekspor.xlsx")
        #expect(try CLITests.run(["export", "--out", csv], store: store, in: directory).status == 0)
        let exported = try CLITests.run(["export", "--out", xlsx], store: store, in: directory)
        #expect(exported.status == 0, "\(exported.stderr)")
        let converted = try LibreOffice.convert(xlsx, to: "csv", in: directory)
        let lumbung = try Self.text(csv), office = try Self.text(converted)
        #expect(office.split(separator: "\n").count > 300)
        #expect(office == lumbung)
        // The identifier columns carry the Text format, so Excel keeps what is typed there as text.
        let formatted = try CLITests.run(["export", "--format", "xlsx", "--out", directory.sub("ekspor2")], store: store, in: directory)
        #expect(formatted.status == 0, "\(formatted.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.sub("ekspor2"))) .prefix(2) == Data("PK".utf8))
    }

    @Test func aWorkbookLibreOfficeWroteImportsLikeItsCSV() throws {
        let (directory, store) = try CLITests.generatedStore()
        let csv = directory.sub("sumber.csv")
        #expect(try CLITests.run(["export", "--out", csv], store: store, in: directory).status == 0)
        let columns = try Self.text(csv).prefix { $0 != "\n" }.split(separator: ",", omittingEmptySubsequences: false).count
        let workbook = try LibreOffice.convert(csv, to: "xlsx", filter: LibreOffice.textColumnsFilter(columns), in: directory)

        let fromCSV = directory.sub("dari-csv"), fromXLSX = directory.sub("dari-xlsx")
        let a = try CLITests.run(["import", csv, "--match-by", "id"], store: fromCSV, in: directory)
        let b = try CLITests.run(["import", workbook, "--match-by", "id"], store: fromXLSX, in: directory)
        #expect(a.status == 0, "\(a.stderr)")
        #expect(b.status == 0, "\(b.stderr)")
        #expect(b.stderr.contains("300 households read: 300 new"), "\(b.stderr)")
        let outA = directory.sub("a.jsonl"), outB = directory.sub("b.jsonl")
        #expect(try CLITests.run(["export", "--out", outA], store: fromCSV, in: directory).status == 0)
        #expect(try CLITests.run(["export", "--out", outB], store: fromXLSX, in: directory).status == 0)
        #expect(try Self.text(outA) == Self.text(outB))
        #expect(try Self.text(outB).split(separator: "\n").count == 300)
    }

    @Test func numericNIKsThatLostDigitsAreReported() throws {
        let directory = TemporaryDirectory("lumbung-cli-xlsx")
        // Standard (not Text) columns: LibreOffice reads the 16-digit numbers as numbers, keeps 15
        // significant digits, and writes them as numbers, as Excel would.
        let csv = directory.sub("angka.csv")
        try """
            NO_KK,NIK,NAMA,HUB_KK,JK
            3216011503150001,3216012301900001,Budi,1,L
            3216011503150001,3216015505920002,Siti,2,P
            """.write(toFile: csv, atomically: true, encoding: .utf8)
        let mapping = directory.sub("angka.json")
        try """
            {"columns": [{"header": "NO_KK", "field": "nomor_kk"}, {"header": "NIK", "field": "anggota.nik"},
              {"header": "NAMA", "field": "anggota.nama"}, {"header": "JK", "field": "anggota.jenis_kelamin"},
              {"header": "HUB_KK", "field": "anggota.hubungan", "values": {"1": "kepala_keluarga", "2": "istri_suami"}},
              {"field": "kode_wilayah", "constant": "32.16.01.2001"}],
             "group_by": "nomor_kk"}
            """.write(toFile: mapping, atomically: true, encoding: .utf8)
        let workbook = try LibreOffice.convert(csv, to: "xlsx", filter: "CSV:44,34,76,1", in: directory)
        let result = try CLITests.run(["import", workbook, "--mapping", mapping], store: directory.sub("store"), in: directory)
        #expect(result.status != 0)
        let report = try Self.text(workbook + ".issues.csv")
        let lines = report.split(separator: "\n").dropFirst()
        // Each NIK (sheet rows 2 and 3) and the household's KK (on its first row): the column, the
        // value as the sheet holds it now (masked), and the rule.
        for row in [2, 3] {
            #expect(lines.contains { $0.hasPrefix("\(row),NIK,") && $0.contains("nik.spreadsheetMangled") && $0.contains("format the column as text") }, "\(report)")
        }
        #expect(lines.contains { $0.hasPrefix("2,NO_KK,") && $0.contains("kk.spreadsheetMangled") }, "\(report)")
        #expect(lines.contains { $0.contains("E+15") }, "\(report)")
    }

    @Test func aForeignRegisterImportsFromXLSXWithItsMapping() throws {
        let directory = TemporaryDirectory("lumbung-cli-xlsx")
        // The shipped example (`;`, BOM, CRLF, its own words and codes), turned into a workbook by
        // LibreOffice: NO_KK and NIK typed Text, TGL_LAHIR (DD-MM-YYYY) a real date, so the sheet
        // holds date serial numbers that the mapping reads with the `excel` format.
        var csv = try Self.text(Self.examples + "/register-lama.csv")
        csv += "99;3216011503150099;Kp. Baru;2;aktif;3216012301900099;Salah Kelamin;X;23-01-1990;1;S1;0;Ya\r\n"
        let source = directory.sub("register-lama.csv")
        try csv.write(toFile: source, atomically: true, encoding: .utf8)
        let workbook = try LibreOffice.convert(source, to: "xlsx", filter: "CSV:59,34,76,1,2/2/6/2/9/4", in: directory)
        let original = try Self.text(Self.examples + "/register-lama.mapping.json")
        let mapping = directory.sub("sheet.mapping.json")
        try original.replacingOccurrences(of: "\"format\": \"DD-MM-YYYY\"", with: "\"format\": \"excel\"")
            .write(toFile: mapping, atomically: true, encoding: .utf8)
        #expect(try Self.text(mapping).contains("\"excel\""))

        let fromSheet = try CLITests.run(["import", workbook, "--mapping", mapping, "--skip-invalid", "--sheet", "register-lama"],
                                         store: directory.sub("xlsx"), in: directory)
        #expect(fromSheet.status != 2, "\(fromSheet.stderr)")
        // The bad cell, by the sheet's row number, column, value and rule.
        let rows = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count
        let report = try Self.text(workbook + ".issues.csv")
        #expect(report.contains("\(rows),JK,X,"), "\(report)")

        // The same rows from the CSV with the original mapping give the same store.
        let fromCSV = try CLITests.run(["import", source, "--mapping", Self.examples + "/register-lama.mapping.json", "--skip-invalid"],
                                       store: directory.sub("csv"), in: directory)
        #expect(fromCSV.status == fromSheet.status, "\(fromCSV.stderr)")
        let a = directory.sub("a.csv"), b = directory.sub("b.csv")
        #expect(try CLITests.run(["export", "--out", a], store: directory.sub("csv"), in: directory).status == 0)
        #expect(try CLITests.run(["export", "--out", b], store: directory.sub("xlsx"), in: directory).status == 0)
        // Every column but `diperbarui` (the time of each import).
        func withoutTimes(_ text: String) -> [String] {
            let lines = text.split(separator: "\n")
            let time = lines.first?.split(separator: ",", omittingEmptySubsequences: false).firstIndex(of: "diperbarui")
            return lines.map { line -> String in
                var cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                if let time, cells.count > time { cells.remove(at: time) }
                return cells.joined(separator: ",")
            }
        }
        #expect(withoutTimes(try Self.text(a)) == withoutTimes(try Self.text(b)))
        #expect(withoutTimes(try Self.text(a)).count > 3)

        // A sheet that is not there is named with the ones that are.
        let missing = try CLITests.run(["import", workbook, "--mapping", mapping, "--sheet", "Rekap"], store: directory.sub("x"), in: directory)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("xlsx.sheetNotFound") && missing.stderr.contains("'register-lama'"), "\(missing.stderr)")
    }

    @Test func aFileThatIsNotAWorkbookIsRefused() throws {
        let directory = TemporaryDirectory("lumbung-cli-xlsx")
        let fake = directory.sub("laporan.xlsx")
        try "nomor_kk,nama\n".write(toFile: fake, atomically: true, encoding: .utf8)
        let result = try CLITests.run(["import", fake], store: directory.sub("store"), in: directory)
        #expect(result.status != 0)
        #expect(result.stderr.contains("xlsx.notWorkbook"), "\(result.stderr)")
    }
}
