import Foundation

/// ISO 8601 timestamps for answers and DCI messages, written and read with Foundation's
/// format styles: an `ISO8601DateFormatter` made per call cost about 75 µs (an ICU formatter
/// each time), most of a DCI search by NIK.
///
/// ```swift
/// ISOTimestamp.seconds(date)            // "2026-11-23T10:15:17Z"
/// ISOTimestamp.milliseconds(date)       // "2026-11-23T10:15:17.123Z"
/// ISOTimestamp.date("2026-11-23T17:20:07-04:00")
/// ```
enum ISOTimestamp {
    private static let plain = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// UTC, to the second.
    static func seconds(_ date: Date) -> String {
        date.formatted(plain)
    }

    /// UTC, to the millisecond, rounded as the journal stores times (the style truncates, so
    /// the date is moved to the middle of its millisecond first).
    static func milliseconds(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        return Date(timeIntervalSince1970: (milliseconds + 0.5) / 1000).formatted(fractional)
    }

    /// A date-time with a zone (`Z` or `±hh:mm`), with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        (try? plain.parse(text)) ?? (try? fractional.parse(text))
    }
}
