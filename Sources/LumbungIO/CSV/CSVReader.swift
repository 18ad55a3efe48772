#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import Lumbung

/// A field separator: `,` (the default), `;` (Indonesian Excel) or any ASCII byte.
public struct CSVDelimiter: Sendable, Hashable, CustomStringConvertible {
    public let byte: UInt8
    public init(byte: UInt8) { self.byte = byte }
    public static let comma = CSVDelimiter(byte: UInt8(ascii: ","))
    public static let semicolon = CSVDelimiter(byte: UInt8(ascii: ";"))
    public static let tab = CSVDelimiter(byte: 0x09)
    public var description: String { byte == 0x09 ? "\\t" : String(UnicodeScalar(byte)) }
}

/// How the bytes of a CSV file are to be read as text.
public enum CSVTextEncoding: Sendable, Hashable {
    /// Strict UTF-8: invalid bytes are a `csv.encoding` error naming line and column.
    case utf8
    /// Windows-1252 (old Excel): every byte is converted; 0x80–0x9F per the Windows-1252
    /// table, 0xA0–0xFF to U+00A0–U+00FF.
    case windows1252
}

/// One CSV record: its fields and the physical line on which it starts.
public struct CSVRecord: Sendable, Hashable, RandomAccessCollection {
    /// The 1-based physical line where the record starts (quoted newlines make records span lines).
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { fields.count }
    public subscript(position: Int) -> String { fields[position] }
}

/// A streaming RFC 4180 CSV reader over a ``ByteSource``.
///
/// Handles quoted fields (`""` escapes, delimiters and newlines inside quotes), LF, CRLF or
/// bare-CR line ends, a UTF-8 BOM, and detects `,` versus `;` from the header line (or takes
/// the one you force). Blank lines are skipped. Works on bytes; memory stays at one buffer
/// plus the current record.
///
/// ```swift
/// let reader = try CSVReader(path: "keluarga.csv.zst")     // header read, delimiter detected
/// let nikColumn = try reader.requireColumn("nik")
/// while let record = try reader.next() {
///     try reader.checkColumnCount(record)                  // csv.columnCount with the line
///     print(record.line, record[nikColumn])
/// }
/// ```
public final class CSVReader {
    /// The separator in use (detected or forced).
    public private(set) var delimiter: CSVDelimiter
    /// The column names from the first record, when `hasHeader` was true.
    public private(set) var header: [String]?
    /// How bytes are decoded.
    public let encoding: CSVTextEncoding
    /// The source's name, for messages.
    public var name: String { source.name }
    /// How many bytes of the input were read so far, for progress.
    public var bytesConsumed: Int { source.bytesConsumed }
    /// Records longer than this (in bytes) are an error: almost always an unclosed quote.
    public var maximumRecordSize = 64 << 20

    private let source: ByteSource
    private var buffer: [UInt8]
    private var position = 0
    private var end = 0
    private var isAtEOF = false
    private var line = 1
    /// A quoted record's cells, unquoted, laid out as ``CSVCellLayout`` says.
    private var fieldBytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    /// Where the current record's bytes are: in `buffer` (no quotes: the record as read) or in
    /// `fieldBytes` (quoted).
    private var record: (inBuffer: Bool, start: Int, count: Int) = (false, 0, 0)
    /// The current record's cell ends, relative to its first byte (see ``CSVCellLayout``).
    private var recordEnds: UnsafeMutablePointer<Int32>
    private var recordEndsCapacity = 64
    private var recordEndCount = 0
    /// The block the next records' cells go to (``nextCells()``).
    private var cellBlock: CSVCellBlock?
    private var delimiterKnown: Bool

    /// Opens `path` (`-` for stdin; `.zst` decompressed) and reads the header if asked.
    /// - Parameters:
    ///   - delimiter: `nil` detects `,` or `;` from the first line.
    public convenience init(
        path: String, delimiter: CSVDelimiter? = nil, encoding: CSVTextEncoding = .utf8, hasHeader: Bool = true
    ) throws {
        try self.init(
            source: ByteSource(path: path), delimiter: delimiter, encoding: encoding, hasHeader: hasHeader)
    }

    /// Reads CSV from `source`; reads the header if asked.
    public init(
        source: ByteSource, delimiter: CSVDelimiter? = nil, encoding: CSVTextEncoding = .utf8, hasHeader: Bool = true
    ) throws {
        self.source = source
        self.encoding = encoding
        self.delimiter = delimiter ?? .comma
        self.delimiterKnown = delimiter != nil
        self.buffer = [UInt8](repeating: 0, count: source.chunkSize * 2)
        self.recordEnds = .allocate(capacity: recordEndsCapacity)
        try fill()
        // Skip a UTF-8 byte-order mark.
        while end - position < 3 && !isAtEOF { try fill() }
        if end - position >= 3 && buffer[position] == 0xEF && buffer[position + 1] == 0xBB
            && buffer[position + 2] == 0xBF
        {
            position += 3
        }
        if !delimiterKnown { try detectDelimiter() }
        if hasHeader {
            guard let first = try next() else {
                throw LumbungError(.csvHeader, field: source.name, rule: "the file is empty: a header line is expected")
            }
            header = first.fields
        }
    }

    deinit { recordEnds.deallocate() }

    /// The index of the column named `name` in the header (exact match after trimming spaces).
    public func index(ofColumn name: String) -> Int? {
        header.flatMap { Self.index(ofColumn: name, in: $0) }
    }

    /// The index of the column named `name`, or a `csv.header` error listing the columns there are.
    public func requireColumn(_ name: String) throws -> Int {
        if let index = index(ofColumn: name) { return index }
        throw Self.noSuchColumn(name, header: header ?? [], file: source.name)
    }

    /// The index of the column named `name` in any header row (a sheet's too): exact, then
    /// with spaces trimmed.
    public static func index(ofColumn name: String, in header: [String]) -> Int? {
        header.firstIndex { $0 == name } ?? header.firstIndex { trimmed($0) == trimmed(name) }
    }

    /// The `csv.header` error for a column `header` lacks, listing the columns there are.
    public static func noSuchColumn(_ name: String, header: [String], file: String) -> LumbungError {
        LumbungError(.csvHeader, field: file, value: name, rule: "no such column; the header has: \(header.joined(separator: ", "))")
    }

    /// Throws `csv.columnCount` (naming the line) when `record` has a different field count than the header.
    public func checkColumnCount(_ record: CSVRecord) throws {
        guard let header, record.count != header.count else { return }
        throw LumbungError(
            .csvColumnCount, field: "\(source.name) line \(record.line)",
            rule: "the record has \(record.count) field\(record.count == 1 ? "" : "s") but the header has \(header.count)"
                + (record.count > header.count
                    ? " (an unquoted '\(delimiter)' inside a value?)" : ""))
    }

    /// The next record, or `nil` at the end of the input. Blank lines are skipped.
    public func next() throws -> CSVRecord? {
        guard let line = try nextRecordBytes() else { return nil }
        return CSVRecord(line: line, fields: try withRecord { bytes, ends in try decode(bytes, ends, line: line) })
    }

    /// The next record's cells as UTF-8 bytes, without a `String` per field (the import's fast
    /// path), or `nil` at the end. The bytes are checked as ``next()`` checks them, with the
    /// same `csv.encoding` error; only for ``CSVTextEncoding/utf8``.
    func nextCells() throws -> (line: Int, cells: CSVCells)? {
        guard let line = try nextRecordBytes() else { return nil }
        let cells = try withRecord { bytes, ends in
            var ascii: UInt8 = 0
            for byte in bytes { ascii |= byte }
            // Not all ASCII: decoding the fields checks the UTF-8 and names a bad byte exactly as next() does.
            if ascii >= 0x80 { _ = try decode(bytes, ends, line: line) }
            if cellBlock == nil || !cellBlock!.fits(byteCount: bytes.count, cellCount: ends.count) {
                cellBlock = CSVCellBlock(
                    byteCapacity: max(CSVCellBlock.standardByteCapacity, bytes.count),
                    endCapacity: max(CSVCellBlock.standardByteCapacity / 4, ends.count))
            }
            return cellBlock!.append(bytes: bytes, ends: ends)
        }
        return (line, cells)
    }

    /// Calls `body` with the current record's bytes and cell ends (valid only inside).
    private func withRecord<R>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int32>) throws -> R) rethrows -> R {
        let ends = UnsafeBufferPointer(start: recordEnds, count: recordEndCount)
        if record.inBuffer {
            return try buffer.withUnsafeBufferPointer { all in
                try body(UnsafeBufferPointer(rebasing: all[record.start..<(record.start + record.count)]), ends)
            }
        }
        return try fieldBytes.withUnsafeBufferPointer { all in try body(all, ends) }
    }

    /// Makes room for `count` cell ends of the current record.
    private func reserveRecordEnds(_ count: Int) {
        guard count > recordEndsCapacity else { return }
        recordEnds.deallocate()
        recordEndsCapacity = max(count, recordEndsCapacity * 2)
        recordEnds = .allocate(capacity: recordEndsCapacity)
    }

    /// Finds the next record (a plain one in place, a quoted one parsed into `fieldBytes`) and
    /// its cell ends; returns the line it starts on.
    private func nextRecordBytes() throws -> Int? {
        while true {
            // Skip blank lines.
            if position == end {
                if isAtEOF { return nil }
                try fill()
                continue
            }
            let first = buffer[position]
            if first == 0x0A {
                position += 1
                line += 1
                continue
            }
            if first == 0x0D {
                if position + 1 == end && !isAtEOF {
                    try fill()
                    continue
                }
                position += 1
                if position < end && buffer[position] == 0x0A { position += 1 }
                line += 1
                continue
            }
            if let plain = plainRecord() {
                let start = line
                record = (true, position, plain.count)
                position += plain.count + plain.terminator
                line += plain.terminator > 0 ? 1 : 0
                return start
            }
            fieldBytes.removeAll(keepingCapacity: true)
            fieldEnds.removeAll(keepingCapacity: true)
            let outcome = buffer.withUnsafeBufferPointer { base in
                CSVReader.parseRecord(
                    base.baseAddress!, from: position, to: end, atEOF: isAtEOF, delimiter: delimiter.byte,
                    bytes: &fieldBytes, ends: &fieldEnds)
            }
            switch outcome {
            case .needMore:
                if end - position > maximumRecordSize {
                    throw LumbungError(
                        .csvQuoting, field: "\(source.name) line \(line)",
                        rule: "a record is longer than \(maximumRecordSize >> 20) MiB: a quoted field is probably never closed")
                }
                try fill()
            case .record(let next, let newlines):
                let start = line
                position = next
                line += newlines
                reserveRecordEnds(fieldEnds.count)
                for (index, stop) in fieldEnds.enumerated() { recordEnds[index] = Int32(stop) }
                recordEndCount = fieldEnds.count
                record = (false, 0, fieldBytes.count)
                return start
            case .unterminated:
                throw LumbungError(
                    .csvQuoting, field: "\(source.name) line \(line), column \(fieldEnds.count + 1)",
                    rule: "a quoted field opened here is never closed: the file ends inside quotes")
            case .strayAfterQuote(let newlines, let byte):
                let shown = byte >= 0x20 && byte < 0x7F ? "'\(UnicodeScalar(byte))'" : "byte 0x\(hex(byte))"
                throw LumbungError(
                    .csvQuoting, field: "\(source.name) line \(line + newlines), column \(fieldEnds.count + 1)",
                    rule: "\(shown) follows the closing quote of a quoted field; a quote inside a quoted field must be doubled (\"\")")
            }
        }
    }

    // MARK: - Parsing

    /// The record at `position` when it is a whole line without a quote or a bare CR (nearly
    /// every record): its length and its line end's length (LF 1, CRLF 2, none at the end of
    /// input 0), with its cell ends in `recordEnds`; nil for the general parser (quotes, a CR
    /// alone, or a line not yet wholly in the buffer).
    private func plainRecord() -> (count: Int, terminator: Int)? {
        buffer.withUnsafeBufferPointer { all -> (count: Int, terminator: Int)? in
            let start = all.baseAddress! + position
            let available = end - position
            var count: Int
            var terminator: Int
            if let lf = memchr(start, 0x0A, available) {
                count = UnsafeRawPointer(lf) - UnsafeRawPointer(start)
                terminator = 1
                if count > 0 && start[count - 1] == 0x0D {
                    count -= 1
                    terminator = 2
                }
            } else if isAtEOF {
                count = available
                terminator = 0
            } else {
                return nil
            }
            if memchr(start, 0x22, count) != nil || memchr(start, 0x0D, count) != nil { return nil }
            reserveRecordEnds(count + 1)
            recordEndCount = CSVReader.delimiterOffsets(start, count: count, delimiter: delimiter.byte, into: recordEnds)
            return (count, terminator)
        }
    }

    enum Outcome {
        case record(next: Int, newlines: Int)
        case needMore
        case unterminated
        case strayAfterQuote(newlines: Int, byte: UInt8)
    }

    /// Writes the offset of every `delimiter` in `count` bytes at `bytes`, then `count`, to
    /// `ends` (room for `count + 1`); returns how many it wrote: a plain record's cell ends.
    ///
    /// Eight bytes at a time: a word's delimiter bytes are found at once, and most words of a
    /// record hold one or two.
    static func delimiterOffsets(
        _ bytes: UnsafePointer<UInt8>, count: Int, delimiter: UInt8, into ends: UnsafeMutablePointer<Int32>
    ) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let pattern = ones &* UInt64(delimiter)
        var cells = 0
        var offset = 0
        while offset + 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes + offset).loadUnaligned(as: UInt64.self))
            let x = word ^ pattern
            // 0x80 in exactly the bytes of `x` that are zero (no carry crosses a byte).
            var found = ~(((x & low7) &+ low7) | x | low7)
            while found != 0 {
                ends[cells] = Int32(truncatingIfNeeded: offset + found.trailingZeroBitCount >> 3)
                cells += 1
                found &= found &- 1
            }
            offset += 8
        }
        while offset < count {
            if bytes[offset] == delimiter {
                ends[cells] = Int32(truncatingIfNeeded: offset)
                cells += 1
            }
            offset += 1
        }
        ends[cells] = Int32(truncatingIfNeeded: count)
        return cells + 1
    }

    /// Parses one record starting at `start`; field contents go to `bytes` with the delimiter
    /// between two fields (as ``CSVCellLayout`` says), field ends to `ends`.
    static func parseRecord(
        _ base: UnsafePointer<UInt8>, from start: Int, to end: Int, atEOF: Bool, delimiter: UInt8,
        bytes: inout [UInt8], ends: inout [Int]
    ) -> Outcome {
        let quote: UInt8 = 0x22
        let lf: UInt8 = 0x0A
        let cr: UInt8 = 0x0D
        var p = start
        var newlines = 0
        while true {
            // One field.
            if p < end && base[p] == quote {
                p += 1
                while true {
                    var q = p
                    while q < end && base[q] != quote {
                        let c = base[q]
                        if c == lf || (c == cr && (q + 1 == end || base[q + 1] != lf)) { newlines += 1 }
                        q += 1
                    }
                    if q == end { return atEOF ? .unterminated : .needMore }
                    bytes.append(contentsOf: UnsafeBufferPointer(start: base + p, count: q - p))
                    if q + 1 == end && !atEOF { return .needMore }
                    if q + 1 < end && base[q + 1] == quote {
                        bytes.append(quote)
                        p = q + 2
                        continue
                    }
                    p = q + 1
                    break
                }
                if p < end {
                    let c = base[p]
                    if c != delimiter && c != lf && c != cr { return .strayAfterQuote(newlines: newlines, byte: c) }
                }
            } else {
                var q = p
                while q < end {
                    let c = base[q]
                    if c == delimiter || c == lf || c == cr { break }
                    q += 1
                }
                if q == end && !atEOF { return .needMore }
                bytes.append(contentsOf: UnsafeBufferPointer(start: base + p, count: q - p))
                p = q
            }
            ends.append(bytes.count)
            // After the field: delimiter, line end or end of input.
            if p == end { return .record(next: p, newlines: newlines) }
            let c = base[p]
            if c == delimiter {
                p += 1
                bytes.append(delimiter)
                if p == end {
                    if !atEOF { return .needMore }
                    ends.append(bytes.count)  // "a,b," at the very end: an empty last field
                    return .record(next: p, newlines: newlines)
                }
                continue
            }
            if c == lf { return .record(next: p + 1, newlines: newlines + 1) }
            // CR: CRLF or a bare CR.
            if p + 1 == end && !atEOF { return .needMore }
            p += 1
            if p < end && base[p] == lf { p += 1 }
            return .record(next: p, newlines: newlines + 1)
        }
    }

    /// Counts `,` and `;` outside quotes in the first line and takes the more frequent (`,` on a tie).
    private func detectDelimiter() throws {
        while true {
            var commas = 0
            var semicolons = 0
            var inQuotes = false
            var complete = isAtEOF
            var p = position
            while p < end {
                let c = buffer[p]
                if c == 0x22 {
                    inQuotes.toggle()
                } else if !inQuotes {
                    if c == 0x0A || c == 0x0D {
                        complete = true
                        break
                    }
                    if c == 0x2C { commas += 1 } else if c == 0x3B { semicolons += 1 }
                }
                p += 1
            }
            if complete || end - position > maximumRecordSize {
                delimiter = semicolons > commas ? .semicolon : .comma
                delimiterKnown = true
                return
            }
            try fill()
        }
    }

    /// Moves unread bytes to the front and reads more; sets `isAtEOF` when the source is done.
    private func fill() throws {
        if position > 0 {
            let count = end - position
            if count > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    raw.baseAddress!.copyMemory(from: raw.baseAddress! + position, byteCount: count)
                }
            }
            end = count
            position = 0
        }
        if buffer.count - end < source.chunkSize {
            buffer.append(contentsOf: repeatElement(0, count: buffer.count))
        }
        let n = try buffer.withUnsafeMutableBytes { raw in
            try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[end..<(end + source.chunkSize)]))
        }
        if n == 0 { isAtEOF = true } else { end += n }
    }

    // MARK: - Decoding

    /// The record's fields as text; `line` is the line the record starts on, for an error.
    private func decode(_ all: UnsafeBufferPointer<UInt8>, _ ends: UnsafeBufferPointer<Int32>, line: Int) throws -> [String] {
        var fields: [String] = []
        fields.reserveCapacity(ends.count)
        // A record of empty cells may have no bytes at all (`""`): then every cell is empty.
        guard let base = all.baseAddress, let endBase = ends.baseAddress else {
            return Array(repeating: "", count: ends.count)
        }
        do {
            var ascii: UInt8 = 0
            for b in all { ascii |= b }
            for column in 0..<ends.count {
                let field = CSVCellLayout.cell(column, bytes: base, ends: endBase)
                let start = field.baseAddress! - base
                if ascii < 0x80 {
                    fields.append(String(decoding: field, as: UTF8.self))
                } else if encoding == .windows1252 {
                    fields.append(CSVReader.decodeWindows1252(field))
                } else if let text = String(validating: field, as: UTF8.self) {
                    fields.append(text)
                } else {
                    throw encodingError(all, field: field, fieldStart: start, column: column, line: line)
                }
            }
            return fields
        }
    }

    private func encodingError(
        _ all: UnsafeBufferPointer<UInt8>, field: UnsafeBufferPointer<UInt8>, fieldStart: Int, column: Int, line: Int
    ) -> LumbungError {
        let offset = CSVReader.firstInvalidUTF8(field) ?? 0
        var newlines = 0
        for b in all[..<(fieldStart + offset)] where b == 0x0A { newlines += 1 }
        let byte = field.isEmpty ? 0 : field[offset]
        var columnName = ""
        if let header, column < header.count, !header[column].isEmpty { columnName = " (\(header[column]))" }
        let guess = CSVReader.decodeWindows1252(UnsafeBufferPointer(rebasing: field[offset..<(offset + 1)]))
        return LumbungError(
            .csvEncoding, field: "\(source.name) line \(line + newlines), column \(column + 1)\(columnName)",
            rule: "byte 0x\(hex(byte)) at byte \(offset + 1) of the field is not valid UTF-8. The file looks like "
                + "Windows-1252 (saved by older Excel), where it would be '\(guess)'. Convert it with "
                + "`iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv`, or ask for the Windows-1252 "
                + "conversion when reading it")
    }

    /// The offset of the first byte that does not begin or continue a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return i
            }
            if i + length > bytes.count { return i }
            for k in 1..<max(length, 1) where k < length {
                let c = bytes[i + k]
                if k == 1 ? (c < low || c > high) : (c < 0x80 || c > 0xBF) { return i }
            }
            i += length
        }
        return nil
    }

    static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// Decodes Windows-1252 bytes (0x80–0x9F per the table, the rest as Latin-1).
    public static func decodeWindows1252(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var text = String.UnicodeScalarView()
        for b in bytes {
            let value = b >= 0x80 && b <= 0x9F ? windows1252High[Int(b - 0x80)] : UInt32(b)
            text.append(Unicode.Scalar(value)!)
        }
        return String(text)
    }
}

private func trimmed(_ text: String) -> Substring {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{A0}" || $0 == "\u{FEFF}" }
    let start = text.firstIndex { !isSpace($0) } ?? text.endIndex
    let end = text[start...].lastIndex { !isSpace($0) }.map(text.index(after:)) ?? start
    return text[start..<end]
}

func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "\(digits[Int(byte >> 4)])\(digits[Int(byte & 15)])"
}
