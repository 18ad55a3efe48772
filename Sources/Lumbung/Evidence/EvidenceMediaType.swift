/// What an attachment may be, told by its first bytes (never by its name or a client's word).
///
/// ```swift
/// EvidenceMediaType.detect([0x25, 0x50, 0x44, 0x46, 0x2D, 0x31, 0x2E, 0x37])   // .pdf
/// ```
public enum EvidenceMediaType: UInt8, CaseIterable, Sendable {
    case jpeg = 1, png = 2, pdf = 3

    /// The signature a file of this type starts with.
    var magic: [UInt8] {
        switch self {
        case .jpeg: [0xFF, 0xD8, 0xFF]
        case .png: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        case .pdf: Array("%PDF-".utf8)
        }
    }

    /// The media type an HTTP answer names.
    public var mimeType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .pdf: "application/pdf"
        }
    }

    public var name: String {
        switch self {
        case .jpeg: "JPEG"
        case .png: "PNG"
        case .pdf: "PDF"
        }
    }

    /// Bytes enough to tell every type (the longest signature).
    static let sniffLength = 8

    /// The type whose signature `prefix` starts with, or nil.
    public static func detect(_ prefix: some Collection<UInt8>) -> EvidenceMediaType? {
        allCases.first { prefix.starts(with: $0.magic) }
    }

    /// The type a media type names (`image/jpeg`), for checking an upload's `Content-Type`.
    public init?(mimeType: String) {
        guard let found = Self.allCases.first(where: { $0.mimeType == mimeType.lowercased() }) else { return nil }
        self = found
    }

    /// The rule a refused file broke, naming every accepted signature.
    static var rule: String {
        "an attachment is a " + allCases.map { "\($0.name) (starts \(hexBytes($0.magic)))" }.joined(separator: ", ")
            + ", told by its first bytes"
    }

    /// `FF D8 FF`: bytes as a refusal shows them.
    static func hexBytes(_ bytes: some Collection<UInt8>) -> String {
        bytes.isEmpty ? "(no bytes)" : bytes.map { EvidenceDigest.hex([$0]).uppercased() }.joined(separator: " ")
    }

    /// The refusal for a file that starts with `seen`.
    static func refusal(file: String, seen: some Collection<UInt8>) -> LumbungError {
        LumbungError(.evidenceType, field: "file", value: "\(file): first bytes \(hexBytes(seen.prefix(sniffLength)))", rule: rule)
    }
}
