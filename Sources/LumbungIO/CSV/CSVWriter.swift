import Lumbung

/// Writes CSV rows to a ``ByteSink``, quoting only the fields that need it.
///
/// A field is quoted when it contains the delimiter, a quote, CR or LF, or starts or ends
/// with a space or tab; quotes inside are doubled. Lines end in `\n` unless you ask for `\r\n`.
///
/// ```swift
/// let sink = try ByteSink(path: "ekspor.csv")
/// let writer = try CSVWriter(sink: sink)                     // `,` and `\n`, no BOM
/// try writer.write(["nomor_kk", "nama"])
/// try writer.write(["3216010101010001", "Siti \"Ani\" Rahayu"])
/// try sink.close()
/// ```
public final class CSVWriter {
    /// A line terminator.
    public enum LineEnding: Sendable, Hashable {
        case lf
        case crlf
    }

    public let sink: ByteSink
    public let delimiter: CSVDelimiter
    public let lineEnding: LineEnding
    /// Rows written so far.
    public private(set) var rowCount = 0

    /// - Parameter byteOrderMark: writes a UTF-8 BOM first (some Excel versions want it).
    public init(
        sink: ByteSink, delimiter: CSVDelimiter = .comma, lineEnding: LineEnding = .lf, byteOrderMark: Bool = false
    ) throws {
        self.sink = sink
        self.delimiter = delimiter
        self.lineEnding = lineEnding
        if byteOrderMark { try sink.write([0xEF, 0xBB, 0xBF] as [UInt8]) }
    }

    /// Writes one row.
    public func write<Row: Sequence>(_ row: Row) throws where Row.Element: StringProtocol {
        // The row is assembled in a reused buffer and handed to the sink in one call.
        var line = self.line
        self.line = []
        defer { self.line = line }
        line.removeAll(keepingCapacity: true)
        Self.encode(row, delimiter: delimiter, lineEnding: lineEnding, into: &line)
        try sink.write(line)
        rowCount += 1
    }

    /// Appends one row's bytes, line ending included, to `line`: what ``write(_:)`` writes,
    /// for callers that encode rows on several threads and write the bytes in order.
    public static func encode<Row: Sequence>(
        _ row: Row, delimiter: CSVDelimiter = .comma, lineEnding: LineEnding = .lf, into line: inout [UInt8]
    ) where Row.Element: StringProtocol {
        var fieldCount = 0
        var lastWasEmpty = false
        for field in row {
            if fieldCount > 0 { line.append(delimiter.byte) }
            fieldCount += 1
            var text = String(field)
            lastWasEmpty = text.isEmpty
            text.withUTF8 { append($0, delimiter: delimiter, to: &line) }
        }
        // A lone empty field would be a blank line, which readers skip: write it as "".
        if fieldCount == 1 && lastWasEmpty { line += [0x22, 0x22] }
        if lineEnding == .crlf { line.append(0x0D) }
        line.append(0x0A)
    }

    /// Whether `field` must be quoted with this writer's delimiter.
    public func needsQuotes(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        Self.needsQuotes(field, delimiter: delimiter)
    }

    static func needsQuotes(_ field: UnsafeBufferPointer<UInt8>, delimiter: CSVDelimiter) -> Bool {
        guard let first = field.first, let last = field.last else { return false }
        if first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 { return true }
        let d = delimiter.byte
        for b in field where b == d || b == 0x22 || b == 0x0A || b == 0x0D { return true }
        return false
    }

    private var line: [UInt8] = []

    /// One field as ``encode(_:delimiter:lineEnding:into:)`` writes it (comma-delimited), for
    /// callers that assemble rows from parts (``MatchOutput``).
    static func appendField(_ field: UnsafeBufferPointer<UInt8>, to line: inout [UInt8]) {
        append(field, delimiter: .comma, to: &line)
    }

    static func appendField(_ field: String, to line: inout [UInt8]) {
        var field = field
        field.withUTF8 { append($0, delimiter: .comma, to: &line) }
    }

    private static func append(_ field: UnsafeBufferPointer<UInt8>, delimiter: CSVDelimiter, to line: inout [UInt8]) {
        guard needsQuotes(field, delimiter: delimiter) else {
            line.append(contentsOf: field)
            return
        }
        line.append(0x22)
        for b in field {
            line.append(b)
            if b == 0x22 { line.append(0x22) }
        }
        line.append(0x22)
    }
}
