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
    public var actor = "import"
    /// Which key finds an existing household: the KK number (the default: ids are assigned by
    /// each store, so ids from another store's export mean nothing here) or the household id.
    public var matchBy = ColumnMapping.GroupKey.nomorKK

    public init() {}
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
/// A first pass validates every household (its own rules, and against the store: a NIK another
/// household holds, a row that matches two existing households) and collects every issue. Then,
/// unless issues stop it, a second pass writes the households in ONE transaction: a crash or
/// kill leaves the store exactly as it was. Both passes stream, in constant memory.
///
/// ```swift
/// var options = ImportOptions()
/// options.skipInvalid = true
/// let summary = try Importer.run(file: "bekasi.csv", into: store, options: options)
/// ```
public enum Importer {
    public static func run(file: String, format: FileFormat? = nil, into store: Store, options: ImportOptions) throws -> ImportSummary {
        guard let format = format ?? FileFormat(path: file) else {
            throw LumbungError(.fileIO, field: "file", value: file, rule: "say the format: the name ends in neither .csv nor .jsonl")
        }
        var summary = ImportSummary()
        var rejected = Set<Int>()
        var seenNIKs: [UInt64: Int] = [:]
        let policy: NIKPolicy = options.keepInvalidNIK ? .keepFlagged : .strict

        // Pass 1: validate everything, in batches checked against the store in short reads.
        var batch: [(index: Int, line: Int, household: Household)] = []
        func checkBatch() throws {
            try store.read { tx in
                for (index, line, household) in batch {
                    var issues: [RowIssue] = []
                    do {
                        let validated = try household.validated(policy: policy)
                        let existing = try existingID(of: validated, by: options.matchBy, in: tx, line: line, issues: &issues)
                        if existing != nil, options.onExisting == .fail {
                            issues.append(RowIssue(line: line, column: "nomor_kk", value: validated.nomorKK.masked, code: .importExists,
                                                   rule: "the household already exists as \(existing!) and --on-existing is fail"))
                        }
                        for (position, member) in validated.members.enumerated() {
                            guard let nik = member.nik.nik else { continue }
                            if let other = try tx.householdID(nik: nik), other != existing {
                                issues.append(RowIssue(line: line, column: "anggota[\(position)].nik", value: nik.masked, code: .nikDuplicate,
                                                       rule: "the NIK already belongs to household \(other) in the store"))
                            }
                            if format == .jsonl {
                                if let first = seenNIKs[nik.rawValue] {
                                    issues.append(RowIssue(line: line, column: "anggota[\(position)].nik", value: nik.masked, code: .nikDuplicate,
                                                           rule: "the NIK is also on line \(first) of the file"))
                                } else {
                                    seenNIKs[nik.rawValue] = line
                                }
                            }
                        }
                    } catch let error as LumbungError {
                        issues.append(RowIssue(line: line, column: error.field, error: error))
                    }
                    if !issues.isEmpty {
                        summary.report.add(RowIssues(issues: issues, firstLine: line))
                        rejected.insert(index)
                    }
                }
            }
            batch.removeAll(keepingCapacity: true)
        }
        try forEachHousehold(in: file, format: format, options: options) { index, line, result in
            summary.households += 1
            switch result {
            case .failure(let issues):
                summary.report.add(issues)
                rejected.insert(index)
            case .success(let household):
                batch.append((index, line, household))
                if batch.count == 5_000 { try checkBatch() }
            }
        }
        try checkBatch()
        summary.rejected = rejected.count
        if options.dryRun || (!rejected.isEmpty && !options.skipInvalid) { return summary }

        // Pass 2: write, in one transaction (re-run from the file if the map must grow).
        let counts = try store.bulkLoad(actor: options.actor, nikPolicy: policy) { loader in
            summary.skipped = 0
            summary.flaggedMembers = 0
            var ignored: [RowIssue] = []
            try forEachHousehold(in: file, format: format, options: options) { index, line, result in
                guard !rejected.contains(index), case .success(var household) = result else { return }
                if let existing = try existingID(of: household, by: options.matchBy, in: loader.tx, line: line, issues: &ignored) {
                    if options.onExisting == .skip {
                        summary.skipped += 1
                        return
                    }
                    household.id = existing
                } else {
                    household.id = nil
                }
                summary.flaggedMembers += household.members.filter { $0.nik.nik == nil }.count
                try loader.add(household)
            }
        }
        summary.inserted = counts.inserted
        summary.updated = counts.updated
        summary.unchanged = counts.unchanged
        summary.wrote = true
        return summary
    }

    /// The stored household this one matches. By id, a row whose KK belongs to another
    /// household matches two, and that is an issue, never a guess.
    static func existingID(of household: Household, by key: ColumnMapping.GroupKey, in tx: ReadTransaction, line: Int, issues: inout [RowIssue]) throws -> HouseholdID? {
        let byKK = try tx.householdID(kk: household.nomorKK)
        guard key == .id else { return byKK }
        let byID = try household.id.flatMap { try tx.contains(id: $0) ? $0 : nil }
        if let byID, let byKK, byID != byKK {
            issues.append(RowIssue(line: line, column: "nomor_kk", value: household.nomorKK.masked, code: .importAmbiguous,
                                   rule: "the row matches household \(byID) by id and household \(byKK) by KK; fix one, Lumbung will not guess"))
            return nil
        }
        return byID ?? byKK
    }

    /// Streams the file's households in order, with their index and first line.
    static func forEachHousehold(in file: String, format: FileFormat, options: ImportOptions,
                                 _ body: (Int, Int, Result<Household, RowIssues>) throws -> Void) throws {
        var index = 0
        switch format {
        case .jsonl:
            let source = try ByteSource(path: file)
            while let line = try source.nextLine() {
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                try body(index, source.lineNumber, JSONLines.decode(line: source.lineNumber, line))
                index += 1
            }
        case .csv:
            let reader = try CSVReader(path: file, delimiter: options.delimiter, encoding: options.encoding)
            guard let header = reader.header else { return }
            var decoder = try FlatRowDecoder(header: header, mapping: options.mapping, options: .init(keepInvalidNIK: options.keepInvalidNIK))
            var firstLine: Int?
            while let record = try reader.next() {
                if let result = decoder.push(line: record.line, row: record.fields) {
                    try body(index, firstLine ?? record.line, result)
                    index += 1
                    firstLine = record.line
                } else if firstLine == nil {
                    firstLine = record.line
                }
            }
            if let result = decoder.finish() { try body(index, firstLine ?? 1, result) }
        }
    }
}

extension LumbungError.Code {
    public static let importExists: Self = "import.exists"
    public static let importAmbiguous: Self = "import.ambiguous"
}
