import Foundation
import Lumbung
import LumbungIO
import Testing

/// The mappings shipped in `Mappings/`, through the real binary: each sample imports with its
/// mapping into the households its sources say; the Lumbung-layout mapping names exactly the flat
/// layout's headers and reads an export back to the same households; the BPS mapping's code lists
/// agree with what `mapping infer` proposes and are refused until their undecided codes are filled.
@Suite("Shipped mappings")
struct ShippedMappingTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Mappings").path

    /// A shipped file's JSON, as an object.
    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The column objects of a shipped mapping, with the header each reads.
    static func columns(_ name: String) throws -> [[String: Any]] {
        try #require(try json(name)["columns"] as? [[String: Any]])
    }

    static func column(_ name: String, header: String) throws -> [String: Any] {
        try #require(try columns(name).first { $0["header"] as? String == header }, "\(header) in \(name)")
    }

    /// A fresh directory with a store path, running the binary there.
    struct Place {
        let directory = TemporaryDirectory("lumbung-shipped-mapping")
        func store(_ name: String) -> String { directory.sub(name) }

        func run(_ arguments: [String], store: String) throws -> CLITests.Result {
            try CLITests.run(arguments, store: store, in: directory)
        }

        func household(kk: String, store: String) throws -> Household {
            let got = try run(["get", "--kk", kk, "--json"], store: store)
            try #require(got.status == 0, "\(got.stderr)")
            return try HouseholdJSON.decode(got.stdoutBytes)
        }

        /// Every stored household, without its id and timestamp, by Nomor KK.
        func contents(store: String) throws -> [String: Household] {
            let export = try run(["export", "--format", "jsonl", "--out", "-"], store: store)
            try #require(export.status == 0, "\(export.stderr)")
            var byKK: [String: Household] = [:]
            for line in export.stdout.split(separator: "\n") {
                let household = try HouseholdJSON.decode(Array(line.utf8)).content
                byKK[household.nomorKK.text] = household
            }
            return byKK
        }
    }

    // MARK: Lumbung's own layout

    /// The identity mapping is the flat layout's declaration, header for header, so a field added
    /// to the layout (or renamed) fails here until the shipped file follows.
    @Test func theLumbungLayoutMappingNamesExactlyTheFlatLayoutHeaders() throws {
        let tree = try Self.json("lumbung.mapping.json")
        let columns = try Self.columns("lumbung.mapping.json")
        let layout = (FlatField.householdFields + FlatField.memberFields).map(\.name)
        #expect(columns.map { $0["header"] as? String ?? "" } == layout)
        #expect(columns.map { $0["field"] as? String ?? "" } == layout, "every header maps to itself")
        #expect(columns.allSatisfy { Set($0.keys) == ["header", "field"] }, "a rename only, nothing translated")
        #expect(tree["group_by"] as? String == "nomor_kk" && tree["lumbung_names"] as? Bool == true)

        // It reads an export's header (attribute columns included) as Lumbung's own layout does.
        let mapping = try ColumnMapping(json: Data(contentsOf: URL(fileURLWithPath: Self.folder + "/lumbung.mapping.json")))
        let header = FlatRowEncoder(attributeCodes: ["punya_kip", "lantai"], memberAttributeCodes: ["kip"]).header
        let shipped = try mapping.resolve(header: header).get()
        let builtIn = try ColumnMapping.lumbungDefault.resolve(header: header).get()
        #expect(shipped == builtIn)
        #expect(shipped.count == header.count && !shipped.contains(nil))
    }

    /// The sample imports with the identity mapping; its export, imported into a second store with
    /// the same mapping, holds the same households.
    @Test func theLumbungSampleImportsAndItsExportReadsBackToTheSameHouseholds() throws {
        let place = Place()
        let mapping = Self.folder + "/lumbung.mapping.json"
        let first = place.store("first"), second = place.store("second")
        let imported = try place.run(["import", Self.folder + "/lumbung.csv", "--mapping", mapping], store: first)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(CLIImportFixture.summary(imported).contains("2 households read: 2 new, 0 updated, 0 unchanged, 0 skipped, 0 rejected"), "\(imported.stderr)")

        let budi = try place.household(kk: "3216011503150001", store: first)
        #expect(budi.status == .ditetapkan && budi.wilayah.plain == "3216012001" && budi.rt == 1 && budi.rw == 2 && budi.desil == 2)
        #expect(budi.programs == [.pkh, .bpnt] && budi.attributes["punya_kip"] == .code(1))
        #expect(budi.sourceID?.text == "DTKS-0001")
        #expect(budi.members.map(\.relation) == [.kepalaKeluarga, .istriSuami, .anak])
        #expect(budi.members.map(\.education) == [.sarjana, .diploma, .sd])
        #expect(budi.members.map(\.disability) == [nil, nil, .sensorik] && budi.members[0].occupation == "Petani")
        let joko = try place.household(kk: "3216012004180001", store: first)
        #expect(joko.status == .tidakLayak(.mampu) && joko.desil == 9 && joko.programs.isEmpty)
        #expect(joko.sourceID == nil, "an empty id_sumber cell is no source id")
        #expect(joko.members.map(\.relation) == [.kepalaKeluarga, .mertua])
        #expect(joko.members.map(\.maritalStatus) == [.ceraiMati, .ceraiMati] && joko.members[1].disability == .fisik)

        let csv = place.directory.sub("export.csv")
        let exported = try place.run(["export", "--format", "csv", "--out", csv], store: first)
        #expect(exported.status == 0, "\(exported.stderr)")
        let again = try place.run(["import", csv, "--mapping", mapping], store: second)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(CLIImportFixture.summary(again).contains("2 households read: 2 new"), "\(again.stderr)")
        let before = try place.contents(store: first), after = try place.contents(store: second)
        #expect(before.count == 2)
        #expect(after == before)
    }

    // MARK: BPS codes

    /// The answers an operator gives the shipped BPS mapping's `fill_in` blanks for the sample.
    static let bpsAnswers = ["6": "orang_tua", "8": "lainnya", "1": "tidak_sekolah"]

    /// The shipped BPS mapping with ``bpsAnswers`` filled in, written into `place`; its path.
    static func filledBPSMapping(in place: Place) throws -> String {
        let filled = place.directory.sub("bps.mapping.json")
        let shipped = try Data(contentsOf: URL(fileURLWithPath: folder + "/bps-susenas.mapping.json"))
        try fillMappingBlanks(shipped, answers: bpsAnswers, constants: [:]).write(to: URL(fileURLWithPath: filled))
        return filled
    }

    /// As shipped, the BPS mapping is refused, naming its first undecided code; nothing is read.
    @Test func theBPSMappingIsRefusedUntilItsUndecidedCodesAreFilledIn() throws {
        let place = Place()
        let store = place.store("store")
        let refused = try place.run(
            ["import", Self.folder + "/bps-susenas.csv", "--mapping", Self.folder + "/bps-susenas.mapping.json"], store: store)
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains(#"[row.mappingInvalid] columns[7].fill_in["6"] '': fill in the Lumbung value"#), "\(refused.stderr)")
        #expect(refused.stderr.contains(#"columns[7].fill_in["8"]"#) && refused.stderr.contains(#"columns[9].fill_in["1"]"#), "\(refused.stderr)")
        #expect(!refused.stderr.contains("households read"))
        #expect(!FileManager.default.fileExists(atPath: store))
    }

    /// Filled in, the BPS mapping imports the sample into the households its sources describe
    /// (Mappings/SOURCES.md: SUSENAS relation codes, marital status, SUPAS 2015 ijazah, cacat).
    @Test func theBPSSampleImportsWithItsShippedMappingFilledIn() throws {
        let place = Place()
        let store = place.store("store")
        let filled = try Self.filledBPSMapping(in: place)

        let imported = try place.run(["import", Self.folder + "/bps-susenas.csv", "--mapping", filled], store: store)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(CLIImportFixture.summary(imported).contains("3 households read: 3 new, 0 updated, 0 unchanged, 0 skipped, 0 rejected"), "\(imported.stderr)")

        let budi = try place.household(kk: "3216011503150001", store: store)
        #expect(budi.wilayah.plain == "3216012001" && budi.alamat == "Kp. Sagara" && budi.status == .usulan)
        #expect(budi.members.map(\.relation) == [.kepalaKeluarga, .istriSuami, .anak, .orangTua])
        #expect(budi.members.map(\.sex) == [.male, .female, .male, .male])
        #expect(budi.members.map(\.birthDate?.description) == ["1990-01-23", "1992-05-15", "2015-03-02", "1950-04-04"])
        #expect(budi.members.map(\.maritalStatus) == [.kawin, .kawin, .belumKawin, .ceraiMati])
        #expect(budi.members.map(\.education) == [.sarjana, .diploma, .sd, .tidakSekolah])
        #expect(budi.members.map(\.disability) == [nil, nil, .sensorik, .fisik])

        let joko = try place.household(kk: "3216012004180001", store: store)
        #expect(joko.members.map(\.relation) == [.kepalaKeluarga, .menantu, .cucu, .lainnya, .familiLain],
                "BPS 7 is famili lain, not Lumbung's code 7 (mertua)")
        #expect(joko.members.map(\.maritalStatus) == [.ceraiHidup, .kawin, .belumKawin, .belumKawin, .belumKawin])
        #expect(joko.members.map(\.education) == [.sma, .sma, nil, .smp, .pascasarjana])
        #expect(joko.members.map(\.disability) == [nil, nil, .intelektual, nil, .ganda])

        let dewi = try place.household(kk: "3216010107200001", store: store)
        #expect(dewi.members.map(\.relation) == [.kepalaKeluarga, .lainnya] && dewi.members.map(\.sex) == [.female, .male])
        #expect(dewi.members.map(\.education) == [.diploma, .sd] && dewi.members.map(\.disability) == [.sensorik, .sensorik])
        #expect(try place.run(["check"], store: store).status == 0)
    }

    /// A CACAT code past the verified list is refused by the import, not read as Lumbung's own code.
    @Test func aBPSCodeLeftOutOfTheListIsRefusedNotGuessed() throws {
        let place = Place()
        let store = place.store("store")
        let filled = try Self.filledBPSMapping(in: place)
        var lines = try String(contentsOfFile: Self.folder + "/bps-susenas.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = lines[1].replacingOccurrences(of: ",8,0", with: ",8,9")  // Budi: CACAT 9
        let csv = place.directory.sub("bps.csv")
        try (lines.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let result = try place.run(["import", csv, "--mapping", filled, "--skip-invalid"], store: store)
        #expect(CLIImportFixture.summary(result).contains("3 households read: 2 new, 0 updated, 0 unchanged, 0 skipped, 1 rejected"), "\(result.stderr)")
        let report = try FlatFile.read(csv + ".issues.csv")
        #expect(report.rows.contains { $0[0] == "2" && $0[1] == "CACAT" && $0[2] == "9" && $0[3] == "member.invalid" }, "\(report.rows)")
    }

    /// The BPS relation and marital codes are the ones `mapping infer` proposes
    /// (`ForeignVocabulary`), and the relation codes it leaves to the operator are the shipped
    /// mapping's blanks: one knowledge, checked in both places.
    @Test func theBPSCodeListsAgreeWithWhatMappingInferProposes() throws {
        let lists = try #require(try Self.json("bps-susenas.mapping.json")["code_lists"] as? [String: [String: String]])
        let relation = try Self.column("bps-susenas.mapping.json", header: "HUB_KRT")
        #expect(lists[relation["code_list"] as? String ?? ""] == ForeignVocabulary.bpsRelationCodes)
        #expect((relation["fill_in"] as? [String: String]).map { Set($0.keys) } == Set(ForeignVocabulary.bpsRelationNotes.keys))
        let marital = try Self.column("bps-susenas.mapping.json", header: "STA_KAWIN")
        #expect(lists[marital["code_list"] as? String ?? ""] == ForeignVocabulary.bpsMaritalCodes)

        // The register example (Examples/Mapping) uses the same BPS relation codes.
        let example = try Data(contentsOf: URL(fileURLWithPath: CLIMappingTests.examples + "/register-lama.mapping.json"))
        let exampleLists = try #require((try JSONSerialization.jsonObject(with: example) as? [String: Any])?["code_lists"] as? [String: [String: String]])
        #expect(exampleLists["hubungan_bps"] == ForeignVocabulary.bpsRelationCodes)
    }

    /// Every code-list target is a Lumbung name (or `""`), never a number: the loader would accept
    /// a number as Lumbung's own code, and Lumbung's numbering is not BPS's.
    @Test func everyBPSTargetIsALumbungName() throws {
        let lists = try #require(try Self.json("bps-susenas.mapping.json")["code_lists"] as? [String: [String: String]])
        let names: [String: [String]] = [
            "anggota.hubungan": Relation.names, "anggota.status_kawin": MaritalStatus.names,
            "anggota.pendidikan": Education.names + [""], "anggota.disabilitas": Disability.names + [""],
            "anggota.jenis_kelamin": Sex.allCases.map(\.letter),
        ]
        var checked = 0
        for column in try Self.columns("bps-susenas.mapping.json") {
            guard let list = column["code_list"] as? String, let field = column["field"] as? String else { continue }
            let allowed = try #require(names[field], "\(field)")
            for (code, target) in try #require(lists[list]) {
                #expect(allowed.contains(target), "\(list)[\(code)] → '\(target)' is not a \(field) name")
                checked += 1
            }
        }
        #expect(checked == lists.values.map(\.count).reduce(0, +), "every list is used by a column")
    }
}
