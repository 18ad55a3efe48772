/// Where a change request stands. The raw value is stored (records, index keys): never reuse one.
///
/// ```swift
/// RequestState(name: "diajukan")    // .diajukan
/// RequestState.diterapkan.isOpen     // false
/// ```
public enum RequestState: UInt8, NamedCode, Hashable, CustomStringConvertible {
    case draft = 1
    case diajukan = 2
    case diverifikasi = 3
    case disetujui = 4
    /// Applied to the register in a period.
    case diterapkan = 5
    case ditolak = 6
    /// Withdrawn by its proposer.
    case ditarik = 7

    public static let names = ["draft", "diajukan", "diverifikasi", "disetujui", "diterapkan", "ditolak", "ditarik"]

    /// Still moving: it holds its household and NIKs against other requests.
    public var isOpen: Bool {
        switch self {
        case .draft, .diajukan, .diverifikasi, .disetujui: true
        case .diterapkan, .ditolak, .ditarik: false
        }
    }

    /// Whether its evidence stays referenced in the evidence store (`request/ID`), so gc keeps
    /// it: every state but `ditolak` and `ditarik`. A rejected or withdrawn request changed
    /// nothing, so its files (KTP photos among them) are released for gc; the request keeps
    /// their digests in its history, and a snapshot that references them still keeps them.
    public var holdsEvidence: Bool { self != .ditolak && self != .ditarik }

    /// Parses a state name or throws `workflow.invalid` naming the field.
    public init(parsing text: some StringProtocol, field: String = "state") throws {
        try self.init(parsing: String(text), field: field, code: .workflowInvalid)
    }
}

/// What moves a request from one state to the next (``RequestWorkflow/steps``). Stored.
public enum RequestAction: UInt8, NamedCode, Hashable, CustomStringConvertible {
    /// Creates the request as a draft (its first transition).
    case create = 1
    case submit = 2
    case verify = 3
    case approve = 4
    case apply = 5
    case reject = 6
    case withdraw = 7

    public static let names = ["create", "submit", "verify", "approve", "apply", "reject", "withdraw"]

}

/// Where a proposal came from. Stored.
public enum RequestChannel: UInt8, NamedCode, Hashable, CustomStringConvertible {
    /// The desa operator, after a musdes/muskel or with an SPTJM.
    case desa = 1
    /// The kabupaten's own data entry.
    case kabupaten = 2
    /// A citizen through the Cek Bansos app (usul, sanggah).
    case citizen = 3

    public static let names = ["desa", "kabupaten", "citizen"]

    /// The channel a role proposes through (nil: the role proposes nothing).
    public init?(proposer role: AccessRole) {
        switch role {
        case .desaOperator: self = .desa
        case .operator, .admin: self = .kabupaten
        case .citizen: self = .citizen
        case .viewer, .verifikator, .kepalaOPD: return nil
        }
    }
}
