import Foundation

/// A month of the register's cycle (`2026-11`). Changes are open every day; the cut-off day
/// (default the 17th, WIB) closes a period, and the data is taken the day after. A moment
/// after a month's cut-off belongs to the next month's period.
///
/// ```swift
/// let cutoff = CutoffDay.standard                                     // 17
/// Period.containing(date17thAt23hWIB, cutoff: cutoff)                 // 2026-11
/// Period.containing(date18thAt01hWIB, cutoff: cutoff)                 // 2026-12
/// ```
public struct Period: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) throws {
        guard (2000...9999).contains(year), (1...12).contains(month) else {
            throw LumbungError(.workflowInvalid, field: "periode", value: "\(year)-\(month)", rule: Self.rule)
        }
        self.year = year
        self.month = month
    }

    init(uncheckedYear year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    static let rule = "a period is YYYY-MM (2000-01 to 9999-12)"

    /// Parses `YYYY-MM`.
    public init(parsing text: some StringProtocol) throws {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]) else {
            throw LumbungError(.workflowInvalid, field: "periode", value: String(text), rule: Self.rule)
        }
        try self.init(year: year, month: month)
    }

    /// `YYYYMM` as one number, in period order (stored in records and index keys).
    var packed: UInt32 { UInt32(year * 100 + month) }
    init?(packed: UInt32) {
        let year = Int(packed / 100), month = Int(packed % 100)
        guard (2000...9999).contains(year), (1...12).contains(month) else { return nil }
        self.init(uncheckedYear: year, month: month)
    }

    public var description: String { String(format: "%04d-%02d", year, month) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.packed < rhs.packed }

    public var next: Period { month == 12 ? Period(uncheckedYear: year + 1, month: 1) : Period(uncheckedYear: year, month: month + 1) }
    public var previous: Period { month == 1 ? Period(uncheckedYear: year - 1, month: 12) : Period(uncheckedYear: year, month: month - 1) }

    /// The period a moment belongs to: its WIB day's month, or the next one after the cut-off day.
    public static func containing(_ date: Date, cutoff: CutoffDay) -> Period {
        let day = CalendarDate.today(date)
        let period = Period(uncheckedYear: day.year, month: day.month)
        return day.day > cutoff.day ? period.next : period
    }

    /// The last period whose cut-off has passed at `date`: the one whose approvals are due.
    public static func lastClosed(at date: Date, cutoff: CutoffDay) -> Period {
        containing(date, cutoff: cutoff).previous
    }

    /// The cut-off date of this period (its month's cut-off day, or the month's last day when shorter).
    public func cutoffDate(_ cutoff: CutoffDay) -> CalendarDate {
        CalendarDate(uncheckedYear: year, month: month, day: min(cutoff.day, CalendarDate.days(inMonth: month, year: year)))
    }
}

/// The day of the month a period closes on: 1 to 28, default 17. Stored per store.
public struct CutoffDay: Hashable, Sendable {
    public let day: Int
    public static let standard = CutoffDay(unchecked: 17)
    static let rule = "the cut-off day is 1 to 28"

    public init(_ day: Int) throws {
        guard (1...28).contains(day) else {
            throw LumbungError(.workflowInvalid, field: "cutoff", value: String(day), rule: Self.rule)
        }
        self.day = day
    }
    init(unchecked day: Int) { self.day = day }
}
