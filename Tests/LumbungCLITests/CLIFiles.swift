import Foundation
import Lumbung
import LumbungIO
import Testing

/// A flat CSV file held as rows, read and written with LumbungIO, for building test inputs.
struct FlatFile {
    var header: [String]
    var rows: [[String]]

    static func read(_ path: String) throws -> FlatFile {
        let reader = try CSVReader(path: path)
        var rows: [[String]] = []
        while let record = try reader.next() { rows.append(record.fields) }
        return FlatFile(header: try #require(reader.header), rows: rows)
    }

    /// Writes the file: `,` and LF by default, or another dialect.
    func write(to path: String, delimiter: CSVDelimiter = .comma, lineEnding: CSVWriter.LineEnding = .lf, byteOrderMark: Bool = false) throws {
        let sink = try ByteSink(path: path)
        let writer = try CSVWriter(sink: sink, delimiter: delimiter, lineEnding: lineEnding, byteOrderMark: byteOrderMark)
        try writer.write(header)
        for row in rows { try writer.write(row) }
        try sink.close()
    }

    func column(_ name: String) -> Int { header.firstIndex(of: name)! }

    /// The file line of `rows[index]` (the header is line 1; generated files have no quoted newlines).
    static func line(ofRow index: Int) -> Int { index + 2 }

    subscript(row: Int, name: String) -> String {
        get { rows[row][column(name)] }
        set { rows[row][column(name)] = newValue }
    }

    /// The household ids (the `id` column), in file order.
    var householdIDs: [String] {
        var ids: [String] = []
        for row in rows where ids.last != row[0] { ids.append(row[0]) }
        return ids
    }

    /// The row indices of one household.
    func rows(ofHousehold id: String) -> [Int] { rows.indices.filter { rows[$0][0] == id } }

    /// The rows of the given households only.
    func keeping(_ ids: Set<String>) -> FlatFile { FlatFile(header: header, rows: rows.filter { ids.contains($0[0]) }) }

    /// Sets a household column on every row of the household.
    mutating func setHousehold(_ id: String, _ name: String, _ value: String) {
        for index in rows(ofHousehold: id) { self[index, name] = value }
    }

    /// Copies a member's NIK, sex and birth date (so the NIK stays consistent) onto another row.
    mutating func copyPerson(from source: [String], toRow index: Int) {
        for name in ["anggota.nik", "anggota.jenis_kelamin", "anggota.tanggal_lahir"] {
            self[index, name] = source[column(name)]
        }
    }
}

/// A store holding generated households 1–6 (imported through the CLI from a generated CSV) and
/// a CSV of households 7–12 that are not in it, in a fresh temporary directory.
struct CLIImportFixture {
    let directory: TemporaryDirectory
    let store: String
    /// Households 1–6, as imported into ``store`` (they get ids 1–6 there).
    let stored: FlatFile
    /// Households 7–12, valid and not in the store.
    let fresh: FlatFile

    init(households: Int = 12) throws {
        directory = TemporaryDirectory("lumbung-cli-import")
        store = directory.sub("store")
        let all = directory.sub("all.csv")
        let generated = try CLITests.run(["generate", "--households", String(households), "--seed", "5", "--out", all], in: directory)
        try #require(generated.status == 0, "\(generated.stderr)")
        let file = try FlatFile.read(all)
        let ids = file.householdIDs
        stored = file.keeping(Set(ids.prefix(households / 2)))
        fresh = file.keeping(Set(ids.dropFirst(households / 2)))
        let first = try importFile(stored, name: "stored.csv")
        try #require(first.status == 0, "\(first.stderr)")
    }

    /// Writes `file` under `name` and runs `lumbung import` on it with `arguments`.
    func importFile(_ file: FlatFile, name: String, _ arguments: [String] = []) throws -> CLITests.Result {
        let path = directory.sub(name)
        try file.write(to: path)
        return try run(["import", path] + arguments)
    }

    func run(_ arguments: [String], input: String? = nil) throws -> CLITests.Result {
        try CLITests.run(arguments, store: store, input: input, in: directory)
    }

    /// Every stored household exactly (ids, timestamps and all), to prove a refused import wrote nothing.
    func fingerprint() throws -> String {
        let export = try run(["export", "--format", "jsonl", "--out", "-"])
        try #require(export.status == 0, "\(export.stderr)")
        return export.stdout
    }

    /// The issue report written next to `name`, as rows.
    func report(_ name: String) throws -> FlatFile {
        let report = try FlatFile.read(directory.sub(name + ".issues.csv"))
        #expect(report.header == IssueReport.header)
        return report
    }

    /// The import summary line of standard error (`N households read: …`).
    static func summary(_ result: CLITests.Result) -> String {
        result.stderr.split(separator: "\n").first { $0.contains("households read:") }.map(String.init) ?? ""
    }
}

/// Whether `text` holds 16 consecutive digits (an unmasked NIK or KK).
func containsFullNumber(_ text: String) -> Bool {
    var run = 0
    for character in text.utf8 {
        run = (48...57).contains(character) ? run + 1 : 0
        if run >= 16 { return true }
    }
    return false
}

/// The masked form of a number as written (`3216********4549`).
func maskedText(_ text: String) -> String {
    String(text.prefix(4)) + String(repeating: "*", count: max(0, text.count - 8)) + String(text.suffix(4))
}
