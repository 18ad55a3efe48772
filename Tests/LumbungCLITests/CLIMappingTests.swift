import Foundation
import Lumbung
import LumbungIO
import Testing

/// `lumbung import --mapping` on a register in its own vocabulary, through the real binary: the
/// shipped example (Examples/Mapping: `;`, BOM, CRLF, word statuses, `Istri`, BPS relation codes
/// through a code list, `0/1` and `Ya/Tidak`, `DD-MM-YYYY`), its bad cells, mapping errors, the
/// grouped issue summary and dry-run counts.
@Suite("CLI import with value mappings")
struct CLIMappingTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/Mapping").path

    /// The example's CSV (as text lines, BOM and CRLF kept) and mapping, copied into a fresh directory.
    struct Example {
        let directory = TemporaryDirectory("lumbung-cli-mapping")
        var store: String { directory.sub("store") }
        var mapping: String { directory.sub("register-lama.mapping.json") }
        let lines: [String]

        init() throws {
            let csv = try String(contentsOfFile: CLIMappingTests.examples + "/register-lama.csv", encoding: .utf8)
            var lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            if lines[0].hasPrefix("\u{FEFF}") { lines[0].removeFirst() }
            self.lines = lines
            try FileManager.default.copyItem(atPath: CLIMappingTests.examples + "/register-lama.mapping.json", toPath: mapping)
        }

        /// Writes rows like the example's (`;`, CRLF, a BOM) under `name`.
        func write(_ lines: [String], name: String) throws -> String {
            let path = directory.sub(name)
            try Data(("\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n").utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        /// The example's data rows, each split into its cells.
        var rows: [[String]] { lines.dropFirst().map { $0.components(separatedBy: ";") } }

        func run(_ arguments: [String], store: String? = nil) throws -> CLITests.Result {
            try CLITests.run(arguments, store: store ?? self.store, in: directory)
        }

        func household(kk: String) throws -> Household {
            let got = try run(["get", "--kk", kk, "--json"])
            try #require(got.status == 0, "\(got.stderr)")
            return try HouseholdJSON.decode(got.stdoutBytes)
        }
    }

    @Test func theShippedExampleImportsWithItsMappingAndNoPreprocessing() throws {
        let example = try Example()
        let csv = example.directory.sub("register-lama.csv")
        try FileManager.default.copyItem(atPath: Self.examples + "/register-lama.csv", toPath: csv)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: csv))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "the example starts with a BOM")
        #expect(String(decoding: bytes, as: UTF8.self).contains(";aktif;") && String(decoding: bytes, as: UTF8.self).contains("\r\n"))

        let result = try example.run(["import", csv, "--mapping", example.mapping])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(CLIImportFixture.summary(result).contains("3 households read: 3 new, 0 updated, 0 unchanged, 0 skipped, 0 rejected"), "\(result.stderr)")

        let budi = try example.household(kk: "3216011503150001")
        #expect(budi.status == .ditetapkan && budi.wilayah.plain == "3216012001" && budi.rt == 1)
        #expect(budi.members.map(\.relation) == [.kepalaKeluarga, .istriSuami, .anak])
        #expect(budi.members.map(\.education) == [.sarjana, .diploma, .sd])
        #expect(budi.members.map(\.birthDate?.description) == ["1990-01-23", "1992-05-15", "2015-03-02"])
        #expect(budi.members.map { $0.attributes["penyandang_disabilitas"] } == [.code(0), .code(0), .code(1)])
        #expect(budi.attributes["punya_kip"] == .code(1))
        let joko = try example.household(kk: "3216012004180001")
        #expect(joko.status == .tidakLayak(.mampu) && joko.attributes["punya_kip"] == .code(0))
        #expect(joko.members.map(\.relation) == [.kepalaKeluarga, .istriSuami] && joko.members.map(\.education) == [.sma, .smp])
        let dewi = try example.household(kk: "3216010107200001")
        #expect(dewi.status == .usulan, "an empty status takes the column's default")
        #expect(dewi.rt == nil && dewi.members[0].relation == .kepalaKeluarga && dewi.attributes["punya_kip"] == .code(0))
        #expect(try example.run(["check"]).status == 0)
    }

    @Test func everyBadCellIsReportedWithLineColumnValueAndRule() throws {
        let example = try Example()
        var rows = example.rows
        func set(_ row: Int, _ column: String, _ value: String) {
            rows[row][example.lines[0].components(separatedBy: ";").firstIndex { $0.hasSuffix(column) }!] = value
        }
        set(1, "TGL_LAHIR", "31-02-1992")  // line 3: not on the calendar
        set(2, "HUB_KK", "Sepupu")  // line 4: neither mapped nor a Lumbung relation
        set(3, "TGL_LAHIR", "1975/10/10")  // line 5: not DD-MM-YYYY
        set(4, "PENDIDIKAN", "S4")  // line 6: unmapped education
        set(5, "PUNYA_KIP", "Mungkin")  // line 7: not a yes/no
        let path = try example.write([example.lines[0]] + rows.map { $0.joined(separator: ";") }, name: "bad.csv")
        let result = try example.run(["import", path, "--mapping", example.mapping])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(CLIImportFixture.summary(result).contains("3 rejected"), "\(result.stderr)")
        #expect(!containsFullNumber(result.stderr))
        let report = try FlatFile.read(path + ".issues.csv")
        let expected: [(line: String, column: String, value: String, code: String, rule: String)] = [
            ("3", "TGL_LAHIR", "31-02-1992", "member.birthDate", "the date must exist on the calendar"),
            ("4", "HUB_KK", "Sepupu", "member.invalid", "must be one of kepala_keluarga, istri_suami"),
            ("5", "TGL_LAHIR", "1975/10/10", "row.valueFormat", "a date is written DD-MM-YYYY"),
            ("6", "PENDIDIKAN", "S4", "member.invalid", "must be one of tidak_sekolah"),
            ("7", "PUNYA_KIP", "Mungkin", "row.valueFormat", "yes or no: ya/tidak"),
        ]
        #expect(report.rows.count == expected.count, "\(report.rows)")
        for issue in expected {
            #expect(
                report.rows.contains { $0[0] == issue.line && $0[1] == issue.column && $0[2] == issue.value && $0[3] == issue.code && $0[4].contains(issue.rule) },
                "\(issue) not in \(report.rows)")
        }
        #expect(!FileManager.default.fileExists(atPath: example.store), "a refused import leaves no store behind")
    }

    @Test func aMappingErrorNamesItsJSONPathBeforeAnyRowIsRead() throws {
        let example = try Example()
        let text = try String(contentsOfFile: example.mapping, encoding: .utf8)
        try text.replacingOccurrences(of: #""aktif": "ditetapkan""#, with: #""aktif": "ditetapkn""#)
            .write(toFile: example.mapping, atomically: true, encoding: .utf8)
        let csv = try example.write(example.lines, name: "register.csv")
        let result = try example.run(["import", csv, "--mapping", example.mapping])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains(#"columns[3].values["aktif"] 'ditetapkn': status must be one of usulan, terverifikasi, ditetapkan, tidak_layak"#), "\(result.stderr)")
        #expect(!result.stderr.contains("households read"), "nothing was read: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: example.store))
    }

    @Test func oneUnmappedValueOnAThousandRowsIsOneLineOfTheSummary() throws {
        let example = try Example()
        // 1,000 one-person households, every one with the same unmapped education.
        let lines = [example.lines[0]] + (1...1000).map { index in
            let serial = String(format: "%04d", index)
            return "\(index);321601150315\(serial);Kp. Sagara;1;aktif;321601230190\(serial);Warga \(index);L;23-01-1990;1;S4;0;Ya"
        }
        let path = try example.write(lines, name: "many.csv")
        let result = try example.run(["import", path, "--mapping", example.mapping, "--dry-run"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(try FlatFile.read(path + ".issues.csv").rows.count == 1000, "the per-row report stays whole")
        let summary = try FlatFile.read(path + ".issues-summary.csv")
        #expect(summary.header == IssueReport.groupHeader)
        #expect(summary.rows.count == 1, "\(summary.rows.prefix(3))")
        #expect(summary.rows.first.map { Array($0.prefix(3)) } == ["PENDIDIKAN", "S4", "member.invalid"])
        #expect(summary.rows.first?[4] == "1000" && summary.rows.first?[5] == "2 3 4 5 6")
        #expect(result.stderr.contains("1 distinct problem"), "\(result.stderr)")
        #expect(result.stderr.contains("1000 × PENDIDIKAN 'S4' [member.invalid] must be one of"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count < 12, "the printed summary stays short: \(result.stderr)")
    }

    @Test func dryRunCountsWhatWouldHappenInAnEmptyAndAFilledStore() throws {
        let example = try Example()
        let csv = try example.write(example.lines, name: "register.csv")
        let mapped = ["--mapping", example.mapping]
        let empty = try example.run(["import", csv, "--dry-run"] + mapped)
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(CLIImportFixture.summary(empty).contains("3 households read: 3 new, 0 updated, 0 unchanged, 0 skipped, 0 rejected"), "\(empty.stderr)")
        #expect(!FileManager.default.fileExists(atPath: example.store), "a dry run leaves no store behind")

        #expect(try example.run(["import", csv] + mapped).status == 0)
        let again = try example.run(["import", csv, "--dry-run"] + mapped)
        #expect(CLIImportFixture.summary(again).contains("3 households read: 0 new, 0 updated, 3 unchanged, 0 skipped, 0 rejected"), "\(again.stderr)")

        // One household changed, one new, one refused.
        var rows = example.rows
        rows[0][2] = "Kp. Sagara Baru"; rows[1][2] = "Kp. Sagara Baru"; rows[2][2] = "Kp. Sagara Baru"
        rows[5][1] = "3216010107200009"
        rows[5][5] = "3216014108850009"
        rows[3][9] = "Sepupu"
        let changed = try example.write([example.lines[0]] + rows.map { $0.joined(separator: ";") }, name: "changed.csv")
        let before = try example.run(["export", "--format", "jsonl", "--out", "-"]).stdout
        let dry = try example.run(["import", changed, "--dry-run", "--skip-invalid"] + mapped)
        #expect(CLIImportFixture.summary(dry).contains("3 households read: 1 new, 1 updated, 0 unchanged, 0 skipped, 1 rejected"), "\(dry.stderr)")
        let skipping = try example.run(["import", changed, "--dry-run", "--skip-invalid", "--on-existing", "skip"] + mapped)
        #expect(CLIImportFixture.summary(skipping).contains("1 new, 0 updated, 0 unchanged, 1 skipped, 1 rejected"), "\(skipping.stderr)")
        #expect(try example.run(["export", "--format", "jsonl", "--out", "-"]).stdout == before, "dry runs write nothing")

        // The real import does what the dry run said.
        let real = try example.run(["import", changed, "--skip-invalid"] + mapped)
        #expect(CLIImportFixture.summary(real).contains("3 households read: 1 new, 1 updated, 0 unchanged, 0 skipped, 1 rejected"), "\(real.stderr)")
    }
}
