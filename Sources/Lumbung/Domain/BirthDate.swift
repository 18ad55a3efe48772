/// A calendar date without a time zone (tanggal lahir), `YYYY-MM-DD`.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Creates a date after checking that it exists on the calendar.
    public init(year: Int, month: Int, day: Int) throws {
        guard (1850...2200).contains(year), (1...12).contains(month),
            (1...CalendarDate.days(inMonth: month, year: year)).contains(day)
        else {
            throw LumbungError(
                .memberBirthDate, field: "tanggal_lahir",
                value: "\(year)-\(month)-\(day)", rule: "the date must exist on the calendar (years 1850-2200)")
        }
        self.year = year
        self.month = month
        self.day = day
    }

    init(uncheckedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD` (also `DD-MM-YYYY` and `DD/MM/YYYY`, as Indonesian forms write it).
    public init(parsing text: some StringProtocol) throws {
        // Fast path: exactly `YYYY-MM-DD`, as Lumbung writes it.
        let utf8 = Array(text.utf8.prefix(11))
        if utf8.count == 10, utf8[4] == 0x2D, utf8[7] == 0x2D {
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    let digit = Int(utf8[index]) - 0x30
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            if let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) {
                try self.init(year: year, month: month, day: day)
                return
            }
        }
        let parts = text.trimmedWhitespace.split(whereSeparator: { $0 == "-" || $0 == "/" })
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == 3, parts.count == 3 else {
            throw LumbungError(
                .memberBirthDate, field: "tanggal_lahir", value: String(text),
                rule: "a date is written YYYY-MM-DD")
        }
        if parts[0].count == 4 {
            try self.init(year: numbers[0], month: numbers[1], day: numbers[2])
        } else if parts[2].count == 4 {
            try self.init(year: numbers[2], month: numbers[1], day: numbers[0])
        } else {
            throw LumbungError(
                .memberBirthDate, field: "tanggal_lahir", value: String(text),
                rule: "a date is written YYYY-MM-DD with a 4-digit year")
        }
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01, negative before (Howard Hinnant's days-from-civil).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01 (civil-from-days); always a real date.
    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(uncheckedYear: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Days since 1850-01-01: the non-negative form records store.
    var ordinal: Int { daysSinceEpoch + 43_829 }

    init(ordinal: Int) { self.init(daysSinceEpoch: ordinal - 43_829) }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        let y = String(year), m = month < 10 ? "0\(month)" : "\(month)", d = day < 10 ? "0\(day)" : "\(day)"
        return "\(y)-\(m)-\(d)"
    }
}
