import Foundation

/// The name of a snapshot: a month `YYYY-MM`, or `auto-YYYYMMDDTHHMMSSZ` for the automatic
/// snapshot a restore keeps of the state it replaced.
///
/// Names arrive from users (CLI arguments, HTTP paths), so parsing is strict: nothing but these
/// two shapes, with a real month and a real time, is a name. `..`, `/` and the like never pass.
///
/// ```swift
/// let period = try SnapshotName("2026-11")
/// let current = SnapshotName.month(containing: Date())
/// ```
public struct SnapshotName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// A monthly snapshot, `YYYY-MM`.
        case period
        /// Kept by a restore, `auto-YYYYMMDDTHHMMSSZ`.
        case automatic
    }

    /// The name as written in paths and manifests.
    public let text: String
    public let kind: Kind
    /// The year and month the snapshot belongs to (for an automatic one: when it was taken).
    public let year: Int
    public let month: Int

    public var description: String { text }

    /// The register period a `YYYY-MM` snapshot belongs to (nil for an automatic one): its decree.
    public var period: Period? {
        kind == .period ? Period(uncheckedYear: year, month: month) : nil
    }

    /// Parses `YYYY-MM` (months 01-12, years 2000-9999) or `auto-YYYYMMDDTHHMMSSZ`.
    public init(_ text: String) throws {
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func refuse() -> LumbungError {
            LumbungError(
                .snapshotName, field: "period", value: String(text.prefix(40)),
                rule: "a snapshot period is YYYY-MM with a month 01-12 (e.g. 2026-11), or an automatic name auto-YYYYMMDDTHHMMSSZ")
        }
        if bytes.count == 7 {
            guard bytes[4] == UInt8(ascii: "-"), let year = digits(0..<4), let month = digits(5..<7),
                (2000...9999).contains(year), (1...12).contains(month)
            else { throw refuse() }
            self.text = text
            self.kind = .period
            self.year = year
            self.month = month
        } else if bytes.count == 21, text.hasPrefix("auto-"), bytes[13] == UInt8(ascii: "T"), bytes[20] == UInt8(ascii: "Z") {
            guard let year = digits(5..<9), let month = digits(9..<11), let day = digits(11..<13),
                let hour = digits(14..<16), let minute = digits(16..<18), let second = digits(18..<20),
                (2000...9999).contains(year), (1...12).contains(month),
                (1...CalendarDate.days(inMonth: month, year: year)).contains(day),
                hour < 24, minute < 60, second < 60
            else { throw refuse() }
            self.text = text
            self.kind = .automatic
            self.year = year
            self.month = month
        } else {
            throw refuse()
        }
    }

    /// The period of the month that contains `date` (UTC).
    public static func month(containing date: Date) -> SnapshotName {
        let parts = Self.utc.dateComponents([.year, .month], from: date)
        return try! SnapshotName(String(format: "%04d-%02d", parts.year!, parts.month!))
    }

    /// The automatic name for a snapshot taken at `date` (UTC, to the second).
    public static func automatic(at date: Date) -> SnapshotName {
        let p = Self.utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return try! SnapshotName(String(format: "auto-%04d%02d%02dT%02d%02d%02dZ", p.year!, p.month!, p.day!, p.hour!, p.minute!, p.second!))
    }

    /// Whole months from this snapshot's month to `date`'s month (0 for the same month).
    public func monthsOld(at date: Date) -> Int {
        let now = Self.utc.dateComponents([.year, .month], from: date)
        return (now.year! * 12 + now.month!) - (year * 12 + month)
    }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Periods sort by month; an automatic snapshot sorts after the period of its month.
    public static func < (lhs: SnapshotName, rhs: SnapshotName) -> Bool {
        if (lhs.year, lhs.month) != (rhs.year, rhs.month) { return (lhs.year, lhs.month) < (rhs.year, rhs.month) }
        return lhs.text < rhs.text
    }
}
