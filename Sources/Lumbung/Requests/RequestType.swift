/// What a change request asks for, and what each type needs: the one declaration the workflow
/// (``RequestWorkflow``), the apply step (``RequestEffect``), the JSON reader and the docs read.
///
/// ```swift
/// RequestType.usulUlang.name                 // "usul_ulang"
/// RequestType.baru.evidence                  // .all([.fotoRumah, .ktp])
/// RequestType.sanggah.citizenMay             // true
/// ```
public enum RequestType: UInt8, NamedCode, Hashable, CustomStringConvertible {
    /// A new household (usulan baru).
    case baru = 1
    /// New data for a listed household (the household as proposed).
    case ubah = 2
    /// A member joins (birth, joining).
    case tambahAnggota = 3
    /// A member leaves (death, moved), with the reason.
    case hapusAnggota = 4
    /// A member moves to another household.
    case pindahAnggota = 5
    /// Another member becomes the head.
    case gantiKepala = 6
    /// Members split off into a new household with its own KK.
    case pecah = 7
    /// Another household merges into this one, which keeps its id; both histories stay.
    case gabung = 8
    /// The household leaves the decree: tidak layak, with the reason.
    case keluar = 9
    /// A household found tidak layak is proposed again.
    case usulUlang = 10
    /// A contest (sanggah) against a listed household that is not eligible.
    case sanggah = 11
    /// A NIK or KK fixed after Dukcapil matching.
    case koreksiIdentitas = 12

    public static let names = [
        "baru", "ubah", "tambah_anggota", "hapus_anggota", "pindah_anggota", "ganti_kepala", "pecah", "gabung", "keluar",
        "usul_ulang", "sanggah", "koreksi_identitas",
    ]

    public init(parsing text: some StringProtocol, field: String = "jenis") throws {
        try self.init(parsing: String(text), field: field, code: .workflowInvalid)
    }

    /// The evidence a request of this type needs before it is submitted.
    public enum EvidenceRule: Sendable, Hashable {
        case none
        /// Every one of these kinds.
        case all([EvidenceKind])
        /// At least one of these kinds.
        case any([EvidenceKind])

        /// What is missing from `kinds`, in words; nil when the rule holds.
        func missing(from kinds: Set<EvidenceKind>) -> String? {
            switch self {
            case .none: return nil
            case .all(let needed):
                let absent = needed.filter { !kinds.contains($0) }
                return absent.isEmpty ? nil : "evidence " + absent.map(\.name).joined(separator: ", ")
            case .any(let needed):
                return needed.contains(where: kinds.contains) ? nil : "evidence: one of " + needed.map(\.name).joined(separator: ", ")
            }
        }

        /// `foto_rumah + ktp`, `one of ktp, kk, …`, or `-`.
        public var summary: String {
            switch self {
            case .none: "-"
            case .all(let kinds): kinds.map(\.name).joined(separator: " + ")
            case .any(let kinds): "one of " + kinds.map(\.name).joined(separator: ", ")
            }
        }
    }

    /// The evidence this type needs (since 2023 a proposal needs the house photo and the KTP).
    public var evidence: EvidenceRule {
        switch self {
        case .baru, .usulUlang: .all([.fotoRumah, .ktp])
        case .sanggah: .any([.ktp, .kk, .sktm, .fotoRumah, .rekeningListrik])
        case .tambahAnggota: .any([.kk, .aktaKelahiran])
        case .hapusAnggota: .any([.kk, .suratKematian, .suratPindah])
        case .koreksiIdentitas: .any([.ktp, .kk])
        case .ubah, .pindahAnggota, .gantiKepala, .pecah, .gabung, .keluar: .none
        }
    }

    /// Whether a citizen may submit it (usul: `baru`, `usul_ulang`; `sanggah`).
    public var citizenMay: Bool { self == .baru || self == .usulUlang || self == .sanggah }

    /// Whether the workflow's steps show on the household's status (``RequestWorkflow/Step/household``):
    /// a re-proposal's household and a new (`baru`) household go `usulan` → `terverifikasi` →
    /// `ditetapkan`.
    public var showsProposalSteps: Bool { self == .usulUlang || self == .baru }

    /// Whether the request proposes its household (`baru`): the household is stored by the
    /// request's own steps (as `usulan` when submitted) and removed when the request ends
    /// `ditolak` or `ditarik`; a draft stores nothing.
    public var proposesHousehold: Bool { self == .baru }

    /// Whether the request names a stored household when it is made (all but `baru`).
    public var needsHousehold: Bool { !proposesHousehold }

    /// The status the household takes when the request is applied (nil: it keeps its own).
    /// `keluar` and `sanggah` set `tidak_layak` with the request's reason.
    public var statusOnApply: StatusEffect {
        switch self {
        case .baru, .usulUlang: .set(.ditetapkan)
        case .keluar, .sanggah: .tidakLayak
        case .ubah, .tambahAnggota, .hapusAnggota, .pindahAnggota, .gantiKepala, .pecah, .gabung, .koreksiIdentitas: .keep
        }
    }

    public enum StatusEffect: Sendable, Hashable {
        case keep
        case set(HouseholdStatus)
        /// `tidak_layak` with the reason the request carries.
        case tidakLayak
    }
}

/// What a piece of evidence shows. Stored by raw value.
public enum EvidenceKind: UInt8, NamedCode, Hashable, CustomStringConvertible {
    case fotoRumah = 1
    case ktp = 2
    case kk = 3
    case sktm = 4
    case rekeningListrik = 5
    case aktaKelahiran = 6
    case suratKematian = 7
    case suratPindah = 8
    case lainnya = 9

    public static let names = [
        "foto_rumah", "ktp", "kk", "sktm", "rekening_listrik", "akta_kelahiran", "surat_kematian", "surat_pindah", "lainnya",
    ]

    public init(parsing text: some StringProtocol, field: String = "jenis") throws {
        try self.init(parsing: String(text), field: field, code: .workflowInvalid)
    }
}
