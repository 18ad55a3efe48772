/// The household's id in the register it came from (ID DTKS, IDSEN, ID BDT, …): kept as
/// written, unique in the store, and a way to find the household (`id_sumber` in files and
/// answers).
///
/// The rule, in one place: surrounding whitespace is trimmed; what remains is 1 to
/// ``maxLength`` Unicode scalars (so at most 256 UTF-8 bytes, well inside an LMDB key), none of
/// them a control character or a line or paragraph separator. Case and inner spaces count:
/// `"ABC 1"` and `"abc 1"` are two ids.
///
/// ```swift
/// let id = try SourceID(" 3216-0001-A ")
/// id.text                         // "3216-0001-A"
/// try SourceID("a\tb")            // throws sourceid.invalid
/// ```
public struct SourceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The id as stored: trimmed, 1...``maxLength`` scalars.
    public let text: String

    /// The most Unicode scalars a source id has.
    public static let maxLength = 64
    /// The rule every message about a source id quotes.
    public static let rule = "a source id is 1-\(maxLength) printable characters (no control characters), surrounding spaces trimmed"

    /// Parses a source id as written.
    /// - Throws: `sourceid.invalid` naming ``rule``.
    public init(_ written: some StringProtocol, field: String = "id_sumber") throws {
        let text = String(written).trimmedWhitespace
        guard Self.isAllowed(text) else {
            throw LumbungError(.sourceIDInvalid, field: field, value: String(text.unicodeScalars.prefix(Self.maxLength + 8)), rule: Self.rule)
        }
        self.text = text
    }

    /// A source id taken as is, without validation; for the store's own data.
    init(unchecked text: String) {
        self.text = text
    }

    /// Whether trimmed text is a source id.
    static func isAllowed(_ text: String) -> Bool {
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            if count > maxLength { return false }
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned: return false
            default: continue
            }
        }
        return count > 0
    }

    public var description: String { text }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.text.utf8.lexicographicallyPrecedes(rhs.text.utf8) }
}
