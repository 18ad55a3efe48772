import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung
@testable import LumbungIO

/// The CSV fast path (records as bytes, ``FlatByteDecoder``) against the text path
/// (``CSVReader/next()``, ``FlatHouseholdDecoder``): for exported households, clean and with bad
/// cells, both give the same households and the same issues, line for line.
@Suite struct FlatByteDecoderTests {
    /// What reading a file gives: each household or its issues, after the file-wide checks.
    struct Outcome {
        var results: [Result<Household, RowIssues>] = []
        /// Groups the fast path decoded itself (the byte path only).
        var quick = 0
    }

    /// Reads `path` as text, the general path.
    static func readAsText(_ path: String, options: FlatRowDecoder.Options = .init()) throws -> Outcome {
        let reader = try CSVReader(path: path)
        let flat = try FlatRowDecoder(header: reader.header ?? [], options: options)
        var grouper = flat.grouper
        var checks = flat.fileChecks
        var outcome = Outcome()
        while let record = try reader.next() {
            if let group = grouper.push(line: record.line, row: record.fields) {
                outcome.results.append(checks.check(flat.householdDecoder.decode(group)))
            }
        }
        if let group = grouper.finish() { outcome.results.append(checks.check(flat.householdDecoder.decode(group))) }
        return outcome
    }

    /// Reads `path` as bytes, the fast path, checking each quick decode against the general one.
    static func readAsBytes(_ path: String, options: FlatRowDecoder.Options = .init()) throws -> Outcome {
        let reader = try CSVReader(path: path)
        let flat = try FlatRowDecoder(header: reader.header ?? [], options: options)
        let decoder = try #require(FlatByteDecoder(flat.householdDecoder))
        var grouper = flat.cellGrouper
        var checks = flat.fileChecks
        var outcome = Outcome()
        func take(_ group: FlatRowGroup<CSVCells>) {
            if let quick = decoder.decodeQuickly(group) {
                outcome.quick += 1
                // What the file-wide checks read agrees too.
                let general = flat.householdDecoder.decode(group.asText)
                #expect(quick.niks.map { $0.digits } == general.niks.map { $0.digits } && quick.niks.map { $0.line } == general.niks.map { $0.line })
                #expect(quick.nomorKK?.value == general.nomorKK?.value && quick.nomorKK?.line == general.nomorKK?.line)
                #expect(quick.sourceID?.value == general.sourceID?.value && quick.sourceID?.line == general.sourceID?.line)
                #expect(quick.firstLine == general.firstLine)
            }
            outcome.results.append(checks.check(decoder.decode(group)))
        }
        while let (line, cells) = try reader.nextCells() {
            if let group = grouper.push(line: line, row: cells) { take(group) }
        }
        if let group = grouper.finish() { take(group) }
        return outcome
    }

    /// Writes the households as `export` does (one row per member), then lets `edit` spoil rows.
    static func write(
        _ households: [Household], to path: String, edit: (inout [[String]], inout HouseholdGenerator) -> Void = { _, _ in },
        seed: UInt64 = 1
    ) throws {
        let encoder = FlatRowEncoder(codesOf: households)
        var rows = [encoder.header]
        for household in households { rows += try encoder.rows(for: household) }
        var random = HouseholdGenerator(seed: seed)
        edit(&rows, &random)
        let writer = try CSVWriter(sink: ByteSink(path: path))
        for row in rows { try writer.write(row) }
        try writer.sink.close()
    }

    /// Both paths over one file: equal results, every issue the same.
    static func expectSamePaths(_ path: String, options: FlatRowDecoder.Options = .init()) throws -> Outcome {
        let text = try readAsText(path, options: options)
        let bytes = try readAsBytes(path, options: options)
        #expect(bytes.results.count == text.results.count)
        for (index, (a, b)) in zip(text.results, bytes.results).enumerated() where a != b {
            Issue.record("household \(index) differs:\n text: \(a)\n bytes: \(b)")
            break
        }
        #expect(bytes.results == text.results)
        return bytes
    }

    /// A spoilt cell: what real files get wrong, and what only the general decoder reads.
    static func badCell(_ cell: String, _ random: inout HouseholdGenerator) -> String {
        switch random.int(0...17) {
        case 0: ""
        case 1: " " + cell
        case 2: cell + "\t"
        case 3: "x" + cell
        case 4: "3.21601E+15"
        case 5: "-1"
        case 6: "+3"
        case 7: "2026-02-30"
        case 8: "01-02-1990"
        case 9: "KEPALA KELUARGA"
        case 10: "l"
        case 11: "9999999999999995"
        case 12: "-"
        case 13: "007"
        case 14: "belum_dipadankan"
        case 15: "tidak_layak"
        case 16: String(cell.reversed())
        default: random.text(maxPieces: 3)
        }
    }

    /// The generator's households, kept to what a flat file can hold (a member; attribute codes a header can name).
    static func randomHouseholds(_ count: Int, seed: UInt64) -> [Household] {
        var random = HouseholdGenerator(seed: seed)
        let codes: Set = ["lantai", "luas_lantai", "catatan", "sumber_air", "aset.motor"]
        return (0..<count).compactMap { _ in
            var household = random.household()
            guard !household.members.isEmpty else { return nil }
            func kept(_ attributes: Attributes) -> Attributes {
                var kept = Attributes()
                for (code, value) in attributes where codes.contains(code) { kept[code] = value }
                return kept
            }
            household.attributes = kept(household.attributes)
            for index in household.members.indices { household.members[index].attributes = kept(household.members[index].attributes) }
            return household
        }
    }

    static func synthetic(_ count: Int, seed: UInt64, dirtyNIKRate: Double = 0) -> [Household] {
        Array(SyntheticKabupaten(kabupaten: try! KodeWilayah("32.16"), seed: seed, dirtyNIKRate: dirtyNIKRate).households(count: count))
    }

    // MARK: Tests

    @Test func cleanExportDecodesOnTheFastPathToTheSameHouseholds() throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("clean.csv")
        try Self.write(Self.synthetic(1500, seed: 3), to: path)
        let outcome = try Self.expectSamePaths(path)
        #expect(outcome.results.allSatisfy { if case .success = $0 { true } else { false } })
        // Every clean household is the fast path's.
        #expect(outcome.quick == outcome.results.count)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func badCellsGiveTheSameIssuesOnBothPaths(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("bad.csv")
        let households = Self.synthetic(400, seed: seed, dirtyNIKRate: 0.02) + Self.randomHouseholds(200, seed: seed)
        try Self.write(households, to: path, edit: { rows, random in
            for _ in 0..<60 {
                let row = random.int(1...(rows.count - 1)), column = random.int(0...(rows[0].count - 1))
                rows[row][column] = Self.badCell(rows[row][column], &random)
            }
            // A row cut short, a row too long, a household's rows split apart.
            rows[random.int(1...(rows.count - 1))].removeLast()
            rows[random.int(1...(rows.count - 1))].append("extra")
            let moved = rows.remove(at: random.int(1...(rows.count - 1)))
            rows.insert(moved, at: random.int(1...(rows.count - 1)))
        }, seed: seed)
        let outcome = try Self.expectSamePaths(path)
        #expect(outcome.results.contains { if case .failure = $0 { true } else { false } })
        #expect(outcome.quick > outcome.results.count / 2)
    }

    @Test func keptInvalidNIKsGiveTheSameHouseholds() throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("flagged.csv")
        try Self.write(Self.synthetic(300, seed: 9, dirtyNIKRate: 0.1) + Self.randomHouseholds(100, seed: 9), to: path)
        _ = try Self.expectSamePaths(path, options: .init(keepInvalidNIK: true))
    }

    @Test func invalidUTF8IsTheSameErrorOnBothPaths() throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("latin1.csv")
        try Self.write(Self.synthetic(20, seed: 4), to: path)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let at = bytes.indices.filter { bytes[$0] == UInt8(ascii: ",") }[900]
        bytes.insert(0xE9, at: at)  // é in Windows-1252
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        func thrown(_ body: () throws -> Outcome) -> LumbungError? {
            do { _ = try body() } catch let error as LumbungError { return error } catch {}
            return nil
        }
        let text = thrown { try Self.readAsText(path) }, fast = thrown { try Self.readAsBytes(path) }
        #expect(text?.code == .csvEncoding)
        #expect(text?.field == fast?.field && text?.rule == fast?.rule)
    }
}
