import Foundation
import Lumbung
import LumbungIO
import LumbungSynthetic
import Testing

/// `lumbung export`, `match` and `generate --out` end to end, and the `.zst` files they share
/// with the `zstd` tool. Exactness of the formats is tested in ExportMatchTests and FlatRowsTests.
@Suite("CLI export and match")
struct CLIExportMatchTests {
    /// The zstd command-line tool, if installed (tools/setup.sh installs it).
    static let zstdTool: String? = ["/usr/bin/zstd", "/usr/local/bin/zstd"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs a tool and returns its exit status.
    static func runTool(_ path: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func exportToFileKeepsStdoutEmptyAndZstdToolReadsIt() throws {
        let (directory, store) = try CLITests.generatedStore()
        let plain = directory.sub("all.csv"), compressed = directory.sub("all.csv.zst")
        let first = try CLITests.run(["export", "--out", plain], store: store, in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.isEmpty, "data goes to the file, diagnostics to stderr")
        #expect(first.stderr.contains("exported 300 households"))
        let second = try CLITests.run(["export", "--out", compressed], store: store, in: directory)
        #expect(second.status == 0, "\(second.stderr)")

        let zstd = try #require(Self.zstdTool, "tools/setup.sh installs zstd")
        let decompressed = directory.sub("decompressed.csv")
        #expect(try Self.runTool(zstd, ["-q", "-d", compressed, "-o", decompressed]) == 0)
        let expected = try Data(contentsOf: URL(fileURLWithPath: plain))
        #expect(try Data(contentsOf: URL(fileURLWithPath: decompressed)) == expected, "zstd -d gives the plain export")
        #expect(try Data(contentsOf: URL(fileURLWithPath: compressed)).count < expected.count / 3)
        let lines = String(decoding: expected, as: UTF8.self).split(separator: "\n")
        let members = try #require(first.stderr.firstMatch(of: /exported 300 households, (\d+) members/)?.1)
        #expect(lines.count - 1 == Int(members), "one row per member after the header")

        let stdout = try CLITests.run(["export", "--format", "csv", "--out", "-"], store: store, in: directory)
        #expect(stdout.status == 0)
        #expect(stdout.stdoutBytes == [UInt8](expected), "--out - writes the same bytes to stdout")

        let unknown = try CLITests.run(["export", "--out", directory.sub("all.txt")], store: store, in: directory)
        #expect(unknown.status == 2, "an unknown extension is a usage error: \(unknown.stderr)")
    }

    @Test func exportThenImportIntoAnEmptyStoreReproducesEveryRecord() throws {
        let (directory, store) = try CLITests.generatedStore()
        // Some history first, so ids have gaps and records differ in their updated-at times.
        #expect(try CLITests.run(["delete", "--id", "7"], store: store, in: directory).status == 0)
        let export = try CLITests.run(["export", "--format", "csv", "--out", "-"], store: store, in: directory)
        #expect(export.status == 0, "\(export.stderr)")
        let copy = directory.sub("copy")
        // `lumbung export --out - | lumbung import - --match-by id`: ids and times survive.
        let imported = try CLITests.run(["import", "-", "--format", "csv", "--match-by", "id"], store: copy, input: export.stdout, in: directory)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("299 households read: 299 new"), "\(imported.stderr)")
        #expect(imported.stdout.isEmpty)
        for format in ["csv", "jsonl"] {
            let original = try CLITests.run(["export", "--format", format, "--out", "-"], store: store, in: directory)
            let reproduced = try CLITests.run(["export", "--format", format, "--out", "-"], store: copy, in: directory)
            #expect(original.status == 0 && reproduced.status == 0)
            #expect(original.stdout.split(separator: "\n").count >= 299)
            #expect(original.stdout == reproduced.stdout, "the \(format) exports are identical, byte for byte")
        }
        // The ids are the original ones: 300 is there, 7 (deleted before the export) is not.
        let get = try CLITests.run(["get", "--id", "300", "--json"], store: copy, in: directory)
        #expect(get.status == 0)
        #expect(try CLITests.run(["get", "--id", "7"], store: copy, in: directory).status == 4)

        // Importing it again changes nothing.
        let again = try CLITests.run(["import", "-", "--format", "csv", "--match-by", "id"], store: copy, input: export.stdout, in: directory)
        #expect(again.stderr.contains("299 households read: 0 new, 0 updated, 299 unchanged"), "\(again.stderr)")
        let check = try CLITests.run(["check"], store: copy, in: directory)
        #expect(check.status == 0, "\(check.stdout)")
    }

    @Test func generateWritesDeterministicCSVAndJSONLThatImport() throws {
        let directory = TemporaryDirectory("lumbung-cli")
        let untouched = directory.sub("untouched")
        var outputs: [String: Data] = [:]
        for name in ["a.csv", "b.csv", "a.jsonl", "a.csv.zst"] {
            let path = directory.sub(name)
            let result = try CLITests.run(["generate", "--households", "40", "--seed", "3", "--out", path], store: untouched, in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("done: 40 households"))
            outputs[name] = try Data(contentsOf: URL(fileURLWithPath: path))
        }
        #expect(!FileManager.default.fileExists(atPath: untouched), "--out does not touch the store")
        #expect(outputs["a.csv"] == outputs["b.csv"], "same seed, same bytes")
        let other = try CLITests.run(["generate", "--households", "40", "--seed", "4", "--format", "csv", "--out", "-"], in: directory)
        #expect(other.status == 0 && other.stdoutBytes != [UInt8](outputs["a.csv"]!), "another seed, other households")

        // The CSV is export's flat layout: the built-in mapping reads it back, ids 1…40.
        let csv = try FlatFile.read(directory.sub("a.csv"))
        #expect(csv.header == FlatRowEncoder(attributeCodes: SyntheticKabupaten.attributeCodes).header)
        #expect(csv.householdIDs == (1...40).map(String.init))

        // Importing the CSV and the JSON Lines gives the same households as generating into a store.
        let direct = directory.sub("direct")
        #expect(try CLITests.run(["generate", "--households", "40", "--seed", "3"], store: direct, in: directory).status == 0)
        for name in ["a.csv", "a.jsonl", "a.csv.zst"] {
            let target = directory.sub("from-\(name)")
            let result = try CLITests.run(["import", directory.sub(name)], store: target, in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            let ours = try CLITests.run(["export", "--format", "csv", "--out", "-"], store: target, in: directory)
            let theirs = try CLITests.run(["export", "--format", "csv", "--out", "-"], store: direct, in: directory)
            #expect(withoutTimestamps(ours.stdout) == withoutTimestamps(theirs.stdout), "\(name) imports as generated")
        }

        let usage = try CLITests.run(["generate", "--households", "5", "--out", directory.sub("x.txt")], in: directory)
        #expect(usage.status == 2, "\(usage.stderr)")
    }

    /// A CSV export with its `diperbarui` column emptied (each store stamps its own writes).
    func withoutTimestamps(_ csv: String) -> [[String]] {
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let column = rows.first?.firstIndex(of: "diperbarui") else { return rows }
        return rows.map { row in var row = row; if column < row.count { row[column] = "" }; return row }
    }

    /// A store of 40 households and the NIKs to look up: found, not found, invalid.
    struct MatchFixture {
        let directory = TemporaryDirectory("lumbung-cli-match")
        let store: String
        let household: Household
        let found: String
        let notFound: String
        static let mangled = "3.21601E+15"
        static let zeroSerial = "3216010101000000"

        init() throws {
            store = directory.sub("store")
            let file = directory.sub("all.csv")
            #expect(try CLITests.run(["generate", "--households", "50", "--seed", "8", "--out", file], in: directory).status == 0)
            let all = try FlatFile.read(file)
            let stored = all.keeping(Set(all.householdIDs.prefix(40)))
            try stored.write(to: directory.sub("stored.csv"))
            #expect(try CLITests.run(["import", directory.sub("stored.csv")], store: store, in: directory).status == 0)
            found = stored[stored.rows(ofHousehold: "7")[0], "anggota.nik"]
            notFound = all[all.rows(ofHousehold: "45")[0], "anggota.nik"]
            household = try HouseholdJSON.decode(try CLITests.run(["get", "--nik", found, "--json"], store: store, in: directory).stdoutBytes)
        }

        func expectFound(_ cells: [String: String]) {
            #expect(cells["hasil"] == "found")
            #expect(cells["id"] == household.id?.description)
            #expect(cells["nomor_kk"] == household.nomorKK.text)
            #expect(cells["kode_wilayah"] == household.wilayah.dotted)
            #expect(cells["status"] == household.status.description)
            #expect(cells["desil"] == (household.desil.map(String.init) ?? ""))
            #expect(cells["program"] == household.programs.sorted().map(\.name).joined(separator: "|"))
        }
    }

    @Test func matchAPlainNIKListAsCSVAndJSONLines() throws {
        let fixture = try MatchFixture()
        let list = fixture.directory.sub("niks.txt")
        try "\(fixture.found)\n\n\(fixture.notFound)\n\(MatchFixture.mangled)\n \(MatchFixture.zeroSerial) \n"
            .write(toFile: list, atomically: true, encoding: .utf8)

        let csv = try CLITests.run(["match", list], store: fixture.store, in: fixture.directory)
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stderr.contains("matched: 1 found, 1 not found, 2 invalid"), "\(csv.stderr)")
        #expect(!csv.stdout.contains("matched"), "the summary is not data")
        let table = try FlatFile.read(fixture.directory.sub("niks.txt.csv").writing(csv.stdout))
        #expect(table.header == Matcher.header)
        let rows = table.rows.map { Dictionary(uniqueKeysWithValues: zip(table.header, $0)) }
        #expect(rows.map { $0["hasil"] } == ["found", "not_found", "invalid", "invalid"])
        fixture.expectFound(rows[0])
        #expect(rows[0]["nik"] == fixture.found)
        #expect(rows[1]["nik"] == fixture.notFound && rows[1]["id"] == "" && rows[1]["alasan"] == "")
        #expect(rows[2]["alasan"]?.hasPrefix("nik.spreadsheetMangled") == true, "\(rows[2])")
        #expect(rows[3]["alasan"]?.hasPrefix("nik.zeroSerial") == true, "\(rows[3])")
        #expect(rows[3]["nik"] != MatchFixture.zeroSerial, "an invalid NIK is echoed masked")

        let json = try CLITests.run(["match", list, "--json"], store: fixture.store, in: fixture.directory)
        #expect(json.status == 0, "\(json.stderr)")
        let objects = try json.lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["line"] as? Int } == [1, 3, 4, 5], "each result names its input line")
        #expect(objects.map { $0["hasil"] as? String } == ["found", "not_found", "invalid", "invalid"])
        fixture.expectFound(objects[0].compactMapValues { $0 as? String })
    }

    @Test func matchOutputIsTodaysByteForByteWhateverTheRunSize() throws {
        let (directory, storePath) = try CLITests.generatedStore()
        let store = try Store(path: storePath)
        let niks = try store.read { tx in try (1...300).flatMap { try tx.household(id: HouseholdID(rawValue: $0))?.validNIKs ?? [] } }
        // Found NIKs (repeated, some with spaces around), absent ones, invalid ones, blank lines.
        var lines: [String] = []
        for (index, nik) in niks.enumerated() where index % 3 == 0 {
            lines.append(index % 2 == 0 ? nik.text : "  \(nik.text)\t")
            if index % 5 == 0 { lines.append(niks[index / 2].text) }
            if index % 7 == 0 { lines += ["", NIK(unchecked: nik.rawValue / 10_000 * 10_000 + 9_999).text, "3.21601E+15", "\u{00A0}\(nik.text)", "3216010101000000"] }
        }
        let list = directory.sub("niks.txt")
        try lines.joined(separator: "\n").write(toFile: list, atomically: true, encoding: .utf8)

        // Today's output: each trimmed non-blank line matched one at a time.
        let input = lines.enumerated().compactMap { index, line -> (line: Int, text: String)? in
            let text = line.trimmingCharacters(in: .whitespaces)
            return text.isEmpty ? nil : (index + 1, text)
        }
        var expected: [UInt8] = []
        CSVWriter.encode(Matcher.header, into: &expected)
        for row in try Matcher.match(input, in: store) { CSVWriter.encode(Matcher.cells(row), into: &expected) }
        #expect(Set(try Matcher.match(input, in: store).map(\.outcome)) == [.found, .notFound, .invalid])

        var jsonOutputs: [String] = []
        for runSize in ["1", "5", "1000000"] {
            let csv = try CLITests.run(["match", list, "--run-size", runSize], store: storePath, in: directory)
            #expect(csv.status == 0, "\(csv.stderr)")
            #expect(csv.stdoutBytes == expected, "run size \(runSize)")
            let json = try CLITests.run(["match", list, "--json", "--run-size", runSize], store: storePath, in: directory)
            #expect(json.status == 0, "\(json.stderr)")
            jsonOutputs.append(json.stdout)
        }
        #expect(Set(jsonOutputs).count == 1, "JSON Lines do not depend on the run size")
        let objects = try jsonOutputs[0].split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["line"] as? Int } == input.map(\.line), "in input order, each with its line")
    }

    @Test func matchANamedColumnOfACSVFile() throws {
        let fixture = try MatchFixture()
        let path = fixture.directory.sub("penerima.csv")
        try FlatFile(header: ["No", "Nama", "NIK"], rows: [
            ["1", "SITI, AMINAH", fixture.found], ["2", "BUDI", fixture.notFound], ["3", "ANI", MatchFixture.mangled],
        ]).write(to: path, delimiter: .semicolon, lineEnding: .crlf, byteOrderMark: true)
        let result = try CLITests.run(["match", path, "--column", "NIK"], store: fixture.store, in: fixture.directory)
        #expect(result.status == 0, "\(result.stderr)")
        let table = try FlatFile.read(fixture.directory.sub("out.csv").writing(result.stdout))
        let rows = table.rows.map { Dictionary(uniqueKeysWithValues: zip(table.header, $0)) }
        #expect(rows.map { $0["hasil"] } == ["found", "not_found", "invalid"])
        fixture.expectFound(rows[0])

        let missing = try CLITests.run(["match", path, "--column", "nik_kepala"], store: fixture.store, in: fixture.directory)
        #expect(missing.status == 3, "an absent column is invalid input: \(missing.stderr)")
        #expect(missing.stdout.isEmpty || missing.stdout == Matcher.header.joined(separator: ",") + "\n")
    }
}

extension String {
    /// Writes `text` to this path and returns the path (for reading command output as a file).
    func writing(_ text: String) throws -> String {
        try text.write(toFile: self, atomically: true, encoding: .utf8)
        return self
    }
}
