import Foundation
import Lumbung
import LumbungTestSupport
import Testing

@testable import LumbungIO

/// Value maps, code lists, defaults, constants, date and yes/no formats in a column mapping, and
/// the checks a mapping file gets when it is loaded.
@Suite("Mapping values")
struct MappingValuesTests {
    // MARK: Translation against a simple model

    @Test func valueMapsCodeListsAndDefaultsTranslateAsTheModelSays() throws {
        var random = SeededRandom(seed: 13)
        let words = ["aktif", "Istri", "1", "2", "S1", "D3", "ya", "x", "kepala_keluarga", "anak", "Suami", "0"]
        for _ in 0..<300 {
            var values: [String: String] = [:]
            var list: [String: String] = [:]
            for word in words where Bool.random(using: &random) { values[word] = "v-" + word }
            for word in words where Bool.random(using: &random) { list[word] = "c-" + word }
            let defaultValue = Bool.random(using: &random) ? "d" : nil
            let column = ColumnMapping.Column(
                field: "atribut.x", values: values, codeList: list.isEmpty ? nil : "list", defaultValue: defaultValue)
            let translation = CellTranslation(column, field: .attribute("x"), codeLists: ["list": list])
            for _ in 0..<20 {
                let word = Int.random(in: 0...words.count, using: &random) == words.count ? "" : words.randomElement(using: &random)!
                let cell = [" ", "", "\t"].randomElement(using: &random)! + word + [" ", ""].randomElement(using: &random)!
                // The model: trim; empty takes the default; the column's values win over the list; else as written.
                let expected = word.isEmpty ? (defaultValue ?? "") : values[word] ?? list[word] ?? cell
                #expect(try translation.translate(cell).get() == expected, "cell '\(cell)' values \(values) list \(list)")
            }
        }
    }

    /// Case does not count: a cell written in another case finds its key, unless the keys that
    /// differ only in case map to different values; then only an exact spelling maps.
    @Test func valueMapsIgnoreCaseAsTheModelSays() throws {
        var random = SeededRandom(seed: 29)
        let words = ["Istri", "ISTRI", "istri", "Ya", "YA", "S1", "s1", "aktif", "Kepala Keluarga"]
        for _ in 0..<300 {
            var values: [String: String] = [:]
            for word in words where Bool.random(using: &random) { values[word] = ["a", "b", "v-" + word].randomElement(using: &random)! }
            let column = ColumnMapping.Column(field: "atribut.x", values: values)
            let translation = CellTranslation(column, field: .attribute("x"), codeLists: [:])
            for _ in 0..<20 {
                let word = words.randomElement(using: &random)!
                let cell = String(word.map { Bool.random(using: &random) ? Character($0.uppercased()) : Character($0.lowercased()) })
                // The model: as written; else every key equal but for case, if they agree.
                let folded = Set(values.filter { $0.key.lowercased() == cell.lowercased() }.map(\.value))
                let expected = values[cell] ?? (folded.count == 1 ? folded.first! : cell)
                #expect(try translation.translate(cell).get() == expected, "cell '\(cell)' values \(values)")
            }
        }
    }

    /// Dates written every supported way read back as the same day; the Excel serial is checked
    /// against Foundation's calendar (days since 1899-12-30 for dates after February 1900).
    @Test func dateFormatsReadEveryDayAsTheModelSays() throws {
        var random = SeededRandom(seed: 7)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let excelEpoch = calendar.date(from: DateComponents(year: 1899, month: 12, day: 30))!
        for _ in 0..<2000 {
            let date = CalendarDate(daysSinceEpoch: Int.random(in: -25_000...47_000, using: &random))
            let (d, m, y) = (date.day, date.month, date.year)
            let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
            let serial = calendar.dateComponents(
                [.day], from: excelEpoch, to: calendar.date(from: DateComponents(year: y, month: m, day: d))!
            ).day!
            let written: [(String, String)] = [
                ("YYYY-MM-DD", "\(y)-\(two(m))-\(two(d))"), ("DD-MM-YYYY", "\(two(d))-\(two(m))-\(y)"),
                ("DD-MM-YYYY", "\(d)-\(m)-\(y)"), ("DD/MM/YYYY", "\(two(d))/\(two(m))/\(y)"),
                ("YYYYMMDD", "\(y)\(two(m))\(two(d))"), ("excel", String(serial)), ("excel", "\(serial).25"),
            ]
            for (name, text) in written {
                let format = try #require(CellFormat(name: name))
                #expect(try format.read(text).get() == date.description, "\(name) '\(text)'")
            }
        }
        // Not in the format, or not on the calendar: refused with the value and the rule.
        let dayFirst = try #require(CellFormat(name: "DD-MM-YYYY"))
        for text in ["1990-01-23", "23/01/1990", "23-01-90", "23-1-1990x", "", "--"] {
            guard case .failure(let error) = dayFirst.read(text) else {
                Issue.record("'\(text)' read as DD-MM-YYYY")
                continue
            }
            #expect(error.code == .rowValueFormat && error.value == text && error.rule == "a date is written DD-MM-YYYY")
        }
        guard case .failure(let notADay) = dayFirst.read("31-02-1990") else {
            Issue.record("31-02-1990 read")
            return
        }
        #expect(notADay.code == .memberBirthDate && notADay.value == "31-02-1990" && notADay.rule.contains("calendar"))
        #expect(CellFormat(name: "excel")!.read("60").isFailure, "Excel's 1900-02-29 never was")
        #expect(try CellFormat(name: "excel")!.read("61").get() == "1900-03-01")
        #expect(try CellFormat(name: "excel")!.read("1").get() == "1900-01-01")
    }

    @Test func booleansReadAnyCaseAsTheModelSays() {
        var random = SeededRandom(seed: 3)
        let yes: Set = ["ya", "y", "yes", "1", "true"], no: Set = ["tidak", "t", "no", "n", "0", "false"]
        let candidates = Array(yes) + Array(no) + ["yess", "nope", "2", "tidakk", "benar", "", "truee", "f", "mungkin"]
        for _ in 0..<3000 {
            let word = candidates.randomElement(using: &random)!
            let cased = String(word.map { Bool.random(using: &random) ? Character($0.uppercased()) : $0 })
            let model: String? = yes.contains(word) ? "1" : no.contains(word) ? "0" : nil
            switch CellFormat.boolean.read(cased) {
            case .success(let value): #expect(value == model, "'\(cased)'")
            case .failure(let error):
                #expect(model == nil, "'\(cased)' refused")
                #expect(error.code == .rowValueFormat && error.value == cased && error.rule.contains("ya/tidak"))
            }
        }
    }

    // MARK: Loading a mapping file

    static func problem(_ json: String) -> LumbungError? {
        do {
            _ = try ColumnMapping(json: Data(json.utf8))
            return nil
        } catch {
            return error as? LumbungError
        }
    }

    @Test func aMappingErrorNamesItsJSONPathValueAndRule() throws {
        let typo = try #require(Self.problem(#"""
            {"columns": [{"header": "KK", "field": "nomor_kk"}, {"header": "NAMA", "field": "anggota.nama"},
                         {"header": "JK", "field": "anggota.jenis_kelamin"},
                         {"header": "STATUS", "field": "status", "values": {"aktif": "ditetapkn", "baru": "usulan"}}]}
            """#))
        #expect(typo.code == .rowMappingInvalid)
        #expect(typo.field == #"columns[3].values["aktif"]"#)
        #expect(typo.value == "ditetapkn")
        #expect(typo.rule.hasPrefix("status must be one of usulan, terverifikasi, ditetapkan, tidak_layak"), "\(typo.rule)")

        let cases: [(json: String, path: String, value: String?, rule: String)] = [
            (#"{"code_lists": {"hub": {"1": "kepala_keluarga", "2": "istri"}}, "columns": [{"header": "H", "field": "anggota.hubungan", "code_list": "hub"}]}"#,
             #"code_lists["hub"]["2"]"#, "istri", "must be one of kepala_keluarga"),
            (#"{"columns": [{"header": "H", "field": "anggota.hubungan", "code_list": "bps"}]}"#,
             "columns[0].code_list", "bps", "no code list has this name"),
            (#"{"columns": [{"header": "T", "field": "alamat", "format": "DD-MM-YYYY"}]}"#,
             "columns[0].format", "DD-MM-YYYY", "a date format reads into anggota.tanggal_lahir"),
            (#"{"columns": [{"header": "T", "field": "anggota.tanggal_lahir", "format": "MM/DD/YYYY"}]}"#,
             "columns[0].format", "MM/DD/YYYY", "a format is one of YYYY-MM-DD"),
            (#"{"columns": [{"field": "kode_wilayah", "constant": "32.16.99.2001"}]}"#,
             "columns[0].constant", "32.16.99.2001", "kode_wilayah:"),
            (#"{"columns": [{"header": "D", "field": "desil", "default": "11"}]}"#,
             "columns[0].default", "11", "desil is 1 to 10"),
            (#"{"columns": {"STATUS": {"field": "status", "values": {"x": "tidak_layak:kaya"}}}}"#,
             #"columns["STATUS"].values["x"]"#, "kaya", "needs a reason"),
            (#"{"columns": [{"header": "N", "field": "anggota.namanya"}]}"#,
             "columns[0].field", "anggota.namanya", "not a Lumbung field"),
            (#"{"columns": [{"header": "N", "field": "anggota.nama", "valeus": {}}]}"#,
             "columns[0].valeus", nil, "unknown key"),
            (#"{"colums": {}}"#, "colums", nil, "unknown key"),
            (#"{"columns": [{"header": "N", "field": "anggota.nama", "values": {"x": ""}}]}"#,
             #"columns[0].values["x"]"#, "", "required"),
            (#"{"columns": [{"header": "S", "field": "status", "values": {"x": 3}}]}"#,
             #"columns[0].values["x"]"#, "3", "status must be one of"),
            (#"{"columns": [{"header": "S", "field": "status", "constant": "usulan"}]}"#,
             "columns[0].constant", nil, "no header"),
        ]
        for (json, path, value, rule) in cases {
            let error = try #require(Self.problem(json), "accepted: \(json)")
            #expect(error.field == path, "\(json): \(error)")
            if let value { #expect(error.value == value, "\(json): \(error)") }
            #expect(error.rule.contains(rule), "\(json): \(error)")
            #expect(error.message.contains(path))
        }
        // Every problem is listed, not just the first.
        let two = try #require(Self.problem(#"{"columns": [{"header": "A", "field": "rt", "values": {"x": "a"}}, {"header": "B", "field": "rw", "values": {"y": "b"}}]}"#))
        #expect(two.field == #"columns[0].values["x"]"# && two.rule.contains(#"columns[1].values["y"]"#), "\(two)")
    }

    @Test func theOldMappingFormStillReadsAndTheNewFormsAgreeWithIt() throws {
        let old = try ColumnMapping(json: Data(#"{"columns": {"NIK": "anggota.nik", "NAMA": "anggota.nama"}, "group_by": "id", "ignore": ["NO"], "lumbung_names": true}"#.utf8))
        let array = try ColumnMapping(json: Data(#"{"columns": [{"header": "NIK", "field": "anggota.nik"}, {"header": "NAMA", "field": "anggota.nama"}], "group_by": "id", "ignore": ["NO"], "lumbung_names": true}"#.utf8))
        #expect(old == array)
        #expect(old.columns["NIK"]?.field == "anggota.nik" && old.groupBy == .id && old.ignore == ["NO"] && old.acceptsLumbungNames)
    }

    // MARK: Decoding a foreign file

    @Test func aForeignVocabularyDecodesThroughTheMapping() throws {
        let json = #"""
            {"code_lists": {"hub": {"1": "kepala_keluarga", "2": "istri_suami", "3": "anak"}},
             "columns": [
               {"header": "KK", "field": "nomor_kk"}, {"header": "NAMA", "field": "anggota.nama"},
               {"header": "NIK", "field": "anggota.nik"}, {"header": "JK", "field": "anggota.jenis_kelamin"},
               {"header": "STATUS", "field": "status", "values": {"aktif": "ditetapkan", "keluar": "tidak_layak:pindah"}},
               {"header": "HUB", "field": "anggota.hubungan", "code_list": "hub", "values": {"Istri": "istri_suami"}},
               {"header": "DIDIK", "field": "anggota.pendidikan", "values": {"S1": "sarjana", "D3": "diploma"}},
               {"header": "CACAT", "field": "anggota.disabilitas", "values": {"0": ""}},
               {"header": "TGL", "field": "anggota.tanggal_lahir", "format": "YYYYMMDD"},
               {"header": "KIP", "field": "atribut.kip", "format": "boolean"},
               {"header": "DESIL", "field": "desil", "default": "4"},
               {"field": "kode_wilayah", "constant": "32.16.01.2001"}]}
            """#
        let mapping = try ColumnMapping(json: Data(json.utf8))
        let header = ["KK", "NAMA", "NIK", "JK", "STATUS", "HUB", "DIDIK", "CACAT", "TGL", "KIP", "DESIL"]
        let rows: [(Int, [String])] = [
            (2, ["3216011503150001", "Budi", "3216012301900001", "L", "aktif", "1", "S1", "0", "19900123", "Ya", ""]),
            (3, ["3216011503150001", "Siti", "3216015505920002", "P", "aktif", "Istri", "D3", "1", "19920515", "Ya", ""]),
            (4, ["3216012004180001", "Joko", "3216011010750004", "L", "keluar", "1", "sd", "0", "19751010", "tidak", "2"]),
        ]
        let results = try FlatRowDecoder.decode(header: header, rows: rows, mapping: mapping)
        let households = try results.map { try $0.get() }
        #expect(households.count == 2)
        let budi = households[0]
        #expect(budi.status == .ditetapkan && budi.desil == 4 && budi.wilayah.plain == "3216012001")
        #expect(budi.members.map(\.relation) == [.kepalaKeluarga, .istriSuami])
        #expect(budi.members.map(\.education) == [.sarjana, .diploma])
        #expect(budi.members.map(\.disability) == [nil, .fisik])
        #expect(budi.members[0].birthDate?.description == "1990-01-23")
        #expect(budi.attributes["kip"] == .code(1))
        #expect(households[1].status == .tidakLayak(.pindah) && households[1].desil == 2 && households[1].attributes["kip"] == .code(0))
    }
}

extension Result {
    var isFailure: Bool { if case .failure = self { true } else { false } }
}
