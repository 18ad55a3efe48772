import Foundation
import Lumbung

/// Where a pemadanan list's NIKs are in a file: one a line, or a column of a CSV file or of an
/// .xlsx workbook's first sheet. `lumbung match` and `POST /v1/match` read their input here.
///
/// Lines: 16 valid digits go to the matcher without a string; anything else is trimmed, and a
/// blank line is skipped. CSV and XLSX: the column is found in the header (exact, then trimmed)
/// (``CSVReader/index(ofColumn:in:)``) and each later row's cell is a NIK, an empty one reported as invalid; XLSX numeric cells are
/// read as identifiers, so a NIK Excel rounded shows as such (``SpreadsheetText/identifier(_:)``).
///
/// ```swift
/// let input = MatchInput.csv(column: "NIK")
/// try input.forEachNIK(in: "penerima.csv") { line, text in try matcher.add(line: line, text: text) }
/// ```
public enum MatchInput: Sendable, Hashable {
    case lines
    case csv(column: String)
    case xlsx(column: String)

    /// The column the NIKs are in (nil: one NIK a line).
    public var column: String? {
        switch self {
        case .lines: nil
        case .csv(let column), .xlsx(let column): column
        }
    }

    /// Hands each NIK of the file at `path` to `matcher`, with its line (or sheet row) number.
    /// - Throws: `csv.header` naming the column asked for and the columns there are; the
    ///   readers' errors for a file they cannot read (`csv.*`, `xlsx.*`, `file.*`).
    public func forEachNIK(in path: String, _ matcher: SortedMatcher) throws {
        let add = { (line: Int, text: String) in try matcher.add(line: line, text: text) }
        guard case .lines = self else { return try forEachNIK(in: path, add) }
        try Self.forEachLine(in: path, digits: { line, digits in try matcher.add(line: line, digits: digits) }, add)
    }

    /// Calls `body` with each NIK of the file at `path` as text, with its line number (blank
    /// lines of a list skipped), without matching it: ``forEachNIK(in:_:)-(_,SortedMatcher)``'s
    /// walk, for checking and counting an input before answering it.
    public func forEachNIK(in path: String, _ body: (_ line: Int, _ text: String) throws -> Void) throws {
        switch self {
        case .lines:
            try Self.forEachLine(in: path, digits: nil, body)
        case .csv(let column):
            let reader = try CSVReader(path: path)
            let index = try reader.requireColumn(column)
            while let record = try reader.next() {
                try body(record.line, index < record.fields.count ? record.fields[index] : "")
            }
        case .xlsx(let column):
            let reader = try XLSXReader(path: path)
            let header = try reader.firstRow()
            guard let header, let index = CSVReader.index(ofColumn: column, in: header.cells) else {
                throw CSVReader.noSuchColumn(column, header: header?.cells ?? [], file: path)
            }
            try reader.forEachRow(identifierColumns: [index]) { row in
                if row.line != header.line { try body(row.line, index < row.cells.count ? row.cells[index] : "") }
                return true
            }
        }
    }

    /// A list's lines: each first offered as bytes to `digits` (when given), which takes 16
    /// valid digits and returns false for anything else; that is trimmed and handed to `text`,
    /// unless blank.
    private static func forEachLine(
        in path: String, digits: ((Int, UnsafeBufferPointer<UInt8>) throws -> Bool)?, _ text: (Int, String) throws -> Void
    ) throws {
        let source = try ByteSource(path: path)
        while let line = try source.nextLine() {
            if let digits, try line.withUnsafeBufferPointer({ try digits(source.lineNumber, $0) }) { continue }
            let trimmed = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { try text(source.lineNumber, trimmed) }
        }
    }
}
