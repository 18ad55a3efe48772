import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung
@testable import LumbungIO

/// Flat rows (one per member) and JSON Lines: round trips, every issue, mappings.
@Suite struct FlatRowsTests {
    static let kabupaten = try! KodeWilayah("32.16")

    static func synthetic(_ count: Int, dirtyNIKRate: Double = 0) -> [Household] {
        Array(SyntheticKabupaten(kabupaten: kabupaten, seed: 1, dirtyNIKRate: dirtyNIKRate).households(count: count))
    }

    /// Encodes to (line, row) pairs; the header is line 1.
    static func encode(_ households: [Household], encoder: FlatRowEncoder? = nil) throws -> (header: [String], rows: [(Int, [String])]) {
        let encoder = encoder ?? FlatRowEncoder(codesOf: households)
        var rows: [(Int, [String])] = []
        var line = 2
        for household in households {
            for row in try encoder.rows(for: household) {
                rows.append((line, row))
                line += 1
            }
        }
        return (encoder.header, rows)
    }

    static func successes(_ results: [Result<Household, RowIssues>]) -> [Household] {
        results.compactMap { if case .success(let household) = $0 { household } else { nil } }
    }

    static func failures(_ results: [Result<Household, RowIssues>]) -> [RowIssues] {
        results.compactMap { if case .failure(let issues) = $0 { issues } else { nil } }
    }

    /// Households with 3+ members, for the issue cases.
    static func families(_ count: Int) -> [Household] {
        Array(synthetic(200).filter { $0.members.count >= 3 }.prefix(count))
    }

    /// Decodes after editing rows; returns every issue.
    static func issues(
        _ households: [Household], mapping: ColumnMapping = .lumbungDefault, options: FlatRowDecoder.Options = .init(),
        edit: (inout [(Int, [String])], (String) -> Int) -> Void
    ) throws -> (results: [Result<Household, RowIssues>], issues: [RowIssue]) {
        var (header, rows) = try encode(households)
        edit(&rows) { name in header.firstIndex(of: name)! }
        let results = try FlatRowDecoder.decode(header: header, rows: rows, mapping: mapping, options: options)
        return (results, failures(results).flatMap(\.issues))
    }

    // MARK: Round trips

    @Test func roundTripOf2000SyntheticHouseholds() throws {
        var households = Self.synthetic(2000)
        for index in stride(from: 0, to: households.count, by: 37) {
            households[index].attributes["catatan"] = .text("rumah panggung")
            households[index].attributes["nomor_rumah"] = .text("12")             // looks like a number
            households[index].attributes["nomor_pecahan"] = .text("3.5")
            households[index].attributes["kutip"] = .text("'awal kutip")
            households[index].attributes["kosong"] = .text("")
            households[index].attributes["inf"] = .text("inf")
            households[index].attributes["luas_tanah"] = .number(36)
            households[index].attributes["besar"] = .number(1e16)
            households[index].attributes["kecil"] = .number(-0.125)
            households[index].members[0].attributes["cacat"] = .code(2)
            households[index].members[0].attributes["nomor_hp"] = .text("081234")
            households[index].members[0].attributes["berat"] = .number(61.5)
        }
        households[5].programs = [.pkh, .bpnt, .pbiJK]
        households[6].status = .tidakLayak(.pindah)
        let (header, rows) = try Self.encode(households)
        #expect(header.starts(with: ["id", "nomor_kk", "id_sumber", "kode_wilayah"]))
        #expect(header.contains("atribut.nomor_rumah") && header.contains("anggota.atribut.cacat"))
        #expect(rows.count == households.reduce(0) { $0 + $1.members.count })
        let nomorRumah = header.firstIndex(of: "atribut.nomor_rumah")!
        #expect(rows[0].1[nomorRumah] == "'12")
        let luas = header.firstIndex(of: "atribut.luas_tanah")!
        #expect(rows[0].1[luas] == "36.0")

        let results = try FlatRowDecoder.decode(header: header, rows: rows)
        #expect(Self.failures(results).isEmpty, "\(Self.failures(results).prefix(3))")
        let decoded = Self.successes(results)
        #expect(decoded.count == households.count)
        for (original, again) in zip(households, decoded) where original != again {
            Issue.record("differs: \(HouseholdJSON.string(original)) vs \(HouseholdJSON.string(again))")
            break
        }
        #expect(decoded == households)
        // What the decoder accepts, the store's validation accepts.
        for household in decoded { _ = try household.validated(policy: .strict) }
    }

    @Test func roundTripKeepsIDAndTimestampGroupedByID() throws {
        var households = Self.synthetic(50)
        for index in households.indices {
            households[index].id = HouseholdID(UInt64(100 + index))
            households[index].updatedAt = Date(timeIntervalSince1970: 1_790_000_000.5 + Double(index))
        }
        let (cleanHeader, cleanRows) = try Self.encode(households)
        let clean = try FlatRowDecoder.decode(header: cleanHeader, rows: cleanRows, mapping: .lumbungByID)
        #expect(Self.failures(clean).isEmpty, "\(Self.failures(clean).prefix(3))")
        #expect(Self.successes(clean) == households)

        // The same KK on two neighbouring households: grouping by id still separates them, and
        // reports the second KK as a duplicate (the store keeps KKs unique).
        households[1].nomorKK = households[0].nomorKK
        let (header, rows) = try Self.encode(households)
        let results = try FlatRowDecoder.decode(header: header, rows: rows, mapping: .lumbungByID)
        #expect(results.count == households.count)
        let duplicate = Self.failures(results).flatMap(\.issues)
        #expect(duplicate.count == 1)
        #expect(duplicate.first?.code == .kkDuplicate && duplicate.first?.column == "nomor_kk")
        #expect(duplicate.first?.line == 2 + households[0].members.count && duplicate.first?.rule.contains("line 2") == true)

        // Grouped by KK the two households merge into one (and their ids then disagree).
        let byKK = try FlatRowDecoder.decode(header: header, rows: rows, mapping: .lumbungDefault)
        #expect(byKK.count == households.count - 1)
        let merged = Self.failures(byKK).flatMap(\.issues)
        #expect(merged.contains { $0.code == .rowHouseholdMismatch && $0.column == "id" && $0.line == 2 + households[0].members.count })
    }

    @Test func storeExportReadsBackWithIDsAndTimestamps() throws {
        let directory = TemporaryDirectory("flat-rows")
        let store = try Store(path: directory.sub("store"))
        let households = Self.synthetic(300, dirtyNIKRate: 0.05)
        try store.write { tx in
            for household in households { _ = try tx.put(household, nikPolicy: .keepFlagged) }
        }
        var stored: [Household] = []
        try store.read { tx in try tx.forEachHousehold { stored.append($0) } }
        #expect(stored.count == households.count)
        #expect(stored.allSatisfy { $0.id != nil && $0.updatedAt != nil })
        let (header, rows) = try Self.encode(stored)
        let results = try FlatRowDecoder.decode(
            header: header, rows: rows, mapping: .lumbungByID, options: .init(keepInvalidNIK: true))
        #expect(Self.failures(results).isEmpty, "\(Self.failures(results).prefix(3))")
        #expect(Self.successes(results) == stored)
    }

    @Test func flaggedNIKsAreKeptWithKeepInvalidNIK() throws {
        let households = Self.synthetic(400, dirtyNIKRate: 0.2)
        let flagged = households.filter { $0.members.contains { $0.nik.nik == nil } }
        #expect(!flagged.isEmpty)
        let (header, rows) = try Self.encode(households)
        let kept = try FlatRowDecoder.decode(header: header, rows: rows, options: .init(keepInvalidNIK: true))
        #expect(Self.failures(kept).isEmpty, "\(Self.failures(kept).prefix(3))")
        #expect(Self.successes(kept) == households)
        for household in Self.successes(kept) { _ = try household.validated(policy: .keepFlagged) }

        let strict = try FlatRowDecoder.decode(header: header, rows: rows)
        let refused = Self.failures(strict)
        #expect(refused.count == flagged.count)
        let codes = Set(refused.flatMap(\.codes))
        #expect(codes.isSubset(of: [.nikMissing, .nikSpreadsheetMangled, .nikLength]))
        #expect(codes.contains(.nikSpreadsheetMangled) && codes.contains(.nikMissing))
        #expect(refused.flatMap(\.issues).allSatisfy { $0.column == "anggota.nik" })
    }

    // MARK: Issues

    @Test func invalidNIKsGiveTheExactRuleMaskedOnTheirLine() throws {
        let families = Self.families(1)
        let (results, issues) = try Self.issues(families) { rows, column in
            rows[1].1[column("anggota.nik")] = "3.21601E+15"
            rows[2].1[column("anggota.nik")] = "3216014507900000"
        }
        #expect(results.count == 1)
        #expect(issues.count == 2)
        #expect(issues[0].line == 3 && issues[0].column == "anggota.nik" && issues[0].code == .nikSpreadsheetMangled)
        #expect(issues[1].line == 4 && issues[1].column == "anggota.nik" && issues[1].code == .nikZeroSerial)
        #expect(issues[1].value == "3216********0000")
    }

    @Test func missingNIKIsAnIssueUnlessKept() throws {
        let families = Self.families(1)
        let edit: (inout [(Int, [String])], (String) -> Int) -> Void = { rows, column in rows[0].1[column("anggota.nik")] = "" }
        let (_, issues) = try Self.issues(families, edit: edit)
        #expect(issues.map(\.code) == [.nikMissing])
        #expect(issues[0].line == 2 && issues[0].column == "anggota.nik")
        let (kept, keptIssues) = try Self.issues(families, options: .init(keepInvalidNIK: true), edit: edit)
        #expect(keptIssues.isEmpty)
        #expect(Self.successes(kept).first?.members[0].nik == .missing)
    }

    @Test func nikContradictingSexIsFlaggedOrReported() throws {
        let families = Self.families(1)
        let edit: (inout [(Int, [String])], (String) -> Int) -> Void = { rows, column in
            let sex = rows[0].1[column("anggota.jenis_kelamin")]
            rows[0].1[column("anggota.jenis_kelamin")] = sex == "L" ? "P" : "L"
        }
        let (_, issues) = try Self.issues(families, edit: edit)
        #expect(issues.map(\.code) == [.nikSexMismatch])
        let (kept, _) = try Self.issues(families, options: .init(keepInvalidNIK: true), edit: edit)
        #expect(Self.successes(kept).first?.members[0].nik.status == .invalid(.nikSexMismatch))
    }

    @Test func invalidKKAndUnknownWilayah() throws {
        let families = Self.families(1)
        let (_, issues) = try Self.issues(families) { rows, column in
            for index in rows.indices {
                rows[index].1[column("nomor_kk")] = "3216013202150001"   // 32 February
                rows[index].1[column("kode_wilayah")] = "32.16.01.9999"
            }
        }
        #expect(issues.count == 2)
        #expect(issues.contains { $0.line == 2 && $0.column == "nomor_kk" && $0.code == .kkInvalidDate && $0.value == "3216********0001" })
        #expect(issues.contains { $0.line == 2 && $0.column == "kode_wilayah" && $0.code == .wilayahUnknown })
    }

    @Test func householdColumnsMustAgreeAcrossRows() throws {
        let families = Self.families(1)
        let (_, issues) = try Self.issues(families) { rows, column in
            rows[2].1[column("alamat")] = "Jl. Lain 9"
        }
        #expect(issues.count == 1)
        let issue = try #require(issues.first)
        #expect(issue.line == 4 && issue.column == "alamat" && issue.code == .rowHouseholdMismatch)
        #expect(issue.value == "Jl. Lain 9" && issue.rule.contains("line 2") && issue.rule.contains(families[0].alamat))
    }

    @Test func noHeadAndManyHeads() throws {
        let families = Self.families(2)
        let (results, issues) = try Self.issues(families) { rows, column in
            rows[0].1[column("anggota.hubungan")] = "anak"                       // household 1: no head
            let second = families[0].members.count
            rows[second + 1].1[column("anggota.hubungan")] = "kepala_keluarga"    // household 2: two heads
        }
        #expect(results.count == 2)
        #expect(issues.count == 2)
        #expect(issues[0].code == .householdNoHead && issues[0].line == 2 && issues[0].column == "anggota.hubungan")
        let secondLine = 2 + families[0].members.count + 1
        #expect(issues[1].code == .householdManyHeads && issues[1].line == secondLine && issues[1].column == "anggota.hubungan")
    }

    @Test func wrongColumnCount() throws {
        let families = Self.families(2)
        let (results, issues) = try Self.issues(families) { rows, _ in
            rows[1].1.removeLast()
        }
        #expect(results.count == 2)
        #expect(Self.successes(results).count == 1)
        #expect(issues.map(\.code) == [.rowColumnCount])
        #expect(issues[0].line == 3 && issues[0].column == "")
    }

    @Test func unknownStatusProgramAndBadDateAreAllReported() throws {
        let families = Self.families(1)
        let (_, issues) = try Self.issues(families) { rows, column in
            for index in rows.indices {
                rows[index].1[column("status")] = "miskin"
                rows[index].1[column("program")] = "PKH|BANSOS"
            }
            rows[1].1[column("anggota.tanggal_lahir")] = "2020-02-30"
            rows[2].1[column("anggota.pendidikan")] = "s3"
        }
        #expect(issues.count == 4)
        #expect(issues.contains { $0.line == 2 && $0.column == "status" && $0.code == .householdStatus && $0.value == "miskin" })
        #expect(issues.contains { $0.line == 2 && $0.column == "program" && $0.code == .householdProgram && $0.value == "BANSOS" })
        #expect(issues.contains { $0.line == 3 && $0.column == "anggota.tanggal_lahir" && $0.code == .memberBirthDate })
        #expect(issues.contains { $0.line == 4 && $0.column == "anggota.pendidikan" && $0.code == .memberInvalid })
    }

    @Test func duplicateNIKAcrossTheFileNamesTheOtherLine() throws {
        let families = Self.families(2)
        let (results, issues) = try Self.issues(families) { rows, column in
            let second = families[0].members.count
            rows[second + 2].1[column("anggota.nik")] = rows[1].1[column("anggota.nik")]
        }
        #expect(Self.successes(results).count == 1)
        let issue = try #require(issues.first { $0.code == .nikDuplicate })
        #expect(issue.code == .nikDuplicate && issue.column == "anggota.nik")
        #expect(issue.line == 2 + families[0].members.count + 2 && issue.rule.contains("line 3"))
        #expect(issue.value.contains("********"))
    }

    @Test func rowsOfOneHouseholdMustBeContiguous() throws {
        let families = Self.families(2)
        var (header, rows) = try Self.encode(families)
        // Move household 1's last row after household 2.
        let moved = rows.remove(at: families[0].members.count - 1)
        rows.append(moved)
        for index in rows.indices { rows[index].0 = index + 2 }
        let results = try FlatRowDecoder.decode(header: header, rows: rows)
        #expect(results.count == 3)
        let issues = Self.failures(results).flatMap(\.issues)
        let issue = try #require(issues.first { $0.code == .rowGroupNotContiguous })
        #expect(issue.line == rows.count + 1 && issue.column == "nomor_kk" && issue.rule.contains("line 2"))
    }

    @Test func allIssuesOfAHouseholdAreCollected() throws {
        let families = Self.families(1)
        let (results, issues) = try Self.issues(families) { rows, column in
            for index in rows.indices { rows[index].1[column("desil")] = "11" }
            rows[0].1[column("anggota.nik")] = "12345"
            rows[1].1[column("anggota.jenis_kelamin")] = "X"
            rows[2].1[column("anggota.nama")] = " "
        }
        #expect(results.count == 1)
        #expect(Set(issues.map(\.code)) == [.householdDesil, .nikLength, .memberInvalid])
        #expect(issues.count == 4)
        #expect(issues.map(\.line) == [2, 2, 3, 4])
    }

    // MARK: Mappings

    @Test func siksStyleMappingWithUppercaseHeadersAndAnIgnoredColumn() throws {
        let json = #"""
            {"columns": {"NO_KK": "nomor_kk", "KODE_WILAYAH": "kode_wilayah", "ALAMAT": "alamat",
                         "NAMA": "anggota.nama", "NIK": "anggota.nik", "JNS_KEL": "anggota.jenis_kelamin",
                         "TGL_LAHIR": "anggota.tanggal_lahir", "HUB_KRT": "anggota.hubungan",
                         "LANTAI": "atribut.lantai", "PEKERJAAN": "anggota.pekerjaan",
                         "CACAT": "anggota.atribut.cacat", "PROGRAM": "program"},
             "group_by": "nomor_kk", "ignore": ["NO_URUT"]}
            """#
        let mapping = try ColumnMapping(json: Data(json.utf8))
        #expect(mapping.groupBy == .nomorKK && mapping.ignore == ["NO_URUT"])
        let header = ["NO_URUT", "NO_KK", "KODE_WILAYAH", "ALAMAT", "NAMA", "NIK", "JNS_KEL", "TGL_LAHIR", "HUB_KRT",
                      "LANTAI", "PEKERJAAN", "CACAT", "PROGRAM"]
        let family = Self.families(1)[0]
        let head = family.members[0], second = family.members[1]
        func row(_ number: Int, _ member: Member, relation: String) -> [String] {
            [String(number), family.nomorKK.text, family.wilayah.plain, family.alamat, member.name, member.nik.text!,
             member.sex.letter, member.birthDate.map { String(format: "%02d-%02d-%04d", $0.day, $0.month, $0.year) } ?? "",
             relation, "3", "BURUH TANI", number == 1 ? "" : "2", "PKH, Sembako"]
        }
        let rows = [(2, row(1, head, relation: "1")), (3, row(2, second, relation: second.relation.name))]
        let results = try FlatRowDecoder.decode(header: header, rows: rows, mapping: mapping)
        let household = try #require(Self.successes(results).first, "\(results)")
        #expect(household.nomorKK == family.nomorKK && household.wilayah == family.wilayah)
        #expect(household.attributes["lantai"] == .code(3))
        #expect(household.programs == [.pkh, .bpnt])
        #expect(household.members.map(\.nik) == [head.nik, second.nik])
        #expect(household.members[0].birthDate == head.birthDate)
        #expect(household.members[0].occupation == "BURUH TANI")
        #expect(household.members[1].attributes["cacat"] == .code(2) && household.members[0].attributes.isEmpty)

        // Without the ignore the extra column is an error on the header line.
        var strict = mapping
        strict.ignore = []
        #expect(throws: RowIssues.self) { _ = try FlatRowDecoder(header: header, mapping: strict) }
        do {
            _ = try FlatRowDecoder(header: header, mapping: strict)
        } catch {
            #expect(error.issues.map(\.code) == [.rowUnmappedColumn])
            #expect(error.issues[0].line == 1 && error.issues[0].column == "NO_URUT")
        }
        // A mapping to an unknown field, and grouping by a field not mapped.
        var broken = mapping
        broken.columns["NAMA"] = "anggota.namanya"
        broken.groupBy = .id
        do {
            _ = try FlatRowDecoder(header: header, mapping: broken)
            Issue.record("a broken mapping was accepted")
        } catch {
            #expect(Set(error.issues.map(\.code)) == [.rowMappingInvalid])
            #expect(error.issues.contains { $0.column == "NAMA" })
            #expect(error.issues.contains { $0.column == "id" })
        }
    }

    @Test func encoderRefusesAnAttributeItWasNotGiven() throws {
        var household = Self.families(1)[0]
        household.attributes["baru"] = .code(1)
        let encoder = FlatRowEncoder(attributeCodes: ["lantai"], memberAttributeCodes: [])
        #expect(throws: LumbungError.self) { _ = try encoder.rows(for: household) }
    }

    @Test func attributeCells() {
        #expect(FlatCells.attribute(.code(-4)) == "-4")
        #expect(FlatCells.attribute(.number(36)) == "36.0")
        #expect(FlatCells.attribute(.text("1e5")) == "'1e5")
        #expect(FlatCells.attribute(cell: "'1e5") == .text("1e5"))
        #expect(FlatCells.attribute(cell: "1e5") == .number(100_000))
        #expect(FlatCells.attribute(cell: "nan") == .text("nan"))
        #expect(FlatCells.attribute(cell: "") == nil)
        let date = Date(timeIntervalSince1970: 1_790_000_000.5)
        #expect(FlatCells.timestamp(cell: FlatCells.timestamp(date)) == date)
    }

    // MARK: JSON Lines and the report

    @Test func jsonLinesRoundTripAndIssues() throws {
        let households = Self.synthetic(100)
        var buffer: [UInt8] = []
        for household in households { JSONLines.append(household, to: &buffer) }
        let lines = buffer.split(separator: 0x0A)
        #expect(lines.count == households.count)
        let decoded = lines.enumerated().map { JSONLines.decode(line: $0.offset + 1, $0.element) }
        #expect(Self.successes(decoded) == households)

        var text = String(decoding: JSONLines.line(households[0]), as: UTF8.self)
        text = text.replacingOccurrences(of: #""jenis_kelamin":"\#(households[0].members[0].sex.letter)""#, with: #""jenis_kelamin":"Q""#)
        guard case .failure(let problems) = JSONLines.decode(line: 9, text) else {
            Issue.record("a bad line was accepted")
            return
        }
        #expect(problems.issues.count == 1)
        #expect(problems.issues[0].line == 9 && problems.issues[0].column == "anggota[0].jenis_kelamin")
        #expect(problems.issues[0].code == .memberInvalid && problems.issues[0].value == "Q")
        guard case .failure(let badJSON) = JSONLines.decode(line: 3, "{not json") else {
            Issue.record("malformed JSON was accepted")
            return
        }
        #expect(badJSON.issues[0].code == LumbungError.Code.jsonMalformed && badJSON.issues[0].line == 3)
    }

    @Test func issueReportRowsAndSummary() throws {
        let families = Self.families(3)
        let (results, _) = try Self.issues(families) { rows, column in
            rows[0].1[column("anggota.nik")] = "3.21601E+15"
            rows[1].1[column("anggota.nik")] = ""
        }
        var report = IssueReport()
        for case .failure(let problems) in results { report.add(problems) }
        #expect(IssueReport.header == ["line", "column", "value", "code", "rule"])
        #expect(report.rows.count == 2)
        #expect(report.rows[0][0] == "2" && report.rows[0][1] == "anggota.nik" && report.rows[0][3] == "nik.spreadsheetMangled")
        let summary = report.summary(households: 3)
        #expect(summary.contains("1 of 3 households refused"))
        #expect(summary.contains("nik.spreadsheetMangled 1") && summary.contains("nik.missing 1"))
        #expect(!summary.contains("\n"))
        #expect(IssueReport().summary(households: 5) == "No issues in 5 households.")
    }
}
