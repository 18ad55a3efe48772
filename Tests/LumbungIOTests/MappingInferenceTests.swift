import Foundation
import Lumbung
import LumbungTestSupport
import Testing

@testable import LumbungIO

/// `mapping infer`'s parts: the header spellings table, date format detection, the proposal for
/// a foreign file, the loader refusing it until the blanks are filled, and the bounded sample.
@Suite("Mapping inference")
struct MappingInferenceTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Examples/Mapping/register-lama.csv").path

    // MARK: Header spellings

    /// Every spelling in the table, and every Lumbung field name, written with any case and any
    /// spaces, underscores, dots or hyphens, places its field; a header in no spelling places none.
    @Test func everySpellingPlacesItsFieldHoweverItIsWritten() throws {
        var random = SeededRandom(seed: 21)
        var expected: [(String, FlatField)] = ForeignVocabulary.headerSpellings.flatMap { row in row.spellings.map { ($0, row.field) } }
        expected += (FlatField.householdFields + FlatField.memberFields).map { ($0.name, $0) }
        #expect(expected.contains { $0.0 == "NO_KK" && $0.1 == .nomorKK } && expected.contains { $0.0 == "SHDK" && $0.1 == .memberHubungan })
        for spelling in ["ID_DTKS", "IDSEN", "ID_BDT", "IDBDT", "ID_KELUARGA", "id_sumber"] {
            #expect(expected.contains { $0.0 == spelling && $0.1 == .sourceID }, "\(spelling) is a source id")
        }
        for (spelling, field) in expected {
            for _ in 0..<20 {
                var written = ""
                for character in spelling {
                    let letter = Bool.random(using: &random) ? character.uppercased() : character.lowercased()
                    if character == "_" || character == "." {
                        written += ["_", " ", "", "-", "."].randomElement(using: &random)!
                    } else {
                        written += letter
                    }
                }
                let padded = [" ", ""].randomElement(using: &random)! + written + ["\t", ""].randomElement(using: &random)!
                #expect(ForeignVocabulary.field(forHeader: padded) == field, "'\(padded)' (from \(spelling))")
            }
        }
        // One key, one field: no spelling is claimed by two fields.
        var claimed: [String: FlatField] = [:]
        for (spelling, field) in expected {
            let key = ForeignVocabulary.headerKey(spelling)
            #expect(claimed[key, default: field] == field, "\(spelling) is claimed by \(field) and \(claimed[key]!)")
            claimed[key] = field
        }
        for header in ["NO", "KETERANGAN", "PUNYA_KIP", "NAMA_IBU", "", "atribut.", "anggota.atribut.x y"] {
            #expect(ForeignVocabulary.field(forHeader: header) == nil, "'\(header)'")
        }
        #expect(ForeignVocabulary.field(forHeader: "atribut.lantai") == .attribute("lantai"))
        #expect(ForeignVocabulary.field(forHeader: "anggota.atribut.kip") == .memberAttribute("kip"))
    }

    /// The BPS codes proposed are values the core reads, for the field they are proposed for.
    @Test func everyProposedBPSCodeIsALumbungValue() {
        for (field, codes) in [(FlatField.memberHubungan, ForeignVocabulary.bpsRelationCodes), (.memberStatusKawin, ForeignVocabulary.bpsMaritalCodes)] {
            for (code, target) in codes {
                #expect(field.problem(inCell: target) == nil, "\(field) \(code) → \(target)")
            }
        }
        #expect(Relation(name: ForeignVocabulary.bpsRelationCodes["7"]!) == .familiLain)
        #expect(Set(ForeignVocabulary.bpsRelationCodes.keys).isDisjoint(with: ForeignVocabulary.bpsRelationNotes.keys))
    }

    // MARK: Date formats

    /// A sample written in one format, with some cells no format reads, is detected as that
    /// format, and the unread cells are counted (the model: the format the test wrote).
    @Test func dateDetectionFindsTheFormatTheSampleWasWrittenIn() throws {
        var random = SeededRandom(seed: 5)
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        for _ in 0..<300 {
            let name = ["YYYY-MM-DD", "DD-MM-YYYY", "DD/MM/YYYY", "YYYYMMDD", "excel"].randomElement(using: &random)!
            var detection = DateFormatDetection()
            let count = Int.random(in: 1...40, using: &random)
            var garbage = 0
            for _ in 0..<count {
                if Int.random(in: 0..<5, using: &random) == 0 {
                    let junk = ["", "  ", "kosong", "-", "00-00-0000", "31/31/1990"].randomElement(using: &random)!
                    if !junk.trimmingCharacters(in: .whitespaces).isEmpty { garbage += 1 }
                    detection.add(junk)
                    continue
                }
                // 1900-03-01 … 2030: every format can write these days.
                let date = CalendarDate(daysSinceEpoch: Int.random(in: -25_508...22_000, using: &random))
                let (d, m, y) = (date.day, date.month, date.year)
                let cell = switch name {
                case "YYYY-MM-DD": "\(y)-\(two(m))-\(two(d))"
                case "DD-MM-YYYY": Bool.random(using: &random) ? "\(two(d))-\(two(m))-\(y)" : "\(d)-\(m)-\(y)"
                case "DD/MM/YYYY": "\(two(d))/\(two(m))/\(y)"
                case "YYYYMMDD": "\(y)\(two(m))\(two(d))"
                default: String(date.daysSinceEpoch + 25_569)
                }
                detection.add(" " + cell)
            }
            if detection.cells == garbage {
                #expect(detection.best == nil || detection.unread < detection.cells)
                continue
            }
            #expect(detection.best?.description == name, "\(name): reads \(detection.reads)")
            #expect(detection.unread == garbage, "\(name): \(garbage) bad cells, \(detection.unread) unread")
        }
    }

    // MARK: The proposal

    /// The shipped example, in its own vocabulary: headers placed, BPS relation codes proposed,
    /// values Lumbung reads left alone, the rest to fill in, the date format, the ignored headers
    /// and the missing kode wilayah.
    @Test func theExampleGetsAProposalWithItsBlanksListed() throws {
        let proposal = try MappingInference.propose(path: Self.example)
        #expect(proposal.rowsRead == 6)
        #expect(proposal.columns.map(\.header) == ["NO_KK", "ALAMAT", "RT", "STATUS_DTKS", "NIK", "NAMA", "JK", "TGL_LAHIR", "HUB_KK", "PENDIDIKAN"])
        #expect(proposal.ignored == ["NO", "DISABILITAS", "PUNYA_KIP"])
        let byHeader = Dictionary(uniqueKeysWithValues: proposal.columns.map { ($0.header, $0) })
        #expect(byHeader["STATUS_DTKS"]?.fillIn == ["aktif", "nonaktif-mampu"])
        #expect(byHeader["STATUS_DTKS"]?.seen == ["aktif": 3, "nonaktif-mampu": 2])
        #expect(byHeader["HUB_KK"]?.values == ["1": "kepala_keluarga", "2": "istri_suami", "3": "anak"])
        #expect(byHeader["HUB_KK"]?.fillIn == ["Istri"], "'Kepala Keluarga' reads as it is")
        #expect(byHeader["PENDIDIKAN"]?.fillIn == ["D3", "S1", "SLTA"], "SD, SMP and SMA read as they are")
        #expect(byHeader["JK"]?.fillIn == [] && byHeader["JK"]?.seen == ["L": 3, "P": 3])
        #expect(byHeader["TGL_LAHIR"]?.format?.description == "DD-MM-YYYY")
        #expect(proposal.missing == [.kodeWilayah])
        #expect(proposal.blanks == 7)
        #expect(proposal.notes.contains { $0.hasPrefix("PUNYA_KIP: no Lumbung field matches") })
        #expect(proposal.summary.contains("10 of 13 columns mapped, 3 ignored (NO, DISABILITAS, PUNYA_KIP)"), "\(proposal.summary)")
        #expect(proposal.summary.contains("7 values to fill in: STATUS_DTKS 2, HUB_KK 1, PENDIDIKAN 3, kode_wilayah (constant)"), "\(proposal.summary)")
    }

    /// The proposal as written is refused by the loader, naming the first blank's JSON path; with
    /// every blank filled it loads, and its value maps read the file's cells.
    @Test func theUnfilledProposalIsRefusedAndTheFilledOneLoads() throws {
        let proposal = try MappingInference.propose(path: Self.example)
        let text = String(decoding: proposal.mappingFile, as: UTF8.self)
        #expect(text.hasPrefix("{\n") && text.contains(#""fill_in""#))
        let refused = #expect(throws: LumbungError.self) { try ColumnMapping(json: Data(proposal.mappingFile)) }
        #expect(refused?.code == .rowMappingInvalid)
        #expect(refused?.field == #"columns[3].fill_in["aktif"]"#, "\(String(describing: refused))")
        #expect(refused?.rule.contains("fill in the Lumbung value") == true && refused?.rule.contains("status must be one of usulan") == true)
        #expect(refused?.rule.contains("columns[10].constant") == true, "the missing kode wilayah is named too: \(String(describing: refused))")

        let filled = try fillMappingBlanks(Data(proposal.mappingFile), answers: [
            "aktif": "ditetapkan", "nonaktif-mampu": "tidak_layak:mampu", "Istri": "istri_suami",
            "S1": "sarjana", "D3": "diploma", "SLTA": "sma",
        ], constants: ["kode_wilayah": "32.16.01.2001"])
        let mapping = try ColumnMapping(json: filled)
        #expect(mapping.columns["HUB_KK"]?.values == ["1": "kepala_keluarga", "2": "istri_suami", "3": "anak", "Istri": "istri_suami"])
        #expect(mapping.columns["STATUS_DTKS"]?.values["nonaktif-mampu"] == "tidak_layak:mampu")
        #expect(mapping.constants == ["kode_wilayah": "32.16.01.2001"])
        #expect(mapping.ignore == ["NO", "DISABILITAS", "PUNYA_KIP"])

        // A wrong fill-in is checked like a value map's target, at its own path.
        let wrong = try fillMappingBlanks(Data(proposal.mappingFile), answers: ["aktif": "aktif"], constants: [:])
        let error = #expect(throws: LumbungError.self) { try ColumnMapping(json: wrong) }
        #expect(error?.field == #"columns[3].fill_in["aktif"]"# && error?.value == "aktif" && error?.rule.hasPrefix("status must be one of") == true)
    }

    // MARK: Bounded sample

    /// Only the first N rows are read: a value first seen after them is not listed, and the
    /// counts add up to N.
    @Test func onlyTheFirstRowsAreRead() throws {
        let directory = TemporaryDirectory("lumbung-infer")
        let path = directory.sub("long.csv")
        var lines = ["NOKK,Nama ART,jns_kel,HUB_KRT,Tanggal Lahir,kddesa"]
        for index in 1...200 {
            let relation = index > 150 ? "Sepupu" : String(index % 3 + 1)
            lines.append("32160115031500\(String(format: "%02d", index % 100)),Warga \(index),\(index % 2 == 0 ? "L" : "P"),\(relation),19900123,3216012001")
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        for (rows, expectSepupu) in [(150, false), (151, true), (1, false), (10_000, true)] {
            let proposal = try MappingInference.propose(path: path, rows: rows)
            #expect(proposal.rowsRead == min(rows, 200))
            let relation = try #require(proposal.columns.first { $0.field == .memberHubungan })
            #expect(relation.fillIn.contains("Sepupu") == expectSepupu, "rows \(rows)")
            #expect(relation.seen.values.reduce(0, +) == min(rows, 200))
            #expect(proposal.columns.first { $0.field == .memberTanggalLahir }?.format?.description == "YYYYMMDD")
            #expect(proposal.missing.isEmpty && proposal.ignored.isEmpty)
        }
    }

    /// A column with more distinct values than are kept lists the first ones and says so.
    @Test func distinctValuesAreBounded() throws {
        let directory = TemporaryDirectory("lumbung-infer")
        let path = directory.sub("many.csv.zst")
        let sink = try ByteSink(path: path)
        try sink.write("NO_KK;STATUS\r\n")
        let count = MappingInference.maxDistinctValues + 50
        for index in 0..<count { try sink.write("3216011503150001;s\(index)\r\n") }
        try sink.close()
        let proposal = try MappingInference.propose(path: path)
        #expect(proposal.rowsRead == count)
        #expect(proposal.columns.first { $0.field == .status }?.fillIn.count == MappingInference.maxDistinctValues)
        #expect(proposal.notes.contains { $0.hasPrefix("STATUS: more than \(MappingInference.maxDistinctValues) distinct values") })
    }
}
