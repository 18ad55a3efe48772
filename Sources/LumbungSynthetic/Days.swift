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

    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
    static func ordinal(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of an ordinal (civil-from-days).
    @inline(__always)
    static func civil(_ ordinal: Int) -> (year: Int, month: Int, day: Int) {
        let z = ordinal + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The ordinal as a ``CalendarDate``.
    static func date(_ ordinal: Int) -> CalendarDate {
        let (year, month, day) = civil(ordinal)
        // The civil date always exists; the initializer only re-checks it.
        return try! CalendarDate(year: year, month: month, day: day)
    }

    /// Whole years between a birth ordinal and the reference day.
    @inline(__always)
    static func age(_ birth: Int) -> Int { (reference - birth) * 10_000 / 3_652_425 }
}
