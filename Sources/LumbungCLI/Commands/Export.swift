import ArgumentParser
import Foundation
import Lumbung
import LumbungIO

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write households to a CSV or JSON Lines file, optionally zstd-compressed.",
        discussion: """
            CSV is the flat layout spreadsheets and SIKS-NG-style tools use: one row per member, \
            the household columns repeated on each row, columns named as Lumbung's fields \
            (nomor_kk, kode_wilayah, …, anggota.nik, …, atribut.CODE). JSON Lines holds one \
            household per line with its members nested. A path ending in .zst is compressed \
            (the zstd tool reads it). The format follows the extension unless --format says. \
            The file appears only when complete; FILE `-` is standard output. Filters are those \
            of `find`. `lumbung import` reads both formats back.

            CSV columns: id, nomor_kk, kode_wilayah, alamat, rt, rw, status, alasan_tidak_layak, \
            desil, program (names joined by |), diperbarui, atribut.CODE for each attribute code \
            in use (sorted), anggota.nik (an invalid NIK as written, a missing one empty), \
            anggota.nama, anggota.jenis_kelamin (L/P), anggota.tanggal_lahir (YYYY-MM-DD), \
            anggota.hubungan, anggota.keberadaan, anggota.status_kawin, anggota.pendidikan, \
            anggota.pekerjaan, anggota.disabilitas, anggota.atribut.CODE. UTF-8, `,`, LF, no BOM.

            Exit codes: 0 ok; 1 storage or I/O error (nothing is left at FILE); 2 bad option or \
            a name that is neither .csv nor .jsonl without --format; 3 a bad filter value; \
            4 no store.

            Example:
              lumbung export --out bekasi.csv.zst
              lumbung export --wilayah 32.16.01 --program PKH --out pkh.jsonl
              lumbung export --out dinsos.xlsx
              lumbung export --format jsonl --out - | head
              lumbung export --snapshot 2026-10 --out oktober.csv.zst
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var snapshotOption: SnapshotOption
    @OptionGroup var filters: QueryOptions

    @Option(help: ArgumentHelp("The file to write; - for standard output.", valueName: "path"))
    var out: String

    @Option(help: "csv, jsonl or xlsx (default: from the file name).")
    var format: FileFormatChoice?

    func run() throws {
        guard let format = format?.format ?? FileFormat(path: out) else {
            throw ValidationError("say --format csv, jsonl or xlsx: '\(out)' ends in neither .csv, .jsonl nor .xlsx")
        }
        let query = try filters.query()
        let summary = try snapshotOption.withStore(storeOptions) { store in
            var progress = Progress(total: try store.read { tx in try tx.count(query).households })
            defer { progress.finishLine() }
            return try Exporter.export(from: store, matching: query, as: format, to: out) { progress.update($0) }
        }
        Terminal.note("exported \(summary.households) households, \(summary.members) members → \(out)")
    }
}

enum FileFormatChoice: String, ExpressibleByArgument, CaseIterable {
    case csv, jsonl, xlsx
    var format: FileFormat { FileFormat(rawValue: rawValue)! }
}
