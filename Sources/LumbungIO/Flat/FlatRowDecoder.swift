import Foundation
import Lumbung

/// Reads flat rows (one per member, household columns repeated) back into households.
///
/// Feed it the rows in file order; it groups consecutive rows with the same ``ColumnMapping/groupBy``
/// value into one household and hands back each household when its group ends, as a `Result`:
/// the household, or every ``RowIssue`` found in its rows (not just the first).
///
/// ```swift
/// var decoder = try FlatRowDecoder(header: header, mapping: .lumbungDefault)
/// for (line, row) in rows {
///     if let result = decoder.push(line: line, row: row) { handle(result) }
/// }
/// if let result = decoder.finish() { handle(result) }
/// ```
///
/// Across the whole file it remembers, compactly, every NIK (`[UInt64: UInt32]`, 16 digits → line)
/// to report `nik.duplicate`, every finished group key to report `row.groupNotContiguous`, and,
/// when grouping by id, every Nomor KK to report `kk.duplicate` (the store keeps KKs unique).
///
/// Checks: column count (`row.columnCount`), empty group key (`row.groupKeyMissing`), household
/// columns that differ between rows (`row.householdMismatch`), Nomor KK and NIK with the exact rule
/// (`kk.*`, `nik.*`, incl. `nik.spreadsheetMangled`; an invalid or missing NIK is kept flagged under
/// ``Options/keepInvalidNIK``, as is a NIK contradicting the member's sex or birth date), kode wilayah
/// (`wilayah.*`, must be a desa), status, program, desil, RT/RW, dates, coded member fields, one head
/// (`household.noHead` / `household.manyHeads`), member count, text lengths, attribute codes.
/// An empty `status` cell reads as `usulan`; an empty `keberadaan` as `tinggal_bersama`.
public struct FlatRowDecoder: Sendable {
    /// What the decoder accepts.
    public struct Options: Sendable, Hashable {
        /// Keep members whose NIK is invalid or missing, flagged (``MemberNIK/invalid(_:reason:)``),
        /// instead of reporting the household; pair it with ``NIKPolicy/keepFlagged`` on write.
        public var keepInvalidNIK: Bool
        public init(keepInvalidNIK: Bool = false) { self.keepInvalidNIK = keepInvalidNIK }
    }

    public let header: [String]
    public let mapping: ColumnMapping
    public let options: Options
    /// The field of each column (nil for an ignored column), then one per constant of the mapping.
    public let fields: [FlatField?]

    let grouper: FlatRowGrouper<[String]>
    let householdDecoder: FlatHouseholdDecoder
    let fileChecks: FlatFileChecks
    private var groups: FlatRowGrouper<[String]>
    private var checks: FlatFileChecks

    /// Resolves the header against the mapping.
    /// - Throws: ``RowIssues`` on `headerLine` for unmapped columns and mapping errors.
    public init(header: [String], mapping: ColumnMapping = .lumbungDefault, options: Options = Options(), headerLine: Int = 1)
        throws(RowIssues)
    {
        self.header = header
        self.mapping = mapping
        self.options = options
        let resolved: ColumnMapping.Resolved
        switch mapping.resolved(header: header, line: headerLine) {
        case .success(let result): resolved = result
        case .failure(let issues): throw issues
        }
        let fields = resolved.fields
        self.fields = fields
        func columnName(_ field: FlatField) -> String { fields.firstIndex(of: field).map { resolved.names[$0] } ?? field.name }
        grouper = FlatRowGrouper(header: header, groupColumn: fields.firstIndex(of: mapping.groupBy.field)!, groupBy: mapping.groupBy)
        householdDecoder = FlatHouseholdDecoder(
            header: resolved.names, mapping: mapping, options: options, fields: fields, translator: RowTranslator(resolved))
        fileChecks = FlatFileChecks(
            nikColumn: columnName(.memberNIK), kkColumn: columnName(.nomorKK), sourceIDColumn: columnName(.sourceID),
            checksKK: mapping.groupBy != .nomorKK, checksSourceID: mapping.groupBy != .sourceID)
        groups = grouper
        checks = fileChecks
    }

    /// The same grouping over CSV records read as bytes (the import's fast path).
    var cellGrouper: FlatRowGrouper<CSVCells> {
        FlatRowGrouper(header: grouper.header, groupColumn: grouper.groupColumn, groupBy: grouper.groupBy)
    }

    /// The number of distinct NIKs seen so far.
    public var nikCount: Int { checks.nikCount }

    /// Takes the next row; returns the previous household when this row starts a new one.
    public mutating func push(line: Int, row: [String]) -> Result<Household, RowIssues>? {
        guard let group = groups.push(line: line, row: row) else { return nil }
        return checks.check(householdDecoder.decode(group))
    }

    /// Ends the input: returns the last household, if any.
    public mutating func finish() -> Result<Household, RowIssues>? {
        guard let group = groups.finish() else { return nil }
        return checks.check(householdDecoder.decode(group))
    }

    /// Decodes a whole file's rows at once (tests, small files).
    ///
    /// ```swift
    /// let results = try FlatRowDecoder.decode(header: header, rows: zip(2..., rows).map { ($0, $1) })
    /// ```
    public static func decode(
        header: [String], rows: some Sequence<(Int, [String])>, mapping: ColumnMapping = .lumbungDefault,
        options: Options = Options()
    ) throws(RowIssues) -> [Result<Household, RowIssues>] {
        var decoder = try FlatRowDecoder(header: header, mapping: mapping, options: options)
        var results: [Result<Household, RowIssues>] = []
        for (line, row) in rows {
            if let result = decoder.push(line: line, row: row) { results.append(result) }
        }
        if let result = decoder.finish() { results.append(result) }
        return results
    }
}
