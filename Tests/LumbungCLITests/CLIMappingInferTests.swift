import Foundation
import Lumbung
import LumbungIO
import Testing

/// `lumbung mapping infer` through the real binary: the proposal for a foreign register is
/// refused until its blanks are filled, and once they are, `import --mapping` loads the file.
@Suite("CLI mapping infer")
struct CLIMappingInferTests {
    /// The example's register (BOM, `;`, CRLF), compressed, with two more households whose
    /// relation codes are BPS 4, 5, 7 and 9 and whose birth dates are as in the rest.
    static func register(in example: CLIMappingTests.Example) throws -> String {
        let extra = [
            "7;3216010505100001;Kp. Cibarusah;3;aktif;3216010101600007;Ahmad Yani;L;01-01-1960;1;SD;0;Ya",
            "8;3216010505100001;Kp. Cibarusah;3;aktif;3216014202850008;Nur Aini;P;02-02-1985;4;SMP;0;Ya",
            "9;3216010505100001;Kp. Cibarusah;3;aktif;3216010303100009;Rudi;L;03-03-2010;5;SD;0;Ya",
            "10;3216010505100001;Kp. Cibarusah;3;aktif;3216010404700010;Karta;L;04-04-1970;7;SD;0;Ya",
            "11;3216010505100001;Kp. Cibarusah;3;aktif;3216014505800011;Iyah;P;05-05-1980;9;SD;0;Ya",
        ]
        let plain = try example.write(example.lines + extra, name: "register.csv")
        let compressed = example.directory.sub("register.csv.zst")
        let sink = try ByteSink(path: compressed)
        try sink.write(try Data(contentsOf: URL(fileURLWithPath: plain)))
        try sink.close()
        return compressed
    }

    /// Fills the blanks of the mapping at `path` into `output`.
    func fill(_ path: String, to output: String, answers: [String: String], constants: [String: String]) throws {
        let json = try Data(contentsOf: URL(fileURLWithPath: path))
        try fillMappingBlanks(json, answers: answers, constants: constants).write(to: URL(fileURLWithPath: output))
    }

    func infer(_ arguments: [String], in example: CLIMappingTests.Example) throws -> CLITests.Result {
        try CLITests.run(["mapping", "infer"] + arguments, store: nil, in: example.directory)
    }

    @Test func anInferredMappingFilledInImportsTheForeignRegister() throws {
        let example = try CLIMappingTests.Example()
        let csv = try Self.register(in: example)
        let proposed = example.directory.sub("proposed.json")
        let inferred = try infer([csv, "--out", proposed], in: example)
        #expect(inferred.status == 0, "\(inferred.stderr)")
        #expect(inferred.stdout.isEmpty, "the mapping goes to --out")
        #expect(inferred.stderr.contains("read 11 rows: 10 of 13 columns mapped, 3 ignored (NO, DISABILITAS, PUNYA_KIP)"), "\(inferred.stderr)")
        #expect(inferred.stderr.contains("7 values to fill in: STATUS_DTKS 2, HUB_KK 1, PENDIDIKAN 3, kode_wilayah (constant)"), "\(inferred.stderr)")
        #expect(inferred.stderr.contains("date format: TGL_LAHIR DD-MM-YYYY"), "\(inferred.stderr)")

        // Standard output, without --out, carries the same mapping.
        let toStdout = try infer([csv], in: example)
        #expect(toStdout.stdout == (try String(contentsOfFile: proposed, encoding: .utf8)))

        // As written, the mapping is refused, naming the first blank's JSON path; nothing is read.
        let refused = try example.run(["import", csv, "--mapping", proposed])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains(#"[row.mappingInvalid] columns[3].fill_in["aktif"] '': fill in the Lumbung value"#), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: example.store))

        // Filled in as the operator would, it imports the file.
        let filled = example.directory.sub("filled.json")
        try fill(proposed, to: filled, answers: [
            "aktif": "ditetapkan", "nonaktif-mampu": "tidak_layak:mampu", "Istri": "istri_suami",
            "S1": "sarjana", "D3": "diploma", "SLTA": "sma",
        ], constants: ["kode_wilayah": "32.16.01.2001"])
        let imported = try example.run(["import", csv, "--mapping", filled])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(CLIImportFixture.summary(imported).contains("4 households read: 4 new, 0 updated, 0 unchanged, 0 skipped, 0 rejected"), "\(imported.stderr)")

        let budi = try example.household(kk: "3216011503150001")
        #expect(budi.status == .ditetapkan && budi.wilayah.plain == "3216012001" && budi.rt == 1 && budi.alamat == "Kp. Sagara")
        #expect(budi.members.map(\.relation) == [.kepalaKeluarga, .istriSuami, .anak])
        #expect(budi.members.map(\.education) == [.sarjana, .diploma, .sd])
        #expect(budi.members.map(\.birthDate?.description) == ["1990-01-23", "1992-05-15", "2015-03-02"])
        let joko = try example.household(kk: "3216012004180001")
        #expect(joko.status == .tidakLayak(.mampu) && joko.members.map(\.education) == [.sma, .smp])
        let dewi = try example.household(kk: "3216010107200001")
        #expect(dewi.status == .usulan && dewi.members.map(\.relation) == [.kepalaKeluarga])
        let ahmad = try example.household(kk: "3216010505100001")
        #expect(ahmad.members.map(\.relation) == [.kepalaKeluarga, .menantu, .cucu, .familiLain, .lainnya],
            "BPS codes, not Lumbung's own (whose 7 is mertua)")
        #expect(try example.run(["check"]).status == 0)
    }

    @Test func aMissingConstantIsNamedByItsPathAndBadInputExitsAsImportDoes() throws {
        let example = try CLIMappingTests.Example()
        let csv = try Self.register(in: example)
        let proposed = example.directory.sub("proposed.json")
        #expect(try infer([csv, "--out", proposed, "--rows", "3"], in: example).status == 0)
        let filled = example.directory.sub("filled.json")
        // The first three rows (one household) are all it read: its four blanks are filled, not the constant.
        try fill(proposed, to: filled, answers: ["aktif": "ditetapkan", "Istri": "istri_suami", "S1": "sarjana", "D3": "diploma"], constants: [:])
        let refused = try example.run(["import", csv, "--mapping", filled])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains(#"columns[10].constant '': kode_wilayah: is required, so it cannot be empty"#), "\(refused.stderr)")

        #expect(try infer([example.directory.sub("absent.csv")], in: example).status == 4)
        #expect(try infer([csv, "--rows", "0"], in: example).status == 2)
        let latin = example.directory.sub("latin.csv")
        try Data([0x4E, 0x41, 0x4D, 0x41, 0x0A, 0x4A, 0xF6, 0x72, 0x67, 0x0A]).write(to: URL(fileURLWithPath: latin))
        let unreadable = try infer([latin], in: example)
        #expect(unreadable.status == 3 && unreadable.stderr.contains("--encoding windows-1252"), "\(unreadable.stderr)")
        #expect(try infer([latin, "--encoding", "windows-1252"], in: example).status == 0)
    }
}
