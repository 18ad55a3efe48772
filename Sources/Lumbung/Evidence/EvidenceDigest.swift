/// The SHA-256 of an attachment's bytes: its name in the store, and what references hold.
///
/// ```swift
/// let digest = try EvidenceDigest("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
/// digest.hex   // the same 64 lowercase hexadecimal digits
/// ```
public struct EvidenceDigest: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    static let rule = "an attachment's digest is its SHA-256: 64 hexadecimal digits"

    /// The 32 bytes, in order (the reference table's key starts with them).
    let bytes: [UInt8]

    init(bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "a SHA-256 digest is 32 bytes")
        self.bytes = bytes
    }

    /// Parses 64 hexadecimal digits (either case).
    public init(_ text: String) throws {
        let digits = Array(text.utf8)
        guard digits.count == Self.byteCount * 2 else {
            throw LumbungError(.evidenceDigest, field: "digest", value: String(text.prefix(80)), rule: Self.rule)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        for pair in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[pair]), let low = Self.nibble(digits[pair + 1]) else {
                throw LumbungError(.evidenceDigest, field: "digest", value: String(text.prefix(80)), rule: Self.rule)
            }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// 64 lowercase hexadecimal digits, as `sha256sum` prints them.
    public var hex: String { Self.hex(bytes) }

    public var description: String { hex }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Byte order, which is the reference table's order and the store's directory order.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}
