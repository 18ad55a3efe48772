/// The version of a household's desil: the date of the BPS ranking it came from.
///
/// BPS ranks households centrally and re-ranks them several times a year, so a desil is a
/// dated ranking, not a field anyone types. A household's desil set by `lumbung desil import`
/// carries its ranking's version; a desil written without one (typed by an operator, or an
/// import file without `desil_versi`) is kept with no version.
///
/// ```swift
/// let version = try DesilVersion(parsing: "2026-01-23")
/// version.description          // "2026-01-23"
/// ```
public struct DesilVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The ranking's date.
    public let date: CalendarDate

    public init(_ date: CalendarDate) { self.date = date }

    /// The field's name in files and APIs.
    public static let field = "desil_versi"
    /// How a version is written: the one wording of its rule.
    public static let rule = "a desil version is the ranking's date, written YYYY-MM-DD (e.g. 2026-01-23)"

    /// Parses `YYYY-MM-DD`, and nothing else: a version is compared and sorted, so one spelling.
    ///
    /// - Throws: `household.desil` naming ``field``, the value and ``rule``.
    public init(parsing text: some StringProtocol) throws {
        let utf8 = Array(text.utf8)
        guard utf8.count == 10, utf8[4] == 0x2D, utf8[7] == 0x2D, let date = try? CalendarDate(parsing: text) else {
            throw Self.problem(String(text.prefix(40)))
        }
        self.date = date
    }

    /// The error for a value that is not a version.
    public static func problem(_ value: String, field: String = Self.field) -> LumbungError {
        LumbungError(.householdDesil, field: field, value: value, rule: rule)
    }

    /// Days since 1850-01-01, as records and history keys store it (ascending with the date).
    var ordinal: Int { date.ordinal }

    init(ordinal: Int) { date = CalendarDate(ordinal: ordinal) }

    public var description: String { date.description }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.date < rhs.date }
}

extension Household {
    /// The desil as tables show it: `3 (2026-01-23)`, `3` when typed without a version, `-`
    /// without a desil.
    public var desilLabel: String {
        guard let desil else { return "-" }
        return desilVersion.map { "\(desil) (\($0))" } ?? String(desil)
    }
}
