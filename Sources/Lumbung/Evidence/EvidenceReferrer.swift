/// Who references an attachment: a change request (`request/42`) or anything else that keeps
/// evidence. The reference table's key holds it after the digest.
///
/// ```swift
/// let referrer = try EvidenceReferrer("request/42")
/// ```
public struct EvidenceReferrer: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// At most this many UTF-8 bytes (LMDB's key holds 511, the digest takes 32).
    public static let maxLength = 200
    static let rule = "a referrer is 1 to \(maxLength) UTF-8 bytes without control characters, such as 'request/42'"

    public let text: String

    public init(_ text: String) throws {
        let count = text.utf8.count
        guard count >= 1, count <= Self.maxLength, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw LumbungError(.evidenceReferrer, field: "referrer", value: String(text.prefix(Self.maxLength)), rule: Self.rule)
        }
        self.text = text
    }

    /// A change request: `request/ID`.
    public static func request(_ id: RequestID) -> EvidenceReferrer {
        EvidenceReferrer(unchecked: "request/\(id)")
    }

    private init(unchecked text: String) { self.text = text }

    /// The change request this referrer is (`request/ID`), or nil.
    public var requestID: RequestID? {
        guard text.hasPrefix("request/") else { return nil }
        return RequestID(text.dropFirst("request/".count))
    }

    public var description: String { text }

    public static func < (lhs: Self, rhs: Self) -> Bool { Array(lhs.text.utf8).lexicographicallyPrecedes(Array(rhs.text.utf8)) }
}
