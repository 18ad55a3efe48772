import ArgumentParser
import Foundation
import Lumbung
import LumbungIO

struct Match: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pemadanan: check a list of NIKs against the register.",
        discussion: """
            FILE holds one NIK per line, or is a CSV file whose column --column holds them \
            (the delimiter, a BOM and quoting are handled; .zst files are read). For each NIK \
            the output says whether it is in the store (hasil: found, not_found or invalid) and, \
            if so, its household id, nomor KK, kode wilayah, status, desil and programs. An \
            invalid NIK is reported as invalid with the rule it breaks, not as not found. Output \
            is CSV on standard output, or JSON Lines with --json; a summary goes to standard error.

            Output columns: nik (an invalid one masked), hasil, alasan (the code and rule of an \
            invalid NIK), id, nomor_kk, kode_wilayah, status, desil, program (names joined by |); \
            JSON Lines add "line", the input line. Blank lines are skipped.

            Exit codes: 0 ok (whatever was found); 1 I/O error; 2 bad option; 3 no such column \
            or an unreadable file (e.g. not UTF-8); 4 no store.

            Example:
              lumbung match niks.txt > hasil.csv
              lumbung match penerima.csv --column NIK --json
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("A file of NIKs (one a line) or a CSV file; - for standard input.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The CSV column that holds the NIKs.", valueName: "name"))
    var column: String?

    @Flag(help: "Print JSON Lines instead of CSV.")
    var json = false

    func run() throws {
        let store = try storeOptions.open(readOnly: true)
        let sink = try ByteSink(path: "-")
        let writer = try CSVWriter(sink: sink)
        if !json { try writer.write(Matcher.header) }
        var counts: [Matcher.Outcome: Int] = [:]
        try forEachBatch { batch in
            for row in try Matcher.match(batch, in: store) {
                counts[row.outcome, default: 0] += 1
                if json {
                    try sink.write(jsonLine(row))
                } else {
                    try writer.write(Matcher.cells(row))
                }
            }
        }
        try sink.close()
        Terminal.note("matched: \(counts[.found] ?? 0) found, \(counts[.notFound] ?? 0) not found, \(counts[.invalid] ?? 0) invalid")
    }

    /// Reads the NIKs in batches of 10,000 (with their line numbers).
    private func forEachBatch(_ body: ([(line: Int, text: String)]) throws -> Void) throws {
        var batch: [(line: Int, text: String)] = []
        func flush() throws {
            if !batch.isEmpty { try body(batch) }
            batch.removeAll(keepingCapacity: true)
        }
        if let column {
            let reader = try CSVReader(path: file)
            let index = try reader.requireColumn(column)
            while let record = try reader.next() {
                batch.append((record.line, index < record.fields.count ? record.fields[index] : ""))
                if batch.count == 10_000 { try flush() }
            }
        } else {
            let source = try ByteSource(path: file)
            while let line = try source.nextLine() {
                let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                if text.isEmpty { continue }
                batch.append((source.lineNumber, text))
                if batch.count == 10_000 { try flush() }
            }
        }
        try flush()
    }

    private func jsonLine(_ row: Matcher.Row) -> String {
        let fields = zip(Matcher.header, Matcher.cells(row)).map { ($0, JSONValue.string($1)) }
        return JSONValue.object([("line", .int(row.line))] + fields).text + "\n"
    }
}
