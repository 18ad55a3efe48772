import Foundation
import Lumbung

/// How single values are written in flat cells, and read back.
///
/// Attribute cells: `.code` is written as an integer (`3`), `.number` always with a `.` or an
/// exponent (`36.0`, `1e+16`), `.text` as the text. A text that would read back as a number
/// (`"12"`, `"3.5"`, `"inf"`), an empty text, and a text starting with `'` are written with a
/// leading `'` (the spreadsheet text marker), which the reader strips:
/// ```swift
/// FlatCells.attribute(.text("12"))       // "'12"
/// FlatCells.attribute(cell: "'12")       // .text("12")
/// FlatCells.attribute(cell: "12")        // .code(12)
/// FlatCells.attribute(cell: "12.0")      // .number(12)
/// ```
public enum FlatCells {
    /// The leading character that marks a cell as text.
    public static let textMarker: Character = "'"

    public static func attribute(_ value: AttributeValue) -> String {
        switch value {
        case .code(let code): return String(code)
        case .number: return value.description
        case .text(let text):
            return text.isEmpty || text.first == textMarker || looksNumeric(text) ? "'" + text : text
        }
    }

    /// The attribute a cell holds; nil for an empty cell.
    public static func attribute(cell: String) -> AttributeValue? {
        if cell.isEmpty { return nil }
        if cell.first == textMarker { return .text(String(cell.dropFirst())) }
        let trimmed = cell.trimmingSpaces
        if trimmed.isEmpty { return .text(cell) }
        if let code = Int64(trimmed) { return .code(code) }
        if isNumberSyntax(trimmed), let number = Double(trimmed), number.isFinite { return .number(number) }
        return .text(cell)
    }

    static func looksNumeric(_ text: String) -> Bool {
        let trimmed = text.trimmingSpaces
        if trimmed.isEmpty { return false }
        return Int64(trimmed) != nil || Double(trimmed) != nil
    }

    /// The attribute a cell's bytes hold: ``attribute(cell:)``'s value, read without a `String`
    /// when the cell is plain digits (at most 18) or a plain decimal (`26.2`: digits, a point,
    /// digits; at most 15 in all), which is what attribute columns mostly hold.
    static func attribute(bytes: UnsafeBufferPointer<UInt8>) -> AttributeValue? {
        if bytes.isEmpty { return nil }
        return plainNumber(bytes) ?? attribute(cell: String(decoding: bytes, as: UTF8.self))
    }

    /// Digits, or digits, a point and digits, as ``attribute(cell:)`` reads them; nil for any other cell.
    @inline(__always)
    private static func plainNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> AttributeValue? {
        var mantissa: Int64 = 0
        var digits = 0
        var fractionDigits = 0
        var sawPoint = false
        for byte in bytes {
            if byte == 0x2E {
                guard !sawPoint, digits > 0 else { return nil }
                sawPoint = true
                continue
            }
            let digit = byte &- 0x30
            guard digit < 10, digits < 18 else { return nil }
            mantissa = mantissa &* 10 &+ Int64(digit)
            digits += 1
            if sawPoint { fractionDigits += 1 }
        }
        guard sawPoint else { return .code(mantissa) }
        // Both operands are exact doubles (below 2^53, 10^k for k <= 22), so the one rounding of
        // the division gives the correctly rounded value, as `Double(String)` does (Clinger's fast path).
        guard fractionDigits > 0, digits <= 15 else { return nil }
        return .number(Double(mantissa) / powersOfTen[fractionDigits])
    }

    private static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

    static func isNumberSyntax(_ text: String) -> Bool {
        text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D || $0 == 0x65 || $0 == 0x45 }
    }

    /// `2026-11-23T10:15:17.123Z`: a ``Timestamp``, as ``HouseholdJSON`` writes it.
    public static func timestamp(_ date: Date) -> String {
        Timestamp(date).description
    }

    /// What a timestamp cell must hold.
    public static let timestampRule = "a timestamp is written YYYY-MM-DDTHH:MM:SS.fffZ (UTC)"

    /// The program names of a `program` cell: split at `|`, `,` or `;`, trimmed, empty ones dropped.
    static func programNames(_ text: String) -> [String] {
        text.split(whereSeparator: { $0.asciiValue.map(isProgramSeparator) ?? false }).map(\.trimmingSpaces).filter { !$0.isEmpty }
    }

    /// The programs of a `program` cell's bytes when each name between separators is exactly
    /// a program's name (``Program/init(exactName:)``); nil when any needs ``programNames(_:)``
    /// and ``Program/init(parsing:)`` (spaces, another spelling, an unknown name).
    static func programs(bytes: UnsafeBufferPointer<UInt8>) -> Set<Program>? {
        var mask: UInt32 = 0
        var start = 0
        for end in 0...bytes.count where end == bytes.count || isProgramSeparator(bytes[end]) {
            if end > start {
                guard let program = Program(exactName: UnsafeBufferPointer(rebasing: bytes[start..<end])) else { return nil }
                mask |= program.bit
            }
            start = end + 1
        }
        return Program.set(mask: mask)
    }

    /// `|`, `,` and `;`: what separates the programs of a cell.
    @inline(__always)
    private static func isProgramSeparator(_ byte: UInt8) -> Bool {
        byte == 0x7C || byte == 0x2C || byte == 0x3B
    }

    /// The time a cell holds (any form ``Timestamp/init(parsing:)`` reads, spaces around it
    /// ignored); nil when it holds none.
    public static func timestamp(cell: String) -> Date? {
        (Timestamp(parsing: cell) ?? Timestamp(parsing: cell.trimmingSpaces))?.date
    }
}
