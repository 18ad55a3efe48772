/// A social-assistance program a household receives.
public enum Program: UInt8, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// Program Keluarga Harapan (conditional cash transfer).
    case pkh = 1
    /// Bantuan Pangan Non Tunai / Program Sembako.
    case bpnt = 2
    /// Penerima Bantuan Iuran Jaminan Kesehatan.
    case pbiJK = 3
    /// Bantuan Langsung Tunai.
    case blt = 4
    /// Program Indonesia Pintar.
    case pip = 5
    /// Asistensi Rehabilitasi Sosial.
    case atensi = 6
    /// Rumah Tidak Layak Huni renovation.
    case rutilahu = 7

    /// The official short name: `PKH`, `BPNT`, `PBI-JK`, `BLT`, `PIP`, `ATENSI`, `RUTILAHU`.
    public var name: String {
        switch self {
        case .pkh: "PKH"
        case .bpnt: "BPNT"
        case .pbiJK: "PBI-JK"
        case .blt: "BLT"
        case .pip: "PIP"
        case .atensi: "ATENSI"
        case .rutilahu: "RUTILAHU"
        }
    }

    public var description: String { name }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The program whose official ``name`` is exactly these bytes, as Lumbung writes it; nil for
    /// any other spelling, which ``init(parsing:)`` reads or refuses.
    public init?(exactName bytes: UnsafeBufferPointer<UInt8>) {
        guard let index = Self.nameBytes.firstIndex(where: { $0.count == bytes.count && $0.elementsEqual(bytes) }) else { return nil }
        self = Self.allCases[index]
    }

    /// Each program's ``name`` as bytes, in ``allCases`` order.
    private static let nameBytes: [[UInt8]] = allCases.map { Array($0.name.utf8) }

    /// Parses a program name, case-insensitively (`SEMBAKO` is BPNT, `PBI` is PBI-JK).
    public init(parsing text: some StringProtocol) throws {
        // Fast path: the official name, as Lumbung writes it (one rule with the byte readers').
        if let match = text.utf8.withContiguousStorageIfAvailable({ Program(exactName: $0) }) ?? nil {
            self = match
            return
        }
        let key = text.uppercased().replacingOccurrences(of: "_", with: "-")
            .replacingOccurrences(of: " ", with: "")
        switch key {
        case "SEMBAKO": self = .bpnt
        case "PBI", "PBIJK": self = .pbiJK
        default:
            guard let match = Self.allCases.first(where: { $0.name == key }) else {
                throw LumbungError(
                    .householdProgram, field: "program", value: String(text),
                    rule: "program must be one of " + Self.allCases.map(\.name).joined(separator: ", "))
            }
            self = match
        }
    }

    /// The program's bit in a program bitmask: bit n for raw value n (bit 0 unused). Records
    /// store the mask; index summaries store it in a byte (``summaryByte(_:)``).
    public var bit: UInt32 { 1 << UInt32(rawValue) }

    /// Encodes a set as a bitmask (bit n = raw value n).
    static func mask(_ programs: Set<Program>) -> UInt32 {
        programs.reduce(0) { $0 | $1.bit }
    }

    /// The set a mask of ``bit``s holds (a shared set: no `Set` is built).
    public static func set(mask: UInt32) -> Set<Program> {
        setsByMask[Int(mask & UInt32(setsByMask.count - 1))]
    }

    /// The set of every mask of known programs' bits, built once: records are decoded by the
    /// million (`check`, exports), and a `Set` built for each cost a thirtieth of a 10M check.
    private static let setsByMask: [Set<Program>] = (0..<(2 << Int(allCases.map(\.rawValue).max()!))).map { mask in
        Set(allCases.filter { UInt32(mask) & $0.bit != 0 })
    }

    /// A mask as an index summary stores it: shifted down past the unused bit 0, so seven
    /// programs fit a byte (bit n-1 for raw value n).
    static func summaryByte(_ mask: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: mask >> 1) }

    /// The mask a summary byte holds.
    static func mask(summaryByte byte: UInt8) -> UInt32 { UInt32(byte) << 1 }
}
