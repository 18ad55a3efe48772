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

    /// `2026-11-23T10:15:17.123Z`: UTC, to the millisecond (as ``HouseholdJSON`` writes it).
    public static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var days = milliseconds / 86_400_000
        var inDay = milliseconds % 86_400_000
        if inDay < 0 {
            days -= 1
            inDay += 86_400_000
        }
        let day = CalendarDate(daysSinceEpoch: Int(days))
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(day)T\(pad(inDay / 3_600_000, 2)):\(pad(inDay / 60_000 % 60, 2)):\(pad(inDay / 1000 % 60, 2)).\(pad(inDay % 1000, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (UTC).
    public static func timestamp(cell: String) -> Date? {
        if let date = exactTimestamp(cell) { return date }
        let text = cell.trimmingSpaces
        let parts = text.split(separator: "T", maxSplits: 1)
        guard parts.count == 2, text.hasSuffix("Z"), let day = try? CalendarDate(parsing: parts[0]),
            parts[0].split(separator: "-").first?.count == 4
        else { return nil }
        let clock = parts[1].dropLast().split(separator: ":")
        guard clock.count == 3, let hours = Int(clock[0]), let minutes = Int(clock[1]), (0..<24).contains(hours),
            (0..<60).contains(minutes)
        else { return nil }
        let secondParts = clock[2].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let seconds = Int(secondParts[0]), (0..<61).contains(seconds) else { return nil }
        var milliseconds = 0
        if secondParts.count == 2 {
            let fraction = secondParts[1].prefix(3)
            guard !fraction.isEmpty, let value = Int(fraction), secondParts[1].allSatisfy(\.isNumber) else { return nil }
            milliseconds = value * [1, 100, 10, 1][fraction.count]
        }
        let total = Int64(day.daysSinceEpoch) * 86_400_000 + Int64(hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + milliseconds)
        return Date(timeIntervalSince1970: Double(total) / 1000)
    }

    /// The fast path for what Lumbung writes, `YYYY-MM-DDTHH:MM:SS.fffZ` exactly (every row of
    /// an import has one); nil for anything else, which the general parser then reads.
    static func exactTimestamp(_ cell: String) -> Date? {
        cell.utf8.withContiguousStorageIfAvailable { bytes -> Date? in
            guard bytes.count == 24, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A,
                bytes[16] == 0x3A, bytes[19] == 0x2E, bytes[23] == 0x5A
            else { return nil }
            func number(_ from: Int, _ count: Int) -> Int? {
                var value = 0
                for index in from..<(from + count) {
                    let digit = Int(bytes[index]) - 0x30
                    guard digit >= 0 && digit <= 9 else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hours = number(11, 2),
                let minutes = number(14, 2), let seconds = number(17, 2), let milliseconds = number(20, 3),
                hours < 24, minutes < 60, seconds < 61,
                let date = try? CalendarDate(year: year, month: month, day: day)
            else { return nil }
            let total = Int64(date.daysSinceEpoch) * 86_400_000
                + Int64(hours * 3_600_000 + minutes * 60_000 + seconds * 1000 + milliseconds)
            return Date(timeIntervalSince1970: Double(total) / 1000)
        } ?? nil
    }
}
