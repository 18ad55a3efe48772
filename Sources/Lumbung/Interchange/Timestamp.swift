import Foundation

/// An instant to the millisecond, written as ISO 8601 in UTC with `Z`: the one form of every
/// time Lumbung reads or writes (`diperbarui`, journal times, snapshot manifests, DCI messages,
/// flat-file cells, the CLI's tables).
///
/// ```swift
/// let time = Timestamp(milliseconds: 1_795_428_917_123)
/// time.description                                   // "2026-11-23T10:15:17.123Z"
/// time.text(.seconds)                                // "2026-11-23T10:15:17Z"
/// Timestamp(parsing: "2026-11-23T17:15:17.123+07:00") == time   // true
/// ```
///
/// Parsing accepts `YYYY-MM-DD`, `T` (or `t`), `HH:MM:SS`, an optional fraction of any length
/// (digits past the millisecond are dropped), then `Z` (or `z`) or an offset `±HH:MM`. A leap
/// second (`:60`) reads as the next second. Nothing else: no missing zone, no space for `T`.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z, negative before.
    public let milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// The nearest millisecond to `date`, as the store keeps times.
    public init(_ date: Date) { milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// The current time.
    public static var now: Timestamp { Timestamp(Date()) }

    public var date: Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

    // MARK: Formatting

    /// How much of the clock time is written.
    public enum Precision: Sendable {
        /// `2026-11-23T10:15:17.123Z`
        case milliseconds
        /// `2026-11-23T10:15:17Z` (the milliseconds cut off, not rounded)
        case seconds
    }

    /// `2026-11-23T10:15:17.123Z`.
    public var description: String { text(.milliseconds) }

    /// The text at `precision`.
    public func text(_ precision: Precision) -> String {
        String(unsafeUninitializedCapacity: Self.maxLength) { buffer in
            write(precision, into: buffer.baseAddress!)
        }
    }

    /// The most bytes ``write(_:into:)`` writes (a year of up to 19 digits and a sign).
    static let maxLength = 44

    /// Writes the text at `precision` at `base` (room for ``maxLength`` bytes) and returns how
    /// many bytes it wrote: the single formatter behind ``text(_:)`` and ``JSONWriter``.
    @inline(__always)
    func write(_ precision: Precision, into base: UnsafeMutablePointer<UInt8>) -> Int {
        var days = milliseconds / 86_400_000, inDay = milliseconds % 86_400_000
        if inDay < 0 {
            days -= 1
            inDay += 86_400_000
        }
        let day = CalendarDate(daysSinceEpoch: Int(days))
        var count = 0
        func digits(_ value: Int, _ width: Int) {
            var end = count + width
            if width == 0 {  // as many as the value needs
                var scan = value
                repeat { end += 1; scan /= 10 } while scan > 0
            }
            var rest = value, position = end
            while position > count {
                position -= 1
                base[position] = 0x30 + UInt8(rest % 10)
                rest /= 10
            }
            count = end
        }
        func byte(_ value: UInt8) {
            base[count] = value
            count += 1
        }
        if day.year < 0 { byte(UInt8(ascii: "-")) }
        digits(Int(day.year.magnitude), day.year.magnitude > 9999 ? 0 : 4)
        byte(UInt8(ascii: "-"))
        digits(day.month, 2)
        byte(UInt8(ascii: "-"))
        digits(day.day, 2)
        byte(UInt8(ascii: "T"))
        digits(Int(inDay / 3_600_000), 2)
        byte(UInt8(ascii: ":"))
        digits(Int(inDay / 60_000 % 60), 2)
        byte(UInt8(ascii: ":"))
        digits(Int(inDay / 1000 % 60), 2)
        if precision == .milliseconds {
            byte(UInt8(ascii: "."))
            digits(Int(inDay % 1000), 3)
        }
        byte(UInt8(ascii: "Z"))
        return count
    }

    // MARK: Parsing

    /// The instant `text` names, or nil when it is not an ISO 8601 date-time with a zone (see
    /// the type's summary for the forms accepted).
    ///
    /// ```swift
    /// Timestamp(parsing: "2026-11-23T10:15:17Z")?.milliseconds    // 1_795_428_917_000
    /// Timestamp(parsing: "2026-11-23 10:15:17Z")                   // nil
    /// ```
    public init?(parsing text: some StringProtocol) {
        let parsed = text.utf8.withContiguousStorageIfAvailable { Self.parse($0) } ?? Self.parse(Array(text.utf8))
        guard let parsed else { return nil }
        milliseconds = parsed
    }

    private static func parse(_ bytes: some RandomAccessCollection<UInt8>) -> Int64? {
        var position = bytes.startIndex
        func number(_ width: Int) -> Int64? {
            guard bytes.distance(from: position, to: bytes.endIndex) >= width else { return nil }
            var value: Int64 = 0
            for _ in 0..<width {
                let digit = bytes[position] &- 0x30
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
                position = bytes.index(after: position)
            }
            return value
        }
        func expect(_ a: UInt8, _ b: UInt8? = nil) -> Bool {
            guard position < bytes.endIndex, bytes[position] == a || bytes[position] == b else { return false }
            position = bytes.index(after: position)
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")),
            let day = number(2), expect(UInt8(ascii: "T"), UInt8(ascii: "t")),
            let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2), expect(UInt8(ascii: ":")),
            let second = number(2)
        else { return nil }
        var millisecond: Int64 = 0
        if expect(UInt8(ascii: ".")) {
            var digits = 0
            while position < bytes.endIndex, bytes[position] &- 0x30 < 10 {
                if digits < 3 { millisecond = millisecond * 10 + Int64(bytes[position] - 0x30) }
                digits += 1
                position = bytes.index(after: position)
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millisecond *= 10 }
        }
        var offsetMinutes: Int64 = 0
        if !expect(UInt8(ascii: "Z"), UInt8(ascii: "z")) {
            guard position < bytes.endIndex, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") else { return nil }
            let sign: Int64 = bytes[position] == UInt8(ascii: "-") ? -1 : 1
            position = bytes.index(after: position)
            guard let offsetHour = number(2), expect(UInt8(ascii: ":")), let offsetMinute = number(2),
                offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
        }
        guard position == bytes.endIndex, (1...12).contains(month),
            (1...Int64(CalendarDate.days(inMonth: Int(month), year: Int(year)))).contains(day),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        let days = Int64(CalendarDate(uncheckedYear: Int(year), month: Int(month), day: Int(day)).daysSinceEpoch)
        return days * 86_400_000 + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millisecond
    }
}
