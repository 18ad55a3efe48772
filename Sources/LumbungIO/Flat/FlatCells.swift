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
        text.split(whereSeparator: { $0 == "|" || $0 == "," || $0 == ";" }).map(\.trimmingSpaces).filter { !$0.isEmpty }
    }

    /// The time a cell holds (any form ``Timestamp/init(parsing:)`` reads, spaces around it
    /// ignored); nil when it holds none.
    public static func timestamp(cell: String) -> Date? {
        (Timestamp(parsing: cell) ?? Timestamp(parsing: cell.trimmingSpaces))?.date
    }
}
