import Foundation
import Lumbung

/// How an import treats bad rows and households that already exist.
public struct ImportOptions: Sendable {
    /// What a household that already exists in the store (same id or KK) gets.
    public enum OnExisting: String, CaseIterable, Sendable {
        case update, skip, fail
    }

    public var onExisting = OnExisting.update
    /// Write the valid households and report the rest (default: all or nothing).
    public var skipInvalid = false
    /// Validate and report without writing.
    public var dryRun = false
    /// Store members with a missing or invalid NIK flagged (a legacy register), not refuse them.
    public var keepInvalidNIK = false
    public var mapping = ColumnMapping.lumbungDefault
    public var encoding = CSVTextEncoding.utf8
    public var delimiter: CSVDelimiter?
    /// The .xlsx sheet to read (by name); `nil` reads the first sheet in workbook order.
    public var sheet: String?
    public var actor = "import"
    /// Which key finds an existing household: the KK number (the default: ids are assigned by
    /// each store, so ids from another store's export mean nothing here), the household id, or
    /// the source register's id (`id_sumber`; a household without one is reported).
    /// By id, a new household keeps the id it has in the file (and its `updated_at`), so an
    /// export imported into an empty store reproduces the records exactly, ids included.
    public var matchBy = ColumnMapping.GroupKey.nomorKK
    /// Called now and then on the importing thread with how far the import got.
    public var progress: (@Sendable (ImportProgress) -> Void)?

    public init() {}
}

/// How far an import got: households read, and input bytes read of the file's size.
public struct ImportProgress: Sendable {
    public var households: Int
    public var bytesRead: Int
    /// The input file's size in bytes (compressed, for `.zst`); 0 when unknown (a pipe).
    public var bytesTotal: Int
}

/// What an import did.
public struct ImportSummary: Sendable {
    public var households = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var skipped = 0
    public var rejected = 0
    /// Members stored with a missing or invalid NIK (only with `keepInvalidNIK`).
    public var flaggedMembers = 0
    /// False when issues stopped an all-or-nothing import, or for a dry run.
    public var wrote = false
    public var report = IssueReport()
}

/// Imports households from a flat CSV or JSON Lines file (optionally `.zst`), upserting by
/// household id or KK, idempotently.
///
/// One pass over the file: a reader thread parses and groups rows, the cores decode households,
/// a thread checks each against the file so far, and this thread checks it against the store and
/// writes it, all in ONE transaction. All or nothing by default: after the first bad household
/// nothing more is written, every issue is still collected, and the transaction is rolled back,
/// so a failed, crashed or killed import leaves the store exactly as it was. Memory stays bounded.
///
/// ```swift
/// var options = ImportOptions()
/// options.skipInvalid = true
/// let summary = try Importer.run(file: "bekasi.csv", into: store, options: options)
/// ```
public enum Importer {
    /// What an import holds whatever the file's size, and what grows with it: the pipeline's
    /// batches (decoding, and checked by the file checks' stage: its waiting batches, the one it
    /// fills and the one being written), the bulk loader's bound, and the file-wide checks' memory
    /// of each NIK, Nomor KK and source id (``FlatFileChecks``), held until reading ends. For `--help`.
    public static var memoryBound: String {
        "\(DecodePipeline<Int, Int>.depth) batches of \(DecodePipeline<Int, Int>.batchSize) households being decoded, "
            + "\(InOrderStage<DecodePipeline<Int, Int>, Int>.depth + 2) of \(InOrderStage<DecodePipeline<Int, Int>, Int>.batchSize) checked against the file, "
            + "\(BulkLoader.memoryBound(laterDeferredLimit: laterDeferredLimit)), and, while the file is read, about \(SixteenDigitLines.bytesPerNumber) bytes for each NIK "
            + "and Nomor KK of the file and each source id's characters (about 1.7 GB resident in all at 10M households of four "
            + "members, at the last full flush of held entries; the checks are forgotten before the last flush and the commit)"
    }

    /// The households whose index entries the loader holds once the store's indexes hold entries:
    /// half the bulk load's default, since an import also holds the file-wide checks, which grow
    /// with the file and peak beside a full set of held entries (about 330 MB less at 10M
    /// households, for more, smaller writes of them). The first entries of an empty store are
    /// held as many as by default: they are appended, packed full, and the checks are small then.
    static let laterDeferredLimit = BulkLoader.deferredLimit / 2

    public static func run(file: String, format: FileFormat? = nil, into store: Store, options: ImportOptions) throws -> ImportSummary {
        let format = try checkInput(file: file, format: format)
        return try withRereadableInput(file) { path in try load(path: path, format: format, into: store, options: options) }
    }

    private static func load(path: String, format: FileFormat, into store: Store, options: ImportOptions) throws -> ImportSummary {
        let input = try ImportInput(path: path, format: format, options: options)

        if options.dryRun {
            var run = ImportRun(options: options, input: input)
            try run.scan(batched: { body in try store.read { tx in try body(tx) } })
            return run.summary
        }
        let policy: NIKPolicy = options.keepInvalidNIK ? .keepFlagged : .strict
        try store.reserveSpace(try spaceToReserve(for: input, in: store))
        var run = ImportRun(options: options, input: input)
        do {
            let counts = try store.bulkLoad(actor: options.actor, nikPolicy: policy, deferredLimit: BulkLoader.deferredLimit, laterDeferredLimit: laterDeferredLimit) { loader in
                run = ImportRun(options: options, input: input)  // a load retried after growing the map starts over
                try run.scan(loader: loader)
                if run.summary.rejected > 0 && !options.skipInvalid { throw RollBack() }
                try loader.recordRegisterImport("\(path), statuses as in the file")
            }
            run.summary.inserted = counts.inserted
            run.summary.updated = counts.updated
            run.summary.unchanged = counts.unchanged
            run.summary.wrote = true
        } catch is RollBack {
            run.summary.wrote = false
        }
        return run.summary
    }

    /// What the map should hold beyond the store's pages before loading `input`, so the one
    /// transaction does not fill it and start over: the store takes about three times a
    /// compressed file's bytes (10M households: 1.25 GB of CSV.zst, 3.6 GB of store) and less
    /// than a plain file's, and a load into a full store may copy each page it touches once.
    static func spaceToReserve(for input: ImportInput, in store: Store) throws -> Int {
        let compressed = try input.format == .xlsx || ByteSource(path: input.path).isCompressed
        let stored = try store.fileInfo()
        return input.bytesTotal * (compressed ? 4 : 1) + stored.usedPages * stored.pageSize
    }

    /// The input's format, given or from its name, once the input is found not to be a directory.
    /// - Throws: `file.isDirectory`; `file.format` when neither says the format.
    public static func checkInput(file: String, format: FileFormat?) throws -> FileFormat {
        if file != "-" { try ByteSource.refuseDirectory(file) }
        guard let format = format ?? FileFormat(path: file) else {
            throw LumbungError(.fileFormat, field: "file", value: file, rule: "say the format: the name ends in neither .csv, .jsonl nor .ndjson (optionally .zst), nor .xlsx")
        }
        return format
    }

    /// Thrown inside the load to roll it back when issues stop an all-or-nothing import.
    struct RollBack: Error {}

    /// Runs `body` with a path to `file` that can be read more than once: a directory is refused,
    /// and standard input (`-`) is copied to a temporary file, removed afterwards (a write that
    /// must grow the map reads its input again). Every importer reads its input through this.
    static func withRereadableInput<R>(_ file: String, _ body: (String) throws -> R) throws -> R {
        if file != "-" { try ByteSource.refuseDirectory(file) }
        let path = file == "-" ? try spoolStandardInput() : file
        defer { if path != file { try? FileManager.default.removeItem(atPath: path) } }
        return try body(path)
    }

    /// Copies standard input to a temporary file.
    private static func spoolStandardInput() throws -> String {
        let path = NSTemporaryDirectory() + "lumbung-import-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw LumbungError(.fileIO, field: path, rule: "cannot create a temporary file for standard input")
        }
        defer { try? out.close() }
        while true {
            let data = FileHandle.standardInput.readData(ofLength: 1 << 20)
            if data.isEmpty { break }
            try out.write(contentsOf: data)
        }
        return path
    }

    /// The stored household this one matches. By id or source id, a row whose KK belongs to
    /// another household matches two, and that is an issue, never a guess; by source id, a
    /// household without one is an issue too.
    static func existingID(of household: Household, by key: ColumnMapping.GroupKey, in tx: ReadTransaction, line: Int, issues: inout [RowIssue]) throws -> HouseholdID? {
        let byKK = try tx.householdID(kk: household.nomorKK)
        let byKey: HouseholdID?
        switch key {
        case .nomorKK:
            return byKK
        case .id:
            byKey = try household.id.flatMap { try tx.contains(id: $0) ? $0 : nil }
        case .sourceID:
            guard let sourceID = household.sourceID else {
                issues.append(RowIssue(line: line, column: FlatField.sourceID.name, value: "", code: .rowGroupKeyMissing,
                                       rule: "households are matched by \(FlatField.sourceID.name), which this household lacks"))
                return nil
            }
            byKey = try tx.householdID(sourceID: sourceID)
        }
        if let byKey, let byKK, byKey != byKK {
            issues.append(RowIssue(line: line, column: "nomor_kk", value: household.nomorKK.masked, code: .importAmbiguous,
                                   rule: "the row matches household \(byKey) by \(key.rawValue) and household \(byKK) by KK; fix one, Lumbung will not guess"))
            return nil
        }
        return byKey ?? byKK
    }
}

extension LumbungError.Code {
    public static let importExists = Self("import.exists", .conflict)
    public static let importAmbiguous = Self("import.ambiguous", .conflict)
}
