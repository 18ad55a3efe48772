import Lumbung

/// A buffer of PostgreSQL `COPY … FROM STDIN` text rows, and the cell writers the published
/// columns (``PublishSchema/householdColumns``, ``PublishSchema/memberColumns``) use.
///
/// Text format: columns separated by tab, rows by newline, `\N` for NULL, and backslash, tab,
/// newline and carriage return escaped with a backslash. Text is appended in runs of plain bytes
/// (escaping is rare), numbers and dates digit by digit, attributes straight into the buffer as a
/// JSON object: no String is built per cell.
///
/// ```swift
/// var copy = CopyText(kabupaten: "32.16", period: "2026-11")
/// copy.row(household, PublishSchema.householdColumns)
/// try await writer.write(ByteBuffer(bytes: copy.bytes))
/// ```
public struct CopyText: Sendable {
    /// The rows written so far.
    public var bytes: [UInt8] = []
    /// The partition keys every row begins with.
    public let kabupaten: String
    public let period: String

    public init(kabupaten: String, period: String, capacity: Int = 0) {
        self.kabupaten = kabupaten
        self.period = period
        bytes.reserveCapacity(capacity)
    }

    /// Appends one row: each column's value, tab-separated, then a newline.
    public mutating func row<Row>(_ row: Row, _ columns: [PublishedColumn<Row>]) {
        for index in columns.indices {
            if index > 0 { bytes.append(9) }
            columns[index].write(row, &self)
        }
        bytes.append(10)
    }

    // MARK: Cells

    @inline(__always) mutating func null() {
        bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "N"))
    }

    /// Text with COPY's escapes; plain runs are appended whole.
    mutating func text(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte <= 13 || byte == 92 else { continue }
                let escaped: UInt8
                switch byte {
                case 92: escaped = 92
                case 9: escaped = UInt8(ascii: "t")
                case 10: escaped = UInt8(ascii: "n")
                case 13: escaped = UInt8(ascii: "r")
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                bytes.append(92); bytes.append(escaped)
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
    }

    mutating func text(_ value: String?) {
        if let value { text(value) } else { null() }
    }

    /// Decimal digits, most significant first.
    mutating func integer(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var divisor: UInt = 1
        while divisor <= magnitude / 10 { divisor *= 10 }
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        } while divisor > 0
    }

    mutating func integer(_ value: Int?) {
        if let value { integer(value) } else { null() }
    }

    /// `YYYY-MM-DD`, as ``CalendarDate/description`` writes it.
    mutating func date(_ value: CalendarDate?) {
        guard let value else { return null() }
        integer(value.year)
        bytes.append(UInt8(ascii: "-")); twoDigits(value.month)
        bytes.append(UInt8(ascii: "-")); twoDigits(value.day)
    }

    @inline(__always) private mutating func twoDigits(_ value: Int) {
        bytes.append(UInt8(ascii: "0") + UInt8(value / 10)); bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// A `text[]` literal of `names`, in the order given: `{"PKH","BPNT"}`.
    mutating func array(_ names: [String]) {
        bytes.append(UInt8(ascii: "{"))
        for index in names.indices {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            text(names[index])
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// A JSON object of the attributes in code order (codes and numbers as JSON numbers, text as
    /// strings), COPY-escaped.
    mutating func attributes(_ attributes: Attributes) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for (code, value) in attributes {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            jsonString(code)
            bytes.append(UInt8(ascii: ":"))
            switch value {
            case .code(let value): integer(Int(value))
            case .number(let value): text(value.description)
            case .text(let value): jsonString(value)
            }
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// A JSON string, then COPY-escaped: `"` → `\"` and `\` → `\\` in JSON, control characters as
    /// `\u00XX`; COPY then doubles each of those backslashes. Plain runs are appended whole.
    private mutating func jsonString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == 92 else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                bytes.append(92); bytes.append(92)
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case 92: bytes.append(92); bytes.append(92)
                default:
                    bytes.append(UInt8(ascii: "u")); bytes.append(UInt8(ascii: "0")); bytes.append(UInt8(ascii: "0"))
                    bytes.append(Self.hex[Int(byte >> 4)]); bytes.append(Self.hex[Int(byte & 15)])
                }
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)
}
