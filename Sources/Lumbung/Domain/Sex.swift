/// Jenis kelamin, as the NIK encodes it (day + 40 for women).
public enum Sex: UInt8, Sendable, Hashable, CaseIterable, Codable {
    case male = 1
    case female = 2

    /// The letter Dukcapil forms use: `L` (laki-laki) or `P` (perempuan).
    public var letter: String { self == .male ? "L" : "P" }

    /// What a sex cell or field must hold.
    public static let rule = "must be L (laki-laki) or P (perempuan)"

    public init?(letter: some StringProtocol) {
        switch letter.uppercased() {
        case "L", "LAKI-LAKI", "1", "M", "MALE": self = .male
        case "P", "PEREMPUAN", "2", "F", "FEMALE": self = .female
        default: return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let sex = Sex(letter: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "jenis_kelamin must be L or P, got '\(text)'")
        }
        self = sex
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(letter)
    }
}
