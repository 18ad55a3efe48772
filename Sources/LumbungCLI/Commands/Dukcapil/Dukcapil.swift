import ArgumentParser
import Foundation
import Lumbung
import LumbungIO

/// `lumbung dukcapil …`: Dukcapil matching (pemadanan) results.
struct Dukcapil: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import Dukcapil matching results per member.",
        discussion: """
            Dukcapil answers a pemadanan request with a result per NIK. `dukcapil import` sets \
            each member's status_dukcapil: \(DukcapilResult.allNames.joined(separator: ", ")) \
            (tidak_padan with the reason, alasan_dukcapil). `stats` counts members by status per \
            wilayah; `find --dukcapil tidak_padan` lists the households to correct.

            Example:
              lumbung dukcapil import hasil.csv --mapping dukcapil.mapping.json
              lumbung find --dukcapil tidak_padan --wilayah 32.16.01
            """,
        subcommands: [DukcapilImport.self])
}

struct DukcapilImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Set members' Dukcapil status from a Dukcapil response file.",
        discussion: """
            FILE is a CSV (optionally .zst) with columns nik (or anggota.nik), status_dukcapil \
            and alasan_dukcapil (optional), or others mapped to them with --mapping, whose value \
            maps translate Dukcapil's wording, e.g. \
            {"columns": {"NIK": "anggota.nik", "HASIL": {"field": "anggota.status_dukcapil", \
            "values": {"DATA PADAN": "padan", "NIK TIDAK DITEMUKAN": "tidak_padan", "MENINGGAL": "meninggal"}}}}. \
            A tidak_padan without a reason column keeps Dukcapil's wording as its reason.

            All or nothing: a refused row (an invalid NIK, an unknown status, a reason missing for \
            tidak_padan or given for another status, a NIK twice) stops the import and nothing is \
            written; every one is in the issue report (line, column, value, code, rule; NIKs \
            masked). A NIK no member has is reported (member.notFound) but does not stop it.

            Exit codes: 0 written (or a clean dry run); 3 rows refused, or a bad header; 4 no store or file.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The Dukcapil response (.csv, optionally .zst); - for standard input.", valueName: "file"))
    var file: String

    @OptionGroup var keyed: KeyedImportOptions

    @Option(help: ArgumentHelp("Who the journal names for this import.", valueName: "name"))
    var actor = "dukcapil-import"

    func run() throws {
        var options = DukcapilImportOptions()
        options.dryRun = keyed.dryRun
        options.actor = actor
        options.mapping = try keyed.columnMapping()
        let store = try storeOptions.open()
        let summary = try DukcapilImporter.run(file: file, into: store, options: options)
        try keyed.writeReport(summary.report, file: file, stdin: "dukcapil.issues.csv")
        if keyed.json {
            print(JSONValue.object([
                ("rows", .int(summary.rows)), ("updated", .int(summary.updated)), ("unchanged", .int(summary.unchanged)),
                ("refused", .int(summary.refused)), ("unknown", .int(summary.unknown)),
                (DukcapilResult.statusField, .object(DukcapilResult.allNames.compactMap { name in summary.byStatus[name].map { (name, .int($0)) } })),
                ("wrote", .bool(summary.wrote)),
            ]).text)
        } else {
            let would = summary.wrote ? "" : "would be "
            print("dukcapil: \(summary.rows) rows, \(summary.updated) members \(would)updated, \(summary.unchanged) unchanged, "
                + "\(summary.refused) refused, \(summary.unknown) unknown NIK\(summary.unknown == 1 ? "" : "s")")
        }
        try keyed.finish(wrote: summary.wrote, refused: summary.refused)
    }
}
