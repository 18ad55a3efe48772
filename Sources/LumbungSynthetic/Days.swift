import Lumbung

/// Calendar arithmetic on day ordinals (days since 1970-01-01), for birth and issue dates.
enum Days {
    /// The day the synthetic register describes; ages are taken on this day (fixed, so output
    /// never depends on the clock).
    static let reference = ordinal(year: 2025, month: 7, day: 1)

    /// The earliest birth date generated: under 98 years before `reference`, so no two birth
    /// dates share the two-digit year and day/month a NIK holds.
    static let earliestBirth = ordinal(year: 1927, month: 7, day: 2)

    /// Days in `years` years, on average.
    @inline(__always)
    static func years(_ years: Double) -> Int { Int(years * 365.2425) }

    /// Days since 1970-01-01 of a real date.
    static func ordinal(year: Int, month: Int, day: Int) -> Int {
        (try! CalendarDate(year: year, month: month, day: day)).daysSinceEpoch
    }

    /// The civil date of an ordinal.
    @inline(__always)
    static func civil(_ ordinal: Int) -> (year: Int, month: Int, day: Int) {
        let date = CalendarDate(daysSinceEpoch: ordinal)
        return (date.year, date.month, date.day)
    }

    /// The ordinal as a ``CalendarDate``.
    static func date(_ ordinal: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: ordinal) }

    /// Whole years between a birth ordinal and the reference day.
    @inline(__always)
    static func age(_ birth: Int) -> Int { (reference - birth) * 10_000 / 3_652_425 }
}
