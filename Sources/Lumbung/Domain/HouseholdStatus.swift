/// Where a household stands in the DTKS cycle: proposed, verified, set by Kemensos, or dropped.
///
/// ```swift
/// household.status = .tidakLayak(.pindah)
/// ```
public enum HouseholdStatus: Hashable, Sendable, CustomStringConvertible {
    /// Proposed by the desa operator after a musdes/muskel.
    case usulan
    /// Verified by the kabupaten/kota.
    case terverifikasi
    /// Set into the register by Kemensos.
    case ditetapkan
    /// Dropped from the register, with the reason.
    case tidakLayak(TidakLayakReason)

    /// Every status, in index order.
    public static let allCases: [HouseholdStatus] =
        [.usulan, .terverifikasi, .ditetapkan] + TidakLayakReason.allCases.map { .tidakLayak($0) }

    /// The one-byte code used in index keys and records. Dropped statuses sort together.
    public var code: UInt8 {
        switch self {
        case .usulan: 1
        case .terverifikasi: 2
        case .ditetapkan: 3
        case .tidakLayak(let reason): 0x10 | reason.rawValue
        }
    }

    public init?(code: UInt8) {
        switch code {
        case 1: self = .usulan
        case 2: self = .terverifikasi
        case 3: self = .ditetapkan
        default:
            guard code & 0xF0 == 0x10, let reason = TidakLayakReason(rawValue: code & 0x0F) else { return nil }
            self = .tidakLayak(reason)
        }
    }

    /// `usulan`, `terverifikasi`, `ditetapkan` or `tidak_layak:REASON`.
    public var description: String {
        switch self {
        case .usulan: "usulan"
        case .terverifikasi: "terverifikasi"
        case .ditetapkan: "ditetapkan"
        case .tidakLayak(let reason): "tidak_layak:\(reason.name)"
        }
    }

    /// The status name without the reason (`tidak_layak` for every dropped household).
    public var name: String {
        if case .tidakLayak = self { return "tidak_layak" }
        return description
    }

    /// The status names without reasons, in index order: `usulan`, `terverifikasi`, `ditetapkan`,
    /// `tidak_layak`.
    public static let names: [String] = allCases.reduce(into: []) { names, status in
        if !names.contains(status.name) { names.append(status.name) }
    }

    /// What a status must be: `status must be one of usulan, terverifikasi, ditetapkan, tidak_layak`.
    public static var rule: String { "status must be one of " + names.joined(separator: ", ") }

    /// The reason when the household is dropped.
    public var reason: TidakLayakReason? {
        if case .tidakLayak(let reason) = self { return reason }
        return nil
    }

    /// The rule a reason given with this status breaks (only `tidak_layak` takes one).
    public var strayReasonRule: String { "only a tidak_layak household has a reason; status is \(name)" }

    /// The status written exactly as Lumbung writes it (``description``: `usulan`,
    /// `tidak_layak:mampu`), or `tidak_layak` with a reason written as its ``TidakLayakReason/name``,
    /// matched on bytes; nil for any other spelling, which ``init(parsing:reason:)`` reads or refuses.
    /// Where it gives a status it is the one ``init(parsing:reason:)`` gives (an importer reads
    /// millions of status cells, and lowering and splitting each costs more than the match).
    public init?(exactly text: UnsafeBufferPointer<UInt8>, reason: UnsafeBufferPointer<UInt8>?) {
        // As the parser: a reason after the colon wins over the separate one; other statuses ignore it.
        if let match = Self.writtenForms.first(where: { $0.bytes.count == text.count && $0.bytes.elementsEqual(text) }) {
            self = match.status
        } else if Self.tidakLayakName.elementsEqual(text), let reason,
            let match = TidakLayakReason.allCases.first(where: { $0.name.utf8.elementsEqual(reason) })
        {
            self = .tidakLayak(match)
        } else {
            return nil
        }
    }

    /// Each status's ``description`` as bytes, for ``init(exactly:reason:)``.
    private static let writtenForms: [(bytes: [UInt8], status: HouseholdStatus)] = allCases.map { (Array($0.description.utf8), $0) }
    private static let tidakLayakName = Array(HouseholdStatus.tidakLayak(.mampu).name.utf8)

    /// Parses `usulan`, `terverifikasi`, `ditetapkan`, `tidak_layak:mampu` (or a status name and a
    /// separate reason).
    public init(parsing text: some StringProtocol, reason: (some StringProtocol)? = String?.none) throws {
        let lowered = text.lowercased().trimmedWhitespace
        let parts = lowered.split(separator: ":", maxSplits: 1).map(String.init)
        switch parts.first ?? "" {
        case "usulan": self = .usulan
        case "terverifikasi": self = .terverifikasi
        case "ditetapkan": self = .ditetapkan
        case "tidak_layak", "tidak layak", "tidaklayak":
            let reasonText = parts.count > 1 ? parts[1] : reason.map { String($0) } ?? ""
            guard let parsed = TidakLayakReason(name: reasonText) else {
                throw LumbungError(
                    .householdStatus, field: "alasan_tidak_layak", value: reasonText,
                    rule: "a tidak_layak household needs a reason: one of "
                        + TidakLayakReason.allCases.map(\.name).joined(separator: ", "))
            }
            self = .tidakLayak(parsed)
        default:
            throw LumbungError(
                .householdStatus, field: "status", value: String(text),
                rule: Self.rule)
        }
    }
}

/// Why a household was dropped as tidak layak.
public enum TidakLayakReason: UInt8, Sendable, Hashable, CaseIterable {
    case mampu = 1
    case meninggal = 2
    case pindah = 3
    case tidakDitemukan = 4
    case ganda = 5

    public var name: String {
        switch self {
        case .mampu: "mampu"
        case .meninggal: "meninggal"
        case .pindah: "pindah"
        case .tidakDitemukan: "tidak_ditemukan"
        case .ganda: "ganda"
        }
    }

    public init?(name: some StringProtocol) {
        let key = name.lowercased().replacingOccurrences(of: " ", with: "_")
        guard let match = Self.allCases.first(where: { $0.name == key }) else { return nil }
        self = match
    }
}

