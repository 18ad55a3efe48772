/// Where a change request stands. The raw value is stored (records, index keys): never reuse one.
///
/// ```swift
/// RequestState(name: "diajukan")    // .diajukan
/// RequestState.diterapkan.isOpen     // false
/// ```
public enum RequestState: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case draft = 1
    case diajukan = 2
    case diverifikasi = 3
    case disetujui = 4
    /// Applied to the register in a period.
    case diterapkan = 5
    case ditolak = 6
    /// Withdrawn by its proposer.
    case ditarik = 7

    public var name: String {
        switch self {
        case .draft: "draft"
        case .diajukan: "diajukan"
        case .diverifikasi: "diverifikasi"
        case .disetujui: "disetujui"
        case .diterapkan: "diterapkan"
        case .ditolak: "ditolak"
        case .ditarik: "ditarik"
        }
    }

    public var description: String { name }

    /// Still moving: it holds its household and NIKs against other requests.
    public var isOpen: Bool {
        switch self {
        case .draft, .diajukan, .diverifikasi, .disetujui: true
        case .diterapkan, .ditolak, .ditarik: false
        }
    }

    public init?(name: some StringProtocol) {
        guard let match = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = match
    }

    /// Parses a state name or throws `request.invalid`-style `workflow.invalid` naming the field.
    public init(parsing text: some StringProtocol, field: String = "state") throws {
        guard let state = Self(name: text) else {
            throw LumbungError(.workflowInvalid, field: field, value: String(text),
                               rule: "a state is one of " + Self.allCases.map(\.name).joined(separator: ", "))
        }
        self = state
    }
}

/// What moves a request from one state to the next (``RequestWorkflow/steps``). Stored.
public enum RequestAction: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Creates the request as a draft (its first transition).
    case create = 1
    case submit = 2
    case verify = 3
    case approve = 4
    case apply = 5
    case reject = 6
    case withdraw = 7

    public var name: String {
        switch self {
        case .create: "create"
        case .submit: "submit"
        case .verify: "verify"
        case .approve: "approve"
        case .apply: "apply"
        case .reject: "reject"
        case .withdraw: "withdraw"
        }
    }

    public var description: String { name }

    public init(parsing text: some StringProtocol) throws {
        guard let action = Self.allCases.first(where: { $0.name == text.lowercased() }) else {
            throw LumbungError(.workflowInvalid, field: "action", value: String(text),
                               rule: "an action is one of " + Self.allCases.map(\.name).joined(separator: ", "))
        }
        self = action
    }
}

/// Where a proposal came from. Stored.
public enum RequestChannel: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The desa operator, after a musdes/muskel or with an SPTJM.
    case desa = 1
    /// The kabupaten's own data entry.
    case kabupaten = 2
    /// A citizen through the Cek Bansos app (usul, sanggah).
    case citizen = 3

    public var name: String {
        switch self {
        case .desa: "desa"
        case .kabupaten: "kabupaten"
        case .citizen: "citizen"
        }
    }

    public var description: String { name }

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
