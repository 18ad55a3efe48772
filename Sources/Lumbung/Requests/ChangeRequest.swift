import Foundation

/// A change request's id: assigned by the store, increasing from 1.
public struct RequestID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public init?(_ text: some StringProtocol) {
        guard let value = UInt64(text), value > 0 else { return nil }
        rawValue = value
    }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A reference to a piece of evidence: its content's SHA-256, media type, size and what it shows.
/// The bytes live in the evidence store; a request holds only the reference.
public struct EvidenceReference: Hashable, Sendable {
    /// SHA-256 of the content, 32 bytes.
    public let sha256: [UInt8]
    /// `image/jpeg`, `image/png`, `application/pdf`.
    public let mediaType: String
    public let size: UInt64
    public let kind: EvidenceKind

    public init(sha256: [UInt8], mediaType: String, size: UInt64, kind: EvidenceKind) throws {
        guard sha256.count == 32 else {
            throw LumbungError(.workflowInvalid, field: "bukti.sha256", value: "\(sha256.count) bytes", rule: "a SHA-256 digest is 32 bytes (64 hex digits)")
        }
        // The evidence store's types are the only ones a request can reference.
        guard EvidenceMediaType(mimeType: mediaType) != nil else {
            throw LumbungError(.workflowInvalid, field: "bukti.media_type", value: String(mediaType.prefix(80)),
                               rule: "evidence is one of " + EvidenceMediaType.allCases.map(\.mimeType).joined(separator: ", "))
        }
        self.sha256 = sha256
        self.mediaType = mediaType
        self.size = size
        self.kind = kind
    }

    /// A reference to an attachment of the evidence store, showing `kind`.
    ///
    /// ```swift
    /// let photo = EvidenceReference(try store.evidence.add(file: "rumah.jpg"), kind: .fotoRumah)
    /// ```
    public init(_ attachment: EvidenceAttachment, kind: EvidenceKind) {
        self.sha256 = attachment.digest.bytes
        self.mediaType = attachment.mediaType.mimeType
        self.size = UInt64(attachment.size)
        self.kind = kind
    }

    /// The attachment's name in the evidence store.
    public var digest: EvidenceDigest { EvidenceDigest(bytes: sha256) }

    /// The digest in lowercase hex.
    public var hex: String { EvidenceDigest.hex(sha256) }

    /// Parses 64 hex digits.
    public static func digest(hex text: String) throws -> [UInt8] {
        do {
            return try EvidenceDigest(text).bytes
        } catch {
            throw LumbungError(.workflowInvalid, field: "bukti.sha256", value: String(text.prefix(80)), rule: EvidenceDigest.rule)
        }
    }
}

/// The village meeting's record (berita acara musdes/muskel), or a signed liability statement (SPTJM).
public enum MeetingReference: Hashable, Sendable {
    case beritaAcara(number: String, date: CalendarDate)
    case sptjm(number: String, date: CalendarDate)

    public var number: String {
        switch self { case .beritaAcara(let number, _), .sptjm(let number, _): number }
    }
    public var date: CalendarDate {
        switch self { case .beritaAcara(_, let date), .sptjm(_, let date): date }
    }
    public var kindName: String {
        switch self { case .beritaAcara: "berita_acara"; case .sptjm: "sptjm" }
    }
    static let maxNumberBytes = 64
}

/// One step in a request's history.
public struct RequestTransition: Hashable, Sendable {
    public let action: RequestAction
    /// The state it led to.
    public let state: RequestState
    public let actor: String
    public let role: AccessRole
    public let time: Timestamp
    public let note: String

    public init(action: RequestAction, state: RequestState, actor: String, role: AccessRole, time: Timestamp, note: String = "") {
        self.action = action
        self.state = state
        self.actor = actor
        self.role = role
        self.time = time
        self.note = note
    }
}

/// Why a member leaves a household.
public enum MemberLeaving: UInt8, NamedCode, Hashable {
    case meninggal = 1, pindah = 2, lainnya = 3

    public static let names = ["meninggal", "pindah", "lainnya"]

}

/// What a request changes. The type (``RequestType``) says which case it carries
/// (``RequestType/fits(_:)``).
public enum RequestChange: Hashable, Sendable {
    /// `baru` (the new household, no id) and `ubah` (the household as proposed, with its id).
    case household(Household)
    case addMember(Member)
    case removeMember(nik: NIK, reason: MemberLeaving)
    case moveMember(nik: NIK, to: HouseholdID)
    case changeHead(nik: NIK)
    /// The members (the first becomes the head) leave for a new household with this KK.
    case split(niks: [NIK], nomorKK: NomorKK)
    /// This household absorbs `absorbed`, which is deleted.
    case merge(absorbed: HouseholdID)
    /// `keluar` and `sanggah`: the reason the household is not eligible.
    case notEligible(TidakLayakReason)
    /// `usul_ulang`: nothing but the proposal.
    case reProposal
    /// A NIK replaced (`from` → `to`) and/or the KK number replaced.
    case correctIdentity(from: NIK?, to: NIK?, nomorKK: NomorKK?)
}

extension RequestType {
    /// Whether `change` is what this type carries.
    public func fits(_ change: RequestChange) -> Bool {
        switch (self, change) {
        case (.baru, .household(let h)): h.id == nil
        case (.ubah, .household(let h)): h.id != nil
        case (.tambahAnggota, .addMember), (.hapusAnggota, .removeMember), (.pindahAnggota, .moveMember),
             (.gantiKepala, .changeHead), (.pecah, .split), (.gabung, .merge), (.keluar, .notEligible),
             (.sanggah, .notEligible), (.usulUlang, .reProposal), (.koreksiIdentitas, .correctIdentity):
            true
        default: false
        }
    }
}

/// A proposal to change the register, with its evidence and its whole history.
///
/// ```swift
/// let id = try store.write(actor: "desa:2001") { tx in
///     try tx.createRequest(ChangeRequest.Draft(type: .keluar, householdID: 42, change: .notEligible(.pindah),
///                                              meeting: .beritaAcara(number: "BA-07/2026", date: date)),
///                          by: RequestActor(actor: "desa:2001", role: .desaOperator, scope: scope)).id
/// }
/// ```
public struct ChangeRequest: Hashable, Sendable {
    public var id: RequestID
    public var type: RequestType
    public var state: RequestState
    public var channel: RequestChannel
    public var proposer: String
    public var proposerRole: AccessRole
    /// The household it concerns. A `baru` request's is nil until a step stores its proposed
    /// household (submission), and nil again once the request ends unapplied (it is removed).
    public var householdID: HouseholdID?
    /// The desa it belongs to (the household's, or the proposed household's).
    public var desa: KodeWilayah
    public var change: RequestChange
    public var meeting: MeetingReference?
    public var evidence: [EvidenceReference]
    public var transitions: [RequestTransition]
    /// The period it is applied in (set on approval: the cut-off decides which).
    public var period: Period?
    /// The household's update time when the request was made (`ubah`: the apply refuses a
    /// household changed since).
    public var baseTime: Timestamp?
    /// A re-proposal's household's `tidak_layak` reason before the proposal's steps showed on
    /// its status (``RequestWorkflow/Step/household``): restored when the request ends unapplied.
    public var priorReason: TidakLayakReason? = nil

    /// What a proposer gives; the store adds the rest.
    public struct Draft: Hashable, Sendable {
        public var type: RequestType
        public var householdID: HouseholdID?
        /// The household by its KK number instead (what a citizen knows).
        public var householdKK: NomorKK?
        public var change: RequestChange
        public var meeting: MeetingReference?
        public var evidence: [EvidenceReference]
        public var note: String

        public init(type: RequestType, householdID: HouseholdID? = nil, householdKK: NomorKK? = nil, change: RequestChange,
                    meeting: MeetingReference? = nil, evidence: [EvidenceReference] = [], note: String = "") {
            self.type = type
            self.householdID = householdID
            self.householdKK = householdKK
            self.change = change
            self.meeting = meeting
            self.evidence = evidence
            self.note = note
        }
    }

    /// The NIKs the request touches: held against other open requests.
    public var niks: [NIK] {
        switch change {
        case .household(let household): household.validNIKs
        case .addMember(let member): member.nik.nik.map { [$0] } ?? []
        case .removeMember(let nik, _), .moveMember(let nik, _), .changeHead(let nik): [nik]
        case .split(let niks, _): niks
        case .correctIdentity(let from, let to, _): [from, to].compactMap { $0 }
        case .merge, .notEligible, .reProposal: []
        }
    }

    /// The other household it touches (a move's destination, a merge's absorbed household).
    public var otherHouseholdID: HouseholdID? {
        switch change {
        case .moveMember(_, let to): to
        case .merge(let absorbed): absorbed
        default: nil
        }
    }

    /// When it was created.
    public var created: Timestamp { transitions.first?.time ?? Timestamp(milliseconds: 0) }
}
