import Foundation
import Testing
@testable import Lumbung
import LumbungIO
import LumbungSynthetic

@Suite("Export and match")
struct ExportMatchTests {
    /// A store of synthetic households, some with flagged NIKs.
    static func store(_ directory: TemporaryDirectory, count: Int = 400) throws -> Store {
        let store = try Store(path: directory.sub("store"))
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 9, dirtyNIKRate: 0.03)
        try store.bulkLoad(nikPolicy: .keepFlagged) { loader in
            for household in generator.households(count: count) { try loader.add(household) }
        }
        return store
    }

    static func stored(_ store: Store, _ query: HouseholdQuery = HouseholdQuery()) throws -> [HouseholdID: Household] {
        try store.read { tx in
            Dictionary(uniqueKeysWithValues: try tx.ids(matching: query).map { ($0, try tx.household(id: $0)!) })
        }
    }

    @Test(arguments: ["all.csv", "all.csv.zst", "all.jsonl", "all.jsonl.zst"])
    func exportReadsBackExactly(name: String) throws {
        let directory = TemporaryDirectory()
        let store = try Self.store(directory)
        let path = directory.sub(name)
        let summary = try Exporter.export(from: store, matching: HouseholdQuery(), as: FileFormat(path: name)!, to: path)
        #expect(summary.households == 400)
        var read: [Household] = []
        if FileFormat(path: name) == .csv {
            let reader = try CSVReader(path: path)
            var decoder = try FlatRowDecoder(header: try #require(reader.header), mapping: .lumbungByID, options: .init(keepInvalidNIK: true))
            while let record = try reader.next() {
                if let result = decoder.push(line: record.line, row: record.fields) { read.append(try result.get()) }
            }
            if let result = decoder.finish() { read.append(try result.get()) }
        } else {
            let source = try ByteSource(path: path)
            while let line = try source.nextLine() { read.append(try JSONLines.decode(line: source.lineNumber, line).get()) }
        }
        let expected = try Self.stored(store)
        #expect(read.count == expected.count)
        for household in read {
            #expect(household == expected[household.id!], "household \(household.id!) differs after \(name)")
        }
    }

    @Test func exportFiltersAndTheZstdToolReadsIt() throws {
        let directory = TemporaryDirectory()
        let store = try Self.store(directory)
        let query = HouseholdQuery(wilayah: try KodeWilayah("32.16.01"), program: .pkh)
        let path = directory.sub("pkh.jsonl.zst")
        let summary = try Exporter.export(from: store, matching: query, as: .jsonl, to: path)
        #expect(summary.households == (try store.read { tx in try tx.count(query).households }))
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd") else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zstd")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == summary.households)
        for line in lines {
            let household = try JSONLines.decode(line: 1, String(line)).get()
            #expect(household.programs.contains(.pkh) && household.wilayah.dotted.hasPrefix("32.16.01"))
        }
    }

    @Test func matchReportsFoundNotFoundAndInvalid() throws {
        let directory = TemporaryDirectory()
        let store = try Self.store(directory, count: 50)
        let household = try #require(try store.read { tx in try tx.household(id: 7) })
        let nik = try #require(household.validNIKs.first)
        let rows = try Matcher.match([(1, nik.text), (2, "3216010101990001"), (3, "3.21601E+15"), (4, "3216010101000000")], in: store)
        #expect(rows.map(\.outcome) == [.found, .notFound, .invalid, .invalid])
        #expect(rows[0].household?.id == 7)
        #expect(Matcher.cells(rows[0])[3] == "7" && Matcher.cells(rows[0])[4] == household.nomorKK.text)
        #expect(rows[2].reason?.hasPrefix("nik.spreadsheetMangled") == true)
        #expect(rows[3].reason?.hasPrefix("nik.zeroSerial") == true)
        #expect(!rows[3].nik.contains("0101000000"), "an invalid NIK is echoed masked")
    }
}
