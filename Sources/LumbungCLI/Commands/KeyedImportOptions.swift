import ArgumentParser
import Foundation
import Lumbung
import LumbungIO

/// What `desil import` and `dukcapil import` share: the mapping, the dry run, the issue
/// report, JSON output, and how they end.
struct KeyedImportOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A JSON column-mapping file for the file's headers and values.", valueName: "path"))
    var mapping: String?

    @Flag(name: .customLong("dry-run"), help: "Check and report; write nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp(
        "Where to write the issue report (CSV: line,column,value,code,rule; default FILE.issues.csv).", valueName: "path"))
    var report: String?

    @Flag(help: "Print the summary as one JSON object.")
    var json = false

    /// The mapping file read, if one was given.
    func columnMapping() throws -> ColumnMapping? {
        try mapping.map { try ColumnMapping(json: try Data(contentsOf: URL(fileURLWithPath: $0))) }
    }

    /// Writes the issue report (`FILE.issues.csv`, or `stdin` for standard input) and its grouped summary.
    func writeReport(_ issues: IssueReport, file: String, stdin: String) throws {
        guard issues.issueCount > 0 else { return }
        let path = report ?? (file == "-" ? stdin : file.replacingOccurrences(of: ".zst", with: "") + ".issues.csv")
        let sink = try ByteSink(path: path)
        let writer = try CSVWriter(sink: sink)
        try writer.write(IssueReport.header)
        for row in issues.rows { try writer.write(row) }
        try sink.close()
        Terminal.note(issues.groupedSummary())
        Terminal.note("issue report: \(path)")
    }

    /// Exits 3 when refused rows stopped the import (or would have, in a dry run).
    func finish(wrote: Bool, refused: Int) throws {
        if dryRun {
            Terminal.note("dry run: nothing was written" + (refused > 0 ? "; the refused rows would stop the import" : ""))
            if refused > 0 { throw ExitCode(ExitCodes.invalidInput) }
        } else if !wrote {
            Terminal.note("nothing was written: fix the refused rows")
            throw ExitCode(ExitCodes.invalidInput)
        }
    }
}
