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

    /// NIKs answered per run (sorted and joined with the index together); bounds memory.
    @Option(help: .hidden)
    var runSize = SortedMatcher.defaultRunSize

    func run() throws {
        let store = try storeOptions.open(readOnly: true)
        let sink = try ByteSink(path: "-")
        let json = self.json
        if !json { try CSVWriter(sink: sink).write(Matcher.header) }
        let matcher = SortedMatcher(
            store: store, runSize: max(1, runSize), output: json ? .jsonLines : .csv, write: { bytes in try sink.write(bytes) })
        try (column.map { MatchInput.csv(column: $0) } ?? .lines).forEachNIK(in: file, matcher)
        try matcher.finish()
        try sink.close()
        let counts = matcher.counts
        Terminal.note("matched: \(counts[.found] ?? 0) found, \(counts[.notFound] ?? 0) not found, \(counts[.invalid] ?? 0) invalid")
    }
}
