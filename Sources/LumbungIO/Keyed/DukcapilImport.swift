import Foundation
import Lumbung

/// How `lumbung dukcapil import` reads a Dukcapil response file.
public struct DukcapilImportOptions: Sendable {
    /// Finds the NIK, status and reason columns and translates Dukcapil's wording
    /// (`"DATA PADAN"` → `padan`); nil: the columns are named after the fields.
    public var mapping: ColumnMapping?
    /// Check and report, write nothing.
    public var dryRun = false
    public var actor = "dukcapil-import"
    public var delimiter: CSVDelimiter?
    /// How many rows are matched and written at a time.
    public var batchSize = 4096

    public init() {}
}

/// What a Dukcapil import did.
public struct DukcapilImportSummary: Sendable {
    public var rows = 0
    /// Members whose result changed.
    public var updated = 0
    public var unchanged = 0
    /// Rows refused: an invalid NIK, an unknown status, a reason missing or misplaced, a NIK twice.
    public var refused = 0
    /// NIKs no member in the store has (reported, masked; not a refusal).
    public var unknown = 0
    /// The results the file gave, by status name (`belum_dipadankan` included).
    public var byStatus: [String: Int] = [:]
    public var report = IssueReport()
    /// False when refusals stopped the import, or for a dry run.
    public var wrote = false
}

/// Imports Dukcapil's matching results: a CSV (or `.zst`) of NIK, status and reason (columns
/// `nik` or `anggota.nik`, `status_dukcapil`, `alasan_dukcapil`, or mapped), setting each
/// member's ``DukcapilResult``. A `tidak_padan` without a reason column takes the status cell as
/// Dukcapil wrote it (`NIK TIDAK DITEMUKAN`, mapped to `tidak_padan`) as its reason. NIKs are matched by ``Matcher`` (as `lumbung match` does).
///
/// All or nothing, in one write transaction read in batches: any refused row rolls it back.
///
/// ```swift
/// let summary = try DukcapilImporter.run(file: "hasil-dukcapil.csv", into: store, options: DukcapilImportOptions())
/// ```
public enum DukcapilImporter {
    public static func run(file: String, into store: Store, options: DukcapilImportOptions) throws -> DukcapilImportSummary {
        try Importer.withRereadableInput(file) { path in try load(path: path, into: store, options: options) }
    }

    private static func load(path: String, into store: Store, options: DukcapilImportOptions) throws -> DukcapilImportSummary {
        var summary = DukcapilImportSummary()
        do {
            try store.write(actor: options.actor) { tx in
                summary = DukcapilImportSummary()  // a transaction retried after growing the map starts over
                try scan(path: path, tx: tx, options: options, into: &summary)
                if summary.refused > 0 || options.dryRun { throw Importer.RollBack() }
            }
            summary.wrote = true
        } catch is Importer.RollBack {
            summary.wrote = false
        }
        return summary
    }

    private struct Pending {
        var line: Int
        var nik: String
        var result: DukcapilResult?
    }

    private static func scan(path: String, tx: WriteTransaction, options: DukcapilImportOptions, into summary: inout DukcapilImportSummary) throws {
        let reader = try CSVReader(path: path, delimiter: options.delimiter)
        let columns = try KeyedColumns(
            header: reader.header ?? [], mapping: options.mapping,
            fields: [.memberNIK, .memberStatusDukcapil, .memberAlasanDukcapil], required: [.memberNIK, .memberStatusDukcapil])
        let nikName = columns.names[0], statusName = columns.names[1], reasonName = columns.names[2]
        var seen = Set<String>()
        var batch: [Pending] = []

        func refuse(_ line: Int, _ column: String, _ error: LumbungError) {
            summary.refused += 1
            summary.report.add(RowIssue(line: line, column: column, value: error.value ?? "", code: error.code, rule: error.rule))
        }
        func flush() throws {
            let rows = try Matcher.match(batch.map { ($0.line, $0.nik) }, in: tx)
            var households: [HouseholdID: Household] = [:], order: [HouseholdID] = []
            for (pending, row) in zip(batch, rows) {
                switch row.outcome {
                case .invalid:
                    // The NIK's own rule and code (the match gives them as text).
                    var error = LumbungError(.memberDukcapil, field: nikName, rule: row.reason ?? "")
                    do { _ = try NIK(pending.nik) } catch let parsed as LumbungError { error = parsed }
                    error.value = row.nik
                    refuse(pending.line, nikName, error)
                case .notFound:
                    summary.unknown += 1
                    summary.report.add(RowIssue(
                        line: pending.line, column: nikName, value: NIK.mask(row.nik), code: .memberNotFound,
                        rule: "no member in the store has this NIK; the row is left out"))
                case .found:
                    let id = row.household!.id!
                    if households[id] == nil {
                        households[id] = row.household!
                        order.append(id)
                    }
                    let index = households[id]!.members.firstIndex { $0.nik.text == row.nik }!
                    if households[id]!.members[index].dukcapil == pending.result {
                        summary.unchanged += 1
                    } else {
                        households[id]!.members[index].dukcapil = pending.result
                        summary.updated += 1
                    }
                }
            }
            for id in order { try tx.put(households[id]!, nikPolicy: .keepFlagged) }
            batch.removeAll(keepingCapacity: true)
        }

        while let record = try reader.next() {
            summary.rows += 1
            let line = record.line
            var cells: [String] = []
            var failed = false
            for (position, name) in [nikName, statusName, reasonName].enumerated() {
                switch columns.cell(position, of: record) {
                case .failure(let error)?:
                    refuse(line, name, error)
                    failed = true
                    cells.append("")
                case .success(let text)?: cells.append(text)
                case nil: cells.append("")
                }
            }
            guard !failed else { continue }
            // Dukcapil's own wording of a mismatch ("NIK TIDAK DITEMUKAN") is its reason when the
            // file has no reason column of its own.
            if cells[2].isEmpty, cells[1] == DukcapilStatus.tidakPadan.name, let index = columns.indexes[1], index < record.fields.count {
                let written = record.fields[index].trimmingSpaces
                if written != cells[1] { cells[2] = written }
            }
            let result: DukcapilResult?
            do {
                result = try DukcapilResult.parsing(cells[1], reason: cells[2])
            } catch let error as LumbungError {
                refuse(line, error.field == DukcapilResult.reasonField ? reasonName : statusName, error)
                continue
            }
            if !seen.insert(cells[0]).inserted {
                refuse(line, nikName, LumbungError(.memberDukcapil, field: nikName, value: NIK.mask(cells[0]), rule: "the file gives this NIK more than once"))
                continue
            }
            summary.byStatus[result?.status.name ?? DukcapilResult.pendingName, default: 0] += 1
            batch.append(Pending(line: line, nik: cells[0], result: result))
            if batch.count >= options.batchSize { try flush() }
        }
        try flush()
    }
}
