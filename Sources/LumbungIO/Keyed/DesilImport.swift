import Foundation
import Lumbung

/// How `lumbung desil import` reads a ranking.
public struct DesilImportOptions: Sendable {
    /// What names a household in the ranking.
    public enum Key: String, CaseIterable, Sendable {
        /// The Nomor KK (column `nomor_kk`).
        case kk
        /// The head's NIK (column `nik` or `anggota.nik`): the member must be the kepala keluarga.
        case nik
        /// The household's source id (column `id_sumber`), through its unique index.
        case sourceID = "source-id"
    }

    public var version: DesilVersion
    public var by = Key.kk
    /// Finds the key and desil columns and translates their cells; nil: the columns are named
    /// after the fields.
    public var mapping: ColumnMapping?
    /// Check and report, write nothing.
    public var dryRun = false
    public var actor = "desil-import"
    /// Where the households the ranking leaves out are listed (CSV: id, nomor_kk, kode_wilayah,
    /// desil, desil_versi); nil: counted only.
    public var absentFile: String?
    public var delimiter: CSVDelimiter?
    /// How many rows are applied at a time (memory stays bounded by it, not by the file).
    public var batchSize = 8192

    public init(version: DesilVersion) { self.version = version }
}

/// What a desil import did.
public struct DesilImportSummary: Sendable {
    public var rows = 0
    public var updated = 0
    public var unchanged = 0
    /// Rows refused: a bad cell, a household named twice, an older ranking, a NIK not the head's.
    public var refused = 0
    /// Rows whose key no household in the store has (reported, not a refusal: a ranking may
    /// cover more than this store).
    public var unknown = 0
    /// Stored households the ranking leaves out: they keep their desil and its version.
    public var absent = 0
    /// The absent households by desa.
    public var absentByWilayah: [KodeWilayah: Int] = [:]
    /// Every refused and unknown row: line, column, value (masked), code, rule.
    public var report = IssueReport()
    /// False when refusals stopped the import, or for a dry run.
    public var wrote = false
}

/// Imports a BPS desil ranking: a CSV (or `.zst`) with a key column and a desil column.
///
/// All or nothing: every row is checked and applied in one write transaction, which is rolled
/// back if any row is refused (or for a dry run), so a failed import leaves the store as it
/// was. Rows are read and applied in batches, so memory does not grow with the file.
///
/// ```swift
/// var options = DesilImportOptions(version: try DesilVersion(parsing: "2026-01-23"))
/// options.by = .nik
/// let summary = try DesilImporter.run(file: "desil.csv", into: store, options: options)
/// ```
public enum DesilImporter {
    public static func run(file: String, into store: Store, options: DesilImportOptions) throws -> DesilImportSummary {
        try Importer.withRereadableInput(file) { path in try load(path: path, into: store, options: options) }
    }

    private static func load(path: String, into store: Store, options: DesilImportOptions) throws -> DesilImportSummary {
        var summary = DesilImportSummary()
        do {
            try store.rankDesil(version: options.version, actor: options.actor) { ranking in
                summary = DesilImportSummary()  // a transaction retried after growing the map starts over
                try scan(path: path, store: store, ranking: ranking, options: options, into: &summary)
                try listAbsent(ranking: ranking, options: options, into: &summary)
                if summary.refused > 0 || options.dryRun { throw Importer.RollBack() }
            }
            summary.wrote = true
        } catch is Importer.RollBack {
            summary.wrote = false
        }
        return summary
    }

    /// The key column's field for each key.
    static func keyField(_ key: DesilImportOptions.Key) -> FlatField {
        switch key {
        case .kk: .nomorKK
        case .nik: .memberNIK
        case .sourceID: .sourceID
        }
    }

    /// One batch of rows as the reading thread leaves it: what it claimed, each row's key as
    /// written (masked only if refused) and the issues it found in the cells, in line order.
    private struct Chunk: Sendable {
        var claim = DesilRanking.Claim()
        var lines: [Int] = []
        var keys: [String] = []
        var issues: [RowIssue] = []
        var rows = 0
        var refused = 0
        var unknown = 0
    }

    /// A chunk with its batch read and re-ranked.
    private struct PreparedChunk: Sendable {
        var chunk: Chunk
        var batch: Result<DesilRanking.Batch, any Error>
    }

    /// Handed to the reading thread, which alone uses it until the pipeline ends (`cancel`
    /// waits for that thread).
    private struct Handed<Value>: @unchecked Sendable {
        let value: Value
    }

    /// Reads the file on one thread (cells checked, keys looked up in a read transaction of its
    /// own, households claimed in file order), reads and re-ranks each batch's records on
    /// another, and writes the batches on this one, in file order. At most a few batches are in
    /// flight, so memory does not grow with the file.
    private static func scan(path: String, store: Store, ranking: DesilRanking, options: DesilImportOptions, into summary: inout DesilImportSummary) throws {
        let reader = try CSVReader(path: path, delimiter: options.delimiter)
        let keyField = keyField(options.by)
        let columns = try KeyedColumns(header: reader.header ?? [], mapping: options.mapping, fields: [keyField, .desil], required: [keyField, .desil])
        let keyName = columns.names[0], desilName = columns.names[1]
        let handed = Handed(value: (reader: reader, columns: columns, ranking: ranking))
        let batchSize = options.batchSize, key = options.by
        let pipeline = DecodePipeline<Chunk, PreparedChunk>(batchSize: 1, depth: 3, read: { emit in
            let (reader, columns, ranking) = handed.value
            try store.read { tx in
                var chunk = Chunk()
                var entries: [DesilRanking.Entry] = []
                func refuse(_ line: Int, _ column: String, _ error: LumbungError) {
                    chunk.refused += 1
                    chunk.issues.append(RowIssue(line: line, column: column, error: error))
                }
                func ship() throws {
                    chunk.claim = ranking.claim(entries)
                    try emit(chunk)
                    chunk = Chunk()
                    entries.removeAll(keepingCapacity: true)
                }
                while let record = try reader.next() {
                    chunk.rows += 1
                    let line = record.line
                    var failed = false
                    var id: HouseholdID?
                    var head: NIK?
                    var keyText = ""
                    switch columns.cell(0, of: record)! {
                    case .failure(let error):
                        refuse(line, keyName, error)
                        failed = true
                    case .success(let text):
                        keyText = text
                        do {
                            (id, head) = try resolve(text, by: key, in: tx)
                            if id == nil {
                                chunk.unknown += 1
                                chunk.issues.append(RowIssue(
                                    line: line, column: keyName, value: NIK.mask(text), code: .householdNotFound,
                                    rule: "no household in the store has this \(keyName); the row is left out"))
                            }
                        } catch let error as LumbungError {
                            var error = error
                            error.value = NIK.mask(text)
                            refuse(line, keyName, error)
                            failed = true
                        }
                    }
                    var desil: Int?
                    switch columns.cell(1, of: record)! {
                    case .failure(let error):
                        refuse(line, desilName, error)
                        failed = true
                    case .success(let text):
                        if let number = Int(text), Household.desilRule.problem(number) == nil {
                            desil = number
                        } else {
                            refuse(line, desilName, LumbungError(.householdDesil, field: "desil", value: String(text.prefix(40)), rule: Household.desilRule.rule))
                            failed = true
                        }
                    }
                    guard !failed, let id, let desil else { continue }
                    entries.append(DesilRanking.Entry(line: line, id: id, desil: desil, head: head))
                    chunk.lines.append(line)
                    chunk.keys.append(keyText)
                    if chunk.rows >= batchSize { try ship() }
                }
                if chunk.rows > 0 { try ship() }
            }
        }, decode: { chunk in
            let ranking = handed.value.ranking
            // The pipeline's batches are the parallelism: each is re-ranked on one thread.
            return PreparedChunk(chunk: chunk, batch: Result { try store.read { tx in try ranking.prepare(chunk.claim, reading: tx, workers: 1) } })
        })
        defer { pipeline.cancel() }

        while let prepared = try pipeline.next() {
            let chunk = prepared.chunk
            summary.rows += chunk.rows
            summary.unknown += chunk.unknown
            summary.refused += chunk.refused
            for issue in chunk.issues { summary.report.add(issue) }
            for refusal in try ranking.write(try prepared.batch.get()) {
                let column = refusal.error.code == .desilOlderVersion ? DesilVersion.field : keyName
                var error = refusal.error
                if error.field == "id" || error.field == "nik" {
                    // Chunk lines ascend: find the row's key by its line.
                    var low = 0, high = chunk.lines.count
                    while low < high {
                        let middle = (low + high) / 2
                        if chunk.lines[middle] < refusal.line { low = middle + 1 } else { high = middle }
                    }
                    if low < chunk.lines.count, chunk.lines[low] == refusal.line { error.value = NIK.mask(chunk.keys[low]) }
                }
                summary.refused += 1
                summary.report.add(RowIssue(line: refusal.line, column: column, error: error))
            }
        }
        summary.updated = ranking.updated
        summary.unchanged = ranking.unchanged
    }

    /// The household a key names (nil: none in the store), and the head's NIK when the key is one.
    private static func resolve(_ text: String, by key: DesilImportOptions.Key, in tx: ReadTransaction) throws -> (HouseholdID?, NIK?) {
        switch key {
        case .kk:
            return (try tx.householdID(kk: try NomorKK(text)), nil)
        case .nik:
            let nik = try NIK(text)
            return (try tx.householdID(nik: nik), nik)
        case .sourceID:
            return (try tx.householdID(sourceID: try SourceID(text)), nil)
        }
    }

    private static func listAbsent(ranking: DesilRanking, options: DesilImportOptions, into summary: inout DesilImportSummary) throws {
        let writer = try options.absentFile.map { try CSVWriter(sink: try ByteSink(path: $0)) }
        try writer?.write(absentHeader)
        try ranking.forEachAbsent { id, kk, wilayah in
            summary.absent += 1
            summary.absentByWilayah[wilayah, default: 0] += 1
            try writer?.write([id.description, kk.text, wilayah.dotted])
        }
        try writer?.sink.close()
    }

    /// The absent-households file's columns.
    public static let absentHeader = ["id", "nomor_kk", "kode_wilayah"]
}
