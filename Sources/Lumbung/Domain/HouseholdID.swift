/// A household's identity, assigned by the store on first insert and never reused.
///
/// ```swift
/// let id = try store.write { tx in try tx.put(household) }
/// ```
public struct HouseholdID: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    CustomStringConvertible, ExpressibleByIntegerLiteral
{
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    /// The largest id the on-disk indexes hold (32 bits: 45 times the national register, and ids
    /// are never reused).
    public static let max = HouseholdID(rawValue: UInt64(UInt32.max))

    /// Whether the store can hold this id (1 through ``max``). Any other id names no household:
    /// look-ups answer nil and writes refuse it, so it can never reach a 4-byte key truncated.
    public var isStorable: Bool { rawValue > 0 && rawValue <= Self.max.rawValue }

    /// What an id in a file or request must be.
    public static let rule = "an id is a whole number 1 to \(max.rawValue)"

    /// Parses the decimal form used in files and URLs.
    public init?(_ text: some StringProtocol) {
        guard let value = UInt64(text), HouseholdID(rawValue: value).isStorable else { return nil }
        self.rawValue = value
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(UInt64.self) {
            self.rawValue = value
        } else {
            let text = try container.decode(String.self)
            guard let value = UInt64(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "household id must be a positive integer")
            }
            self.rawValue = value
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
