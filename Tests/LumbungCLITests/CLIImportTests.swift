import Foundation
import Lumbung
import LumbungIO
import Testing

/// `lumbung import` end to end: the real binary on real files. The decoding and validation rules
/// themselves are tested in FlatRowsTests and ImportTests; here every bad input must give exit 3,
/// an issue report naming line, column, value and rule, and a store left exactly as it was.
@Suite("CLI import")
struct CLIImportTests {
    /// What a bad input's report must say.
    struct Expected {
        var line: Int
        var column: String
        var value: String?
        var code: String
        var rule: String
    }

    /// One kind of bad input, made by editing the valid households 7–12.
    enum BadInput: String, CaseIterable, CustomTestStringConvertible {
        case invalidNIK, invalidKK, spreadsheetMangledNIK, unknownWilayah, nikTwiceInFile, nikHeldInStore
        case householdColumnsDisagree, noHead, twoHeads, wrongColumnCount, unknownStatus, unknownProgram

        var testDescription: String { rawValue }

        /// Edits `file` and says what the report must name.
        func apply(to file: inout FlatFile, stored: FlatFile) -> Expected {
            let first = file.householdIDs[0]
            let firstRows = file.rows(ofHousehold: first)
            // A household with at least two members, for the cases that need a second row.
            let family = file.rows(ofHousehold: file.householdIDs.first { file.rows(ofHousehold: $0).count >= 2 }!)
            let headRow = family.first { file[$0, "anggota.hubungan"] == "kepala_keluarga" }!
            let otherRow = family.first { $0 != headRow }!
            let line = FlatFile.line(ofRow:)
            switch self {
            case .invalidNIK:
                var nik = Array(file[0, "anggota.nik"])
                nik.replaceSubrange(8..<10, with: "13")  // birth month 13
                file[0, "anggota.nik"] = String(nik)
                return Expected(line: 2, column: "anggota.nik", value: maskedText(String(nik)), code: "nik.invalidMonth", rule: "birth month (digits 9-10) must be 01-12")
            case .invalidKK:
                let short = String(file[0, "nomor_kk"].prefix(14))
                file.setHousehold(first, "nomor_kk", short)
                return Expected(line: 2, column: "nomor_kk", value: maskedText(short), code: "kk.length", rule: "must have 16 digits, has 14")
            case .spreadsheetMangledNIK:
                file[0, "anggota.nik"] = "3.21601E+15"
                return Expected(line: 2, column: "anggota.nik", value: nil, code: "nik.spreadsheetMangled", rule: "scientific notation")
            case .unknownWilayah:
                file.setHousehold(first, "kode_wilayah", "32.16.99.2001")
                return Expected(line: 2, column: "kode_wilayah", value: "32.16.99.2001", code: "wilayah.unknown", rule: "kecamatan 32.16.99 is not in the kode wilayah table")
            case .nikTwiceInFile:
                let last = file.rows.count - 1
                file.copyPerson(from: file.rows[0], toRow: last)
                return Expected(line: line(last), column: "anggota.nik", value: maskedText(file[0, "anggota.nik"]), code: "nik.duplicate", rule: "already on line 2")
            case .nikHeldInStore:
                file.copyPerson(from: stored.rows[0], toRow: otherRow)
                return Expected(
                    line: line(otherRow), column: "anggota.nik", value: maskedText(stored[0, "anggota.nik"]), code: "nik.duplicate",
                    rule: "already belongs to household 1 in the store")
            case .householdColumnsDisagree:
                file[otherRow, "alamat"] = "Jl. Lain No. 1"
                return Expected(line: line(otherRow), column: "alamat", value: "Jl. Lain No. 1", code: "row.householdMismatch", rule: "on line \(line(family[0])), the household's first row")
            case .noHead:
                file[headRow, "anggota.hubungan"] = "anak"
                return Expected(line: line(family[0]), column: "anggota.hubungan", value: nil, code: "household.noHead", rule: "exactly one member is the kepala_keluarga; none is")
            case .twoHeads:
                file[otherRow, "anggota.hubungan"] = "kepala_keluarga"
                return Expected(line: line(max(headRow, otherRow)), column: "anggota.hubungan", value: "kepala_keluarga", code: "household.manyHeads", rule: "2 are")
            case .wrongColumnCount:
                file.rows[otherRow].removeLast()
                return Expected(line: line(otherRow), column: "", value: String(file.header.count - 1), code: "row.columnCount", rule: "the row has \(file.header.count - 1) cells, the header \(file.header.count)")
            case .unknownStatus:
                file.setHousehold(first, "status", "entah")
                return Expected(line: line(firstRows[0]), column: "status", value: "entah", code: "household.status", rule: "status must be one of")
            case .unknownProgram:
                file.setHousehold(first, "program", "PKH|BANSOS")
                return Expected(line: line(firstRows[0]), column: "program", value: "BANSOS", code: "household.program", rule: "program must be one of")
            }
        }
    }

    @Test(arguments: BadInput.allCases)
    func badInputIsRefusedAndReported(_ input: BadInput) throws {
        let fixture = try CLIImportFixture()
        let before = try fixture.fingerprint()
        var file = fixture.fresh
        let expected = input.apply(to: &file, stored: fixture.stored)
        let result = try fixture.importFile(file, name: "bad.csv")

        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "stdout carries data only")
        #expect(result.stderr.contains("nothing was written"))
        #expect(result.stderr.contains("1 rejected"), "\(result.stderr)")
        #expect(!containsFullNumber(result.stderr), "NIKs and KKs are masked in diagnostics: \(result.stderr)")
        #expect(try fixture.fingerprint() == before, "the store is unchanged")

        let report = try fixture.report("bad.csv")
        let issue = try #require(report.rows.first { $0[3] == expected.code }, "no \(expected.code) in \(report.rows)")
        if let value = expected.value { #expect(issue[2] == value, "value: \(issue)") }
        if expected.code != "household.noHead" { #expect(!issue[2].isEmpty, "the value is named: \(issue)") }
        #expect(issue[4].contains(expected.rule), "rule: \(issue[4])")
        #expect(report.rows.allSatisfy { !containsFullNumber($0.joined(separator: ",")) }, "the report masks NIKs and KKs")
        #expect(issue[0] == String(expected.line), "line: \(issue)")
        #expect(issue[1] == expected.column, "column: \(issue)")
    }

    @Test func skipInvalidWritesTheValidOnesAndReportsTheRest() throws {
        let fixture = try CLIImportFixture()
        var file = fixture.fresh
        file[0, "anggota.nik"] = "3.21601E+15"
        let result = try fixture.importFile(file, name: "mixed.csv", ["--skip-invalid"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(CLIImportFixture.summary(result).contains("6 households read: 5 new, 0 updated, 0 unchanged, 0 skipped, 1 rejected"), "\(result.stderr)")
        let report = try fixture.report("mixed.csv")
        #expect(report.rows.map { $0[3] } == ["nik.spreadsheetMangled"])
        // The refused household is absent, the others are in.
        for (index, id) in file.householdIDs.enumerated() {
            let kk = file[file.rows(ofHousehold: id)[0], "nomor_kk"]
            let get = try fixture.run(["get", "--kk", kk])
            #expect(get.status == (index == 0 ? 4 : 0), "household \(id): \(get.stderr)")
        }
        let check = try fixture.run(["check"])
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test func dryRunWritesNothing() throws {
        let fixture = try CLIImportFixture()
        let before = try fixture.fingerprint()
        let clean = try fixture.importFile(fixture.fresh, name: "fresh.csv", ["--dry-run"])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stderr.contains("dry run: nothing was written"))
        #expect(CLIImportFixture.summary(clean).contains("6 households read"))
        #expect(try fixture.fingerprint() == before)

        var file = fixture.fresh
        file.setHousehold(file.householdIDs[0], "status", "entah")
        let dirty = try fixture.importFile(file, name: "dirty.csv", ["--dry-run", "--skip-invalid"])
        #expect(dirty.status == 3, "a dry run that finds issues fails: \(dirty.stderr)")
        #expect(try fixture.report("dirty.csv").rows.count == 1)
        #expect(try fixture.fingerprint() == before)
    }

    @Test func aFailedImportIntoANewPathLeavesNoStoreAndAMissingFileIsNotFound() throws {
        let fixture = try CLIImportFixture()
        var file = fixture.fresh
        file.setHousehold(file.householdIDs[0], "status", "entah")
        let path = fixture.directory.sub("bad.csv")
        try file.write(to: path)
        let newStore = fixture.directory.sub("new-store")
        let refused = try CLITests.run(["import", path], store: newStore, in: fixture.directory)
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: newStore), "a refused import leaves no empty store behind")
        let dryRun = try CLITests.run(["import", fixture.directory.sub("bad.csv"), "--dry-run", "--skip-invalid"], store: newStore, in: fixture.directory)
        #expect(dryRun.status == 3)
        #expect(!FileManager.default.fileExists(atPath: newStore), "a dry run leaves no store behind")

        let missing = try CLITests.run(["import", fixture.directory.sub("nowhere.csv")], store: newStore, in: fixture.directory)
        #expect(missing.status == 4, "\(missing.stderr)")
        #expect(missing.stderr.contains("nowhere.csv") && missing.stderr.contains("No such file"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: newStore))

        // The same file into the existing store: refused, and the store stays.
        #expect(try fixture.importFile(file, name: "bad2.csv").status == 3)
        #expect(FileManager.default.fileExists(atPath: fixture.store + "/data.mdb"))
    }

    @Test func aNIKMovedBetweenTwoStoredHouseholdsInOneFileIsAccepted() throws {
        let fixture = try CLIImportFixture()
        // Two stored households with two or more members: move a non-head member of the first
        // to the second, and list the receiving household first in the file.
        var file = fixture.stored
        let families = file.householdIDs.filter { file.rows(ofHousehold: $0).count >= 2 }
        try #require(families.count >= 2)
        let (giver, taker) = (families[0], families[1])
        let moving = file.rows(ofHousehold: giver).first { file[$0, "anggota.hubungan"] != "kepala_keluarga" }!
        let nik = file[moving, "anggota.nik"]
        let takerRows = file.rows(ofHousehold: taker)
        let takerKK = file[takerRows[0], "nomor_kk"]
        // The member's row takes the receiving household's columns.
        var moved = file.rows[moving]
        for (index, name) in file.header.enumerated() where !name.hasPrefix("anggota.") {
            moved[index] = file.rows[takerRows[0]][index]
        }
        // The receiving household first, so when it is read the NIK is still the giver's in the store.
        let rest = file.rows.indices.filter { $0 != moving && !takerRows.contains($0) }.map { file.rows[$0] }
        file.rows = takerRows.map { file.rows[$0] } + [moved] + rest
        let result = try fixture.importFile(file, name: "moved.csv")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(CLIImportFixture.summary(result).contains("2 updated"), "\(result.stderr)")
        let get = try fixture.run(["get", "--nik", nik, "--json"])
        #expect(get.status == 0 && get.stdout.contains(takerKK), "the NIK now belongs to the receiving household")
        #expect(try fixture.run(["check"]).status == 0)
    }

    @Test func onExistingUpdateSkipOrFail() throws {
        let fixture = try CLIImportFixture()
        var changed = fixture.stored
        let id = changed.householdIDs[0]
        changed.setHousehold(id, "alamat", "Jl. Baru No. 9")
        let kk = changed[0, "nomor_kk"]
        let before = try fixture.fingerprint()

        let failing = try fixture.importFile(changed, name: "changed.csv", ["--on-existing", "fail"])
        #expect(failing.status == 3, "\(failing.stderr)")
        let report = try fixture.report("changed.csv")
        #expect(report.rows.count == 6 && report.rows.allSatisfy { $0[3] == "import.exists" && $0[1] == "nomor_kk" })
        #expect(report.rows.contains { $0[0] == "2" && $0[2] == maskedText(kk) })
        #expect(try fixture.fingerprint() == before)

        let skipping = try fixture.importFile(changed, name: "changed.csv", ["--on-existing", "skip"])
        #expect(skipping.status == 0, "\(skipping.stderr)")
        #expect(CLIImportFixture.summary(skipping).contains("0 new, 0 updated, 0 unchanged, 6 skipped, 0 rejected"), "\(skipping.stderr)")
        #expect(try fixture.fingerprint() == before)

        let updating = try fixture.importFile(changed, name: "changed.csv", ["--on-existing", "update"])
        #expect(updating.status == 0, "\(updating.stderr)")
        #expect(CLIImportFixture.summary(updating).contains("0 new, 1 updated, 5 unchanged, 0 skipped, 0 rejected"), "\(updating.stderr)")
        let household = try HouseholdJSON.decode(try fixture.run(["get", "--kk", kk, "--json"]).stdoutBytes)
        #expect(household.alamat == "Jl. Baru No. 9")
    }

    @Test func aRowMatchingTwoHouseholdsIsAnError() throws {
        let fixture = try CLIImportFixture()
        let ids = fixture.stored.householdIDs
        // Household 1's rows carrying household 2's KK: id says 1, KK says 2.
        var file = fixture.stored.keeping([ids[0]])
        let otherKK = fixture.stored[fixture.stored.rows(ofHousehold: ids[1])[0], "nomor_kk"]
        let first = try HouseholdJSON.decode(try fixture.run(["get", "--id", "1", "--json"]).stdoutBytes)
        #expect(first.nomorKK.text == file[0, "nomor_kk"], "the store gave household 1 id 1")
        file.setHousehold(ids[0], "nomor_kk", otherKK)
        let before = try fixture.fingerprint()
        let result = try fixture.importFile(file, name: "ambiguous.csv", ["--match-by", "id"])
        #expect(result.status == 3, "\(result.stderr)")
        let issue = try #require(try fixture.report("ambiguous.csv").rows.first { $0[3] == "import.ambiguous" })
        #expect(issue[0] == "2" && issue[1] == "nomor_kk" && issue[2] == maskedText(otherKK))
        #expect(issue[4].contains("household 1 by id and household 2 by KK"), "\(issue[4])")
        #expect(try fixture.fingerprint() == before)
    }

    @Test func keepInvalidNIKThenFindByNIKStatus() throws {
        let fixture = try CLIImportFixture()
        var file = fixture.fresh
        let ids = file.householdIDs
        let invalidRow = file.rows(ofHousehold: ids[0])[0], missingRow = file.rows(ofHousehold: ids[1])[0]
        file[invalidRow, "anggota.nik"] = "3.21601E+15"
        file[missingRow, "anggota.nik"] = ""
        let strict = try fixture.importFile(file, name: "legacy.csv")
        #expect(strict.status == 3, "without --keep-invalid-nik both are refused")
        #expect(try fixture.report("legacy.csv").rows.map { $0[3] }.sorted() == ["nik.missing", "nik.spreadsheetMangled"])

        let kept = try fixture.importFile(file, name: "legacy.csv", ["--keep-invalid-nik"])
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(CLIImportFixture.summary(kept).contains("6 new") && kept.stderr.contains("2 members with a flagged NIK"), "\(kept.stderr)")
        for (status, row) in [("invalid", invalidRow), ("missing", missingRow)] {
            let found = try fixture.run(["find", "--nik-status", status, "--json"])
            #expect(found.status == 0, "\(found.stderr)")
            let households = try found.lines.map { try HouseholdJSON.decode(Array($0.utf8)) }
            #expect(households.map(\.nomorKK.text) == [file[row, "nomor_kk"]], "--nik-status \(status)")
        }
        let check = try fixture.run(["check"])
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test func importingTheSameFileTwiceChangesNothing() throws {
        let fixture = try CLIImportFixture()
        let first = try fixture.importFile(fixture.fresh, name: "fresh.csv")
        #expect(CLIImportFixture.summary(first).contains("6 households read: 6 new, 0 updated, 0 unchanged, 0 skipped, 0 rejected"), "\(first.stderr)")
        let after = try fixture.fingerprint()
        let second = try fixture.importFile(fixture.fresh, name: "fresh.csv")
        #expect(second.status == 0)
        #expect(CLIImportFixture.summary(second).contains("6 households read: 0 new, 0 updated, 6 unchanged, 0 skipped, 0 rejected"), "\(second.stderr)")
        #expect(try fixture.fingerprint() == after, "not even a timestamp changes")
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.sub("fresh.csv.issues.csv")), "no issues, no report")
    }

    @Test(arguments: [
        ("semicolon", CSVDelimiter.semicolon, CSVWriter.LineEnding.lf, false),
        ("bom-crlf", .comma, .crlf, true),
        ("all-three", .semicolon, .crlf, true),
    ])
    func spreadsheetDialectsImportTheSame(name: String, delimiter: CSVDelimiter, lineEnding: CSVWriter.LineEnding, bom: Bool) throws {
        let fixture = try CLIImportFixture()
        let plain = fixture.directory.sub("plain.csv"), dialect = fixture.directory.sub("\(name).csv")
        try fixture.fresh.write(to: plain)
        try fixture.fresh.write(to: dialect, delimiter: delimiter, lineEnding: lineEnding, byteOrderMark: bom)
        let reference = fixture.directory.sub("reference")
        let viaPlain = try CLITests.run(["import", plain], store: reference, in: fixture.directory)
        #expect(viaPlain.status == 0, "\(viaPlain.stderr)")
        let viaDialect = try fixture.run(["import", dialect])
        #expect(viaDialect.status == 0, "\(viaDialect.stderr)")
        #expect(CLIImportFixture.summary(viaDialect).contains("6 new"))
        let query = ["--wilayah", "32.16"]
        let ours = try fixture.run(["export", "--format", "jsonl", "--out", "-"] + query)
        let theirs = try CLITests.run(["export", "--format", "jsonl", "--out", "-"] + query, store: reference, in: fixture.directory)
        let fresh = Set(fixture.fresh.rows.map { $0[fixture.fresh.column("nomor_kk")] })
        func content(_ text: String) throws -> [String: Household] {
            var households: [String: Household] = [:]
            for line in text.split(separator: "\n") {
                let household = try HouseholdJSON.decode(Array(line.utf8))
                if fresh.contains(household.nomorKK.text) { households[household.nomorKK.text] = household.content }
            }
            return households
        }
        let imported = try content(ours.stdout)
        #expect(imported.count == 6)
        #expect(imported == (try content(theirs.stdout)), "the \(name) file reads as the plain one")
    }

    @Test func windows1252IsAClearErrorAndConvertsWhenAsked() throws {
        let fixture = try CLIImportFixture()
        var file = fixture.fresh
        file[0, "anggota.nama"] = "JOSÉ"
        let utf8Path = fixture.directory.sub("utf8.csv")
        try file.write(to: utf8Path)
        // The same file as old Excel saves it: É as the single byte 0xC9.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: utf8Path)))
        let at = try #require(bytes.indices.first { bytes[$0] == 0xC3 && bytes[$0 + 1] == 0x89 })
        bytes.replaceSubrange(at...at + 1, with: [0xC9])
        let path = fixture.directory.sub("excel.csv")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let before = try fixture.fingerprint()

        let refused = try fixture.run(["import", path])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("csv.encoding") && refused.stderr.contains("line 2"), "\(refused.stderr)")
        #expect(refused.stderr.contains("anggota.nama") && refused.stderr.contains("Windows-1252"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--encoding windows-1252"), "the hint names the option")
        #expect(try fixture.fingerprint() == before)

        let converted = try fixture.run(["import", path, "--encoding", "windows-1252"])
        #expect(converted.status == 0, "\(converted.stderr)")
        let household = try HouseholdJSON.decode(try fixture.run(["get", "--kk", file[0, "nomor_kk"], "--json"]).stdoutBytes)
        #expect(household.members.contains { $0.name == "JOSÉ" })
    }

    @Test func aZstdToolCompressedFileImports() throws {
        let fixture = try CLIImportFixture()
        let zstd = try #require(CLIExportMatchTests.zstdTool, "tools/setup.sh installs zstd")
        let path = fixture.directory.sub("fresh.csv")
        try fixture.fresh.write(to: path)
        let compress = try CLIExportMatchTests.runTool(zstd, ["-q", "-19", path, "-o", path + ".zst"])
        #expect(compress == 0)
        let result = try fixture.run(["import", path + ".zst"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(CLIImportFixture.summary(result).contains("6 new"))
    }

    @Test func aHeaderTheMappingCannotReadIsReportedAndAMappingFileReadsIt() throws {
        let fixture = try CLIImportFixture()
        var file = fixture.fresh
        file.header[file.column("anggota.nama")] = "NAMA LENGKAP"
        file.header[file.column("anggota.nik")] = "NIK"
        let before = try fixture.fingerprint()
        let refused = try fixture.importFile(file, name: "siks.csv")
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("does not match the column mapping"), "\(refused.stderr)")
        let report = try fixture.report("siks.csv")
        #expect(report.rows.contains { $0[0] == "1" && $0[1] == "NAMA LENGKAP" && $0[3] == "row.unmappedColumn" }, "\(report.rows)")
        #expect(report.rows.contains { $0[0] == "1" && $0[1] == "anggota.nama" && $0[3] == "row.mappingInvalid" }, "\(report.rows)")
        #expect(try fixture.fingerprint() == before)

        let mapping = fixture.directory.sub("siks.json")
        try #"{"columns": {"NAMA LENGKAP": "anggota.nama", "NIK": "anggota.nik"}, "lumbung_names": true}"#
            .write(toFile: mapping, atomically: true, encoding: .utf8)
        let mapped = try fixture.run(["import", fixture.directory.sub("siks.csv"), "--mapping", mapping])
        #expect(mapped.status == 0, "\(mapped.stderr)")
        #expect(CLIImportFixture.summary(mapped).contains("6 households read: 6 new"), "\(mapped.stderr)")
    }
}
