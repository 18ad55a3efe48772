import ArgumentParser
import Foundation
import Lumbung
import LumbungIO

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load households from a CSV or JSON Lines file, validated before anything is written.",
        discussion: """
            FILE is flat CSV (one member per row, household columns repeated, rows grouped by KK \
            or id; `,` or `;`, UTF-8 with or without a BOM, CRLF or LF) or JSON Lines, either \
            optionally .zst. Without --mapping the CSV headers are Lumbung's own field names, as \
            `export` and `generate --out` write them: id, nomor_kk, id_sumber, kode_wilayah, alamat, rt, rw, \
            status, alasan_tidak_layak, desil, program (names joined by |), diperbarui, \
            atribut.CODE, anggota.nik, anggota.nama, anggota.jenis_kelamin (L/P), \
            anggota.tanggal_lahir (YYYY-MM-DD), anggota.hubungan, anggota.keberadaan, \
            anggota.status_kawin, anggota.pendidikan, anggota.pekerjaan, anggota.disabilitas, \
            anggota.atribut.CODE; required: nomor_kk, kode_wilayah, anggota.nama, \
            anggota.jenis_kelamin, anggota.hubungan. A mapping file maps other headers and \
            translates the file's own values (the README's "Column mappings" lists every key):
              {"code_lists": {"hub": {"1": "kepala_keluarga", "2": "istri_suami"}},
               "columns": [
                 {"header": "NIK", "field": "anggota.nik"},
                 {"header": "STATUS", "field": "status",
                  "values": {"aktif": "ditetapkan"}, "default": "usulan"},
                 {"header": "HUB", "field": "anggota.hubungan", "code_list": "hub"},
                 {"header": "TGL", "field": "anggota.tanggal_lahir",
                  "format": "DD-MM-YYYY"},
                 {"header": "PKH", "field": "atribut.pkh", "format": "boolean"},
                 {"field": "kode_wilayah", "constant": "32.16.01.2001"}],
               "group_by": "nomor_kk" (or "id", "id_sumber"), "ignore": ["NO"],
               "lumbung_names": true (headers that are field names need no entry)}
            ("columns" may also be {"HEADER": "field" or {"field": …, "values": …}}.) The mapping \
            is checked when loaded: an error names its JSON path, e.g. columns[1].values["aktif"]. \
            `lumbung mapping infer FILE` proposes a mapping from the file itself.

            Every household is validated first, and every problem is reported with its line, \
            column, value and rule: as CSV (--report, default FILE.issues.csv), grouped by column, \
            value and rule with a count and the first lines (FILE.issues-summary.csv: one row \
            for 10,000 rows with one unmapped value), and as a summary on standard error. By default nothing is written if any household fails (exit 3); \
            --skip-invalid writes the valid ones; --dry-run only validates, and counts what the \
            import would do (new, updated, unchanged, skipped, rejected). The write is one \
            transaction: a crash or kill leaves the store as it was. Memory: \(Importer.memoryBound).

            Households are matched to the store by KK number (or by id, with --match-by id, or \
            by the source register's id, id_sumber, with --match-by source-id: without --mapping \
            the rows are then grouped by id_sumber, and a household without one is reported): \
            --on-existing says whether they are updated (default), skipped or refused. \
            Importing the same file twice changes nothing. --keep-invalid-nik loads a legacy \
            register as it is: members with a missing or invalid NIK are stored flagged (find \
            them with `find --nik-status invalid|missing`).

            FILE `-` reads standard input (say --format); it is first copied to a temporary file, \
            since a load that must grow the store's map reads its input again. The summary (new, updated, \
            unchanged, skipped, rejected) goes to standard error; standard output stays empty.

            Exit codes: 0 written (or a clean --dry-run); 3 issues stopped the import or a dry \
            run found issues (see the report), or the file is unreadable as text (e.g. \
            Windows-1252: pass --encoding windows-1252); 4 FILE does not exist; 6 the disk is full \
            (the store is as it was); 1 storage or I/O error; 2 bad option, a FILE whose format \
            neither its name nor --format says, or a directory as FILE. A store the import \
            created is removed again when nothing was written into it, with the directories the \
            import created for it; a directory that was there before stays. Progress (bytes read, households, rate, ETA) goes to standard error.

            Example:
              lumbung import bekasi.csv.zst
              lumbung import siks.csv --mapping siks.json --skip-invalid
              lumbung import lama.csv --keep-invalid-nik --encoding windows-1252
              lumbung import update.jsonl --on-existing skip --dry-run
              lumbung import dinsos.xlsx --sheet Keluarga --mapping siks.json
              lumbung export --store a --out - --format csv |
                lumbung import --store b - --format csv
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The file to import (.csv, .jsonl, optionally .zst; .xlsx).", valueName: "file"))
    var file: String

    @Option(help: "csv, jsonl or xlsx (default: from the file name).")
    var format: FileFormatChoice?

    @Option(help: ArgumentHelp("The .xlsx sheet to read (default: the first).", valueName: "name"))
    var sheet: String?

    @Option(help: ArgumentHelp("A JSON column-mapping file for CSV headers.", valueName: "path"))
    var mapping: String?

    @Option(name: .customLong("on-existing"), help: "What an existing household gets: update, skip or fail.")
    var onExisting: OnExistingChoice = .update

    @Option(name: .customLong("match-by"), help: "Match existing households by kk (default), id or source-id (id_sumber).")
    var matchBy: MatchByChoice = .kk

    @Flag(name: .customLong("skip-invalid"), help: "Write the valid households and report the rest.")
    var skipInvalid = false

    @Flag(name: .customLong("dry-run"), help: "Validate and report; write nothing.")
    var dryRun = false

    @Flag(name: .customLong("keep-invalid-nik"), help: "Store members with a missing or invalid NIK, flagged.")
    var keepInvalidNIK = false

    @Option(help: "The CSV file's text encoding: utf8, or windows-1252 to convert old Excel files.")
    var encoding: EncodingChoice = .utf8

    @Option(help: ArgumentHelp(
        "Where to write the issue report (CSV: line,column,value,code,rule; default FILE.issues.csv, for stdin import.issues.csv).",
        valueName: "path"))
    var report: String?

    @Option(help: ArgumentHelp("Who the journal names for this import.", valueName: "name"))
    var actor = "import"

    /// A file whose format is unknown, or a directory, is a usage error (exit 2); a missing file
    /// is reported by run (exit 4).
    func validate() throws {
        if file == "-" && format == nil { throw ValidationError("say --format csv, jsonl or xlsx when reading standard input") }
        do {
            _ = try Importer.checkInput(file: file, format: format?.format)
        } catch let error as LumbungError where error.code == .fileFormat || error.code == .fileIsDirectory {
            throw ValidationError("FILE '\(file)': \(error.rule)" + (error.code == .fileFormat ? " (or pass --format csv|jsonl|xlsx)" : ""))
        }
    }

    func run() throws {
        var options = ImportOptions()
        options.onExisting = onExisting.value
        options.matchBy = matchBy.key
        options.skipInvalid = skipInvalid
        options.dryRun = dryRun
        options.keepInvalidNIK = keepInvalidNIK
        options.encoding = encoding.value
        options.sheet = sheet
        options.actor = actor
        if let mapping {
            options.mapping = try ColumnMapping(json: try Data(contentsOf: URL(fileURLWithPath: mapping)))
        } else if matchBy == .sourceID {
            options.mapping.groupBy = .sourceID  // Lumbung's own layout, rows grouped by id_sumber
        }
        // A store this import creates is removed again if nothing gets written into it.
        let created = CreatedStorePaths(storePath: storeOptions.path)
        let started = Date()
        let summary: ImportSummary
        do {
            summary = try importFile(options)
        } catch {
            if created.createsStore { created.remove() }
            throw try Self.explain(error, encoding: encoding) { try writeReport($0, households: nil) }
        }
        if created.createsStore && !summary.wrote { created.remove() }
        if summary.report.issueCount > 0 { try writeReport(summary.report, households: summary.households) }
        let seconds = Progress.format(seconds: Date().timeIntervalSince(started))
        Terminal.note(
            "\(summary.households) households read: \(summary.inserted) new, \(summary.updated) updated, "
                + "\(summary.unchanged) unchanged, \(summary.skipped) skipped, \(summary.rejected) rejected"
                + (keepInvalidNIK ? ", \(summary.flaggedMembers) members with a flagged NIK" : "") + " in \(seconds)")
        if dryRun {
            Terminal.note("dry run: nothing was written"
                + (summary.rejected > 0 && !skipInvalid ? "; the rejected households would stop the import (or pass --skip-invalid)" : ""))
            if summary.rejected > 0 { throw ExitCode(ExitCodes.invalidInput) }
        } else if !summary.wrote {
            Terminal.note("nothing was written: fix the issues, or pass --skip-invalid")
            throw ExitCode(ExitCodes.invalidInput)
        }
    }
}

extension Import {
    /// Runs the import with progress on standard error; the store is closed on return.
    func importFile(_ options: ImportOptions) throws -> ImportSummary {
        let store = try storeOptions.open(create: true)
        var options = options
        let progress = ByteProgress()
        options.progress = { report in progress.update(report) }
        defer { progress.finishLine() }
        return try Importer.run(file: file, format: format?.format, into: store, options: options)
    }

    /// Turns what stops an import before it reads households into an exit with a clear note.
    static func explain(_ error: any Error, encoding: EncodingChoice, report: (IssueReport) throws -> Void) throws -> any Error {
        switch error {
        case let issues as RowIssues:
            // The header does not fit the mapping (an unmapped column, a required field missing).
            var header = IssueReport()
            header.add(issues)
            try report(header)
            Terminal.note("nothing was read: the header does not match the column mapping (see --mapping)")
            return ExitCode(ExitCodes.invalidInput)
        case let error as LumbungError where error.code == .csvEncoding && encoding == .utf8:
            Terminal.error(error.message)
            Terminal.note("hint: if the file comes from older Excel, read it with --encoding windows-1252")
            return ExitCode(ExitCodes.invalidInput)
        default:
            return error
        }
    }

    /// Writes the issue report CSV (one row per issue), the grouped summary CSV next to it (one
    /// row per column, value and rule), and both summaries on standard error.
    func writeReport(_ issues: IssueReport, households: Int?) throws {
        let path = report ?? (file == "-" ? "import.issues.csv" : file.replacingOccurrences(of: ".zst", with: "") + ".issues.csv")
        try Self.writeCSV(path: path, header: IssueReport.header, rows: issues.rows)
        let summaryPath = Self.summaryPath(forReport: path)
        try Self.writeCSV(path: summaryPath, header: IssueReport.groupHeader, rows: issues.groupRows)
        Terminal.note(issues.summary(households: households))
        Terminal.note(issues.groupedSummary())
        Terminal.note("issue report: \(path) (every issue); grouped: \(summaryPath)")
    }

    /// `bad.csv.issues.csv` → `bad.csv.issues-summary.csv`.
    static func summaryPath(forReport path: String) -> String {
        (path.hasSuffix(".csv") ? String(path.dropLast(4)) : path) + "-summary.csv"
    }

    private static func writeCSV(path: String, header: [String], rows: [[String]]) throws {
        let sink = try ByteSink(path: path)
        let writer = try CSVWriter(sink: sink)
        try writer.write(header)
        for row in rows { try writer.write(row) }
        try sink.close()
    }
}

enum OnExistingChoice: String, ExpressibleByArgument, CaseIterable {
    case update, skip, fail
    var value: ImportOptions.OnExisting { ImportOptions.OnExisting(rawValue: rawValue)! }
}

enum MatchByChoice: String, ExpressibleByArgument, CaseIterable {
    case kk, id
    case sourceID = "source-id"

    var key: ColumnMapping.GroupKey {
        switch self {
        case .kk: .nomorKK
        case .id: .id
        case .sourceID: .sourceID
        }
    }
}

enum EncodingChoice: String, ExpressibleByArgument, CaseIterable {
    case utf8
    case windows1252 = "windows-1252"

    var value: CSVTextEncoding { self == .utf8 ? .utf8 : .windows1252 }
}
