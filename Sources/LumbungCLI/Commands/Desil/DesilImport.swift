import ArgumentParser
import Foundation
import Lumbung
import LumbungIO

struct DesilImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Set households' desil from a BPS ranking, with the ranking's version.",
        discussion: """
            FILE is a CSV (optionally .zst) with a key column and a desil column (1-10). The key \
            is the Nomor KK (column nomor_kk, --by kk, the default) or the head's NIK (column nik \
            or anggota.nik, --by nik: the member must be the kepala keluarga). --mapping maps \
            other headers and values to them (a column mapping's "columns" with fields nomor_kk, \
            anggota.nik and desil; README, "Column mappings").

            All or nothing: a refused row (a bad cell, a household named twice, a NIK that is not \
            the head's, a ranking older than a household's current one) stops the import and \
            nothing is written. Every refused row is in the issue report (line, column, value, \
            code, rule). A key no household has is reported too (code household.notFound) but \
            does not stop the import: a ranking may cover more than this store. Importing the \
            same ranking again changes nothing.

            Households in the store that the ranking leaves out keep their desil and its version; \
            they are counted per desa and, with --absent, listed (id, nomor_kk, kode_wilayah).

            Exit codes: 0 written (or a clean dry run); 3 rows refused, or a bad header; 4 no \
            store or file.

            Example:
              lumbung desil import desil.csv --version 2026-01-23 --absent absen.csv
              lumbung desil import bps.csv --version 2026-01-23 --mapping bps-desil.json --by nik
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The ranking (.csv, optionally .zst); - for standard input.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The ranking's version: its date, YYYY-MM-DD.", valueName: "date"))
    var version: String

    @Option(help: "What names a household: kk (Nomor KK), nik (the head's NIK) or source-id (id_sumber).")
    var by: DesilKeyChoice = .kk

    @OptionGroup var keyed: KeyedImportOptions

    @Option(help: ArgumentHelp("Where to list the households the ranking leaves out (CSV).", valueName: "path"))
    var absent: String?

    @Option(help: ArgumentHelp("Who the journal names for this import.", valueName: "name"))
    var actor = "desil-import"

    func validate() throws {
        do {
            _ = try DesilVersion(parsing: version)
        } catch let error as LumbungError {
            throw ValidationError("--version '\(version)': \(error.rule)")
        }
    }

    func run() throws {
        var options = DesilImportOptions(version: try DesilVersion(parsing: version))
        options.by = by.value
        options.dryRun = keyed.dryRun
        options.absentFile = absent
        options.actor = actor
        options.mapping = try keyed.columnMapping()
        let store = try storeOptions.open()
        let summary = try DesilImporter.run(file: file, into: store, options: options)
        try keyed.writeReport(summary.report, file: file, stdin: "desil.issues.csv")
        if keyed.json {
            print(Self.json(summary, version: options.version).text)
        } else {
            print(Self.text(summary, version: options.version), terminator: "")
        }
        try keyed.finish(wrote: summary.wrote, refused: summary.refused)
    }

    static func json(_ summary: DesilImportSummary, version: DesilVersion) -> JSONValue {
        .object([
            ("desil_versi", .string(version.description)),
            ("rows", .int(summary.rows)), ("updated", .int(summary.updated)), ("unchanged", .int(summary.unchanged)),
            ("refused", .int(summary.refused)), ("unknown", .int(summary.unknown)), ("absent", .int(summary.absent)),
            ("absent_by_wilayah", .object(summary.absentByWilayah.sorted { $0.key.dotted < $1.key.dotted }.map { ($0.key.dotted, .int($0.value)) })),
            ("wrote", .bool(summary.wrote)),
        ])
    }

    static func text(_ summary: DesilImportSummary, version: DesilVersion) -> String {
        let would = summary.wrote ? "" : "would be "
        var out = "desil \(version): \(summary.rows) rows, \(summary.updated) \(would)updated, \(summary.unchanged) unchanged, "
            + "\(summary.refused) refused, \(summary.unknown) unknown key\(summary.unknown == 1 ? "" : "s"), "
            + "\(summary.absent) stored household\(summary.absent == 1 ? "" : "s") absent from the ranking (desil kept)\n"
        if !summary.absentByWilayah.isEmpty {
            // The desas with most absent households; --json and --absent have them all.
            let shown = 20
            var table = TextTable(columns: ["absent", "wilayah", "nama"], rightAligned: [0])
            let sorted = summary.absentByWilayah.sorted { ($0.value, $1.key.dotted) > ($1.value, $0.key.dotted) }
            for (wilayah, count) in sorted.prefix(shown) {
                table.add([String(count), wilayah.dotted, wilayah.name ?? ""])
            }
            out += table.rendered()
            if sorted.count > shown { out += "… and \(sorted.count - shown) more desa (--json or --absent FILE list them all)\n" }
        }
        return out
    }
}

enum DesilKeyChoice: String, ExpressibleByArgument, CaseIterable {
    case kk, nik
    case sourceID = "source-id"
    var value: DesilImportOptions.Key { DesilImportOptions.Key(rawValue: rawValue)! }
}
