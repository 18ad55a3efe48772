/// What ``NIK`` and ``NomorKK`` share: 16 digits `PP KK CC DDMMYY SSSS` held as a `UInt64`,
/// printed masked, and coded in files as the 16-digit string (validated on decoding).
///
/// ```swift
/// func show(_ number: some IdentityNumber) -> String { number.masked }   // 3216********0001
/// ```
public protocol IdentityNumber: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    var rawValue: UInt64 { get }
    /// Parses and validates the number; throws ``LumbungError`` naming the broken rule.
    init(_ text: some StringProtocol) throws
}

extension IdentityNumber {
    /// The 16 digits.
    public var text: String { IdentityDigits.text(rawValue) }

    /// Calls `body` with the 16 digits as UTF-8 bytes, without making a string (rows written
    /// straight to bytes: `match`).
    @inline(__always)
    public func withDigits<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: IdentityDigits.count) { buffer in
            _ = IdentityDigits.write(rawValue, into: buffer)
            return try body(UnsafeBufferPointer(buffer))
        }
    }

    /// The first 4 and last 4 digits with 8 stars between: `3216********0001`.
    public var masked: String { IdentityDigits.masked(rawValue) }

    /// The masked form: the number is personal data.
    public var description: String { masked }

    /// The serial, 1...9999.
    public var serial: Int { IdentityDigits.serial(rawValue) }

    /// `PPKKCC` as a 6-digit number, e.g. 321601.
    public var regionCode: Int { IdentityDigits.region(rawValue) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try Self(text)
        } catch let error as LumbungError {
            throw error.at(decoder.codingPath)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
