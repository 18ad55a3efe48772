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
        var first = true
        var fieldCount = 0
        var lastWasEmpty = false
        for field in row {
            if !first { try sink.write(byte: delimiter.byte) }
            first = false
            fieldCount += 1
            var text = String(field)
            lastWasEmpty = text.isEmpty
            try text.withUTF8 { try writeField($0) }
        }
        // A lone empty field would be a blank line, which readers skip: write it as "".
        if fieldCount == 1 && lastWasEmpty { try sink.write([0x22, 0x22] as [UInt8]) }
        if lineEnding == .crlf { try sink.write(byte: 0x0D) }
        try sink.write(byte: 0x0A)
        rowCount += 1
    }

    /// Whether `field` must be quoted with this writer's delimiter.
    public func needsQuotes(_ field: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = field.first, let last = field.last else { return false }
        if first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 { return true }
        let d = delimiter.byte
        for b in field where b == d || b == 0x22 || b == 0x0A || b == 0x0D { return true }
        return false
    }

    private func writeField(_ field: UnsafeBufferPointer<UInt8>) throws {
        guard needsQuotes(field) else {
            try sink.write(UnsafeRawBufferPointer(field))
            return
        }
        try sink.write(byte: 0x22)
        var start = 0
        for (i, b) in field.enumerated() where b == 0x22 {
            try sink.write(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(field)[start...i]))
            try sink.write(byte: 0x22)
            start = i + 1
        }
        try sink.write(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(field)[start...]))
        try sink.write(byte: 0x22)
    }
}
