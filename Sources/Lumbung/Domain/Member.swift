/// A member of a household (anggota keluarga).
///
/// ```swift
/// let head = Member(nik: .valid(try NIK("3216010101800001")), name: "Budi Santoso",
///                   sex: .male, birthDate: try CalendarDate(year: 1980, month: 1, day: 1),
///                   relation: .kepalaKeluarga)
/// ```
public struct Member: Hashable, Sendable {
    public var nik: MemberNIK
    /// Nama lengkap.
    public var name: String
    public var sex: Sex
    public var birthDate: CalendarDate?
    /// Hubungan dengan kepala keluarga.
    public var relation: Relation
    /// Status keberadaan.
    public var presence: Presence
    public var maritalStatus: MaritalStatus?
    /// Pendidikan tertinggi.
    public var education: Education?
    /// Pekerjaan utama, as written.
    public var occupation: String?
    public var disability: Disability?
    public var attributes: Attributes
    /// Hasil pemadanan Dukcapil (nil: belum_dipadankan).
    public var dukcapil: DukcapilResult?

    public init(
        nik: MemberNIK, name: String, sex: Sex, birthDate: CalendarDate? = nil,
        relation: Relation, presence: Presence = .tinggalBersama, maritalStatus: MaritalStatus? = nil,
        education: Education? = nil, occupation: String? = nil, disability: Disability? = nil,
        attributes: Attributes = [:], dukcapil: DukcapilResult? = nil
    ) {
        self.nik = nik
        self.name = name
        self.sex = sex
        self.birthDate = birthDate
        self.relation = relation
        self.presence = presence
        self.maritalStatus = maritalStatus
        self.education = education
        self.occupation = occupation
        self.disability = disability
        self.attributes = attributes
        self.dukcapil = dukcapil
    }

    /// Whether the NIK is valid, invalid (and why) or missing.
    public var nikStatus: NIKStatus { nik.status }

    /// The most bytes a name (`nama`) holds.
    public static let maxNameBytes = 200
    /// The most bytes an occupation (`pekerjaan`) holds.
    public static let maxOccupationBytes = 200

    /// Checks the member's own fields, adding each problem (field paths relative to the member)
    /// to `problems`. Under `.keepFlagged` a bad NIK is flagged instead of refused, and a NIK that
    /// contradicts the member's sex or birth date is flagged with that rule. Returns the member
    /// to store instead when its NIK gets flagged or shortened, nil when it is stored as it is.
    func checked(policy: NIKPolicy, into problems: inout [LumbungError]) -> Member? {
        if name.trimmedWhitespace.isEmpty || name.utf8.count > Self.maxNameBytes {
            problems.append(LumbungError(
                .memberInvalid, field: "nama", value: String(name.prefix(40)),
                rule: "a name is 1-\(Self.maxNameBytes) bytes of text"))
        }
        if let occupation, occupation.utf8.count > Self.maxOccupationBytes {
            problems.append(LumbungError(
                .memberInvalid, field: "pekerjaan", value: String(occupation.prefix(40)),
                rule: "an occupation is at most \(Self.maxOccupationBytes) bytes"))
        }
        attributes.check(field: "atribut", into: &problems)
        if let problem = dukcapil?.problem { problems.append(problem) }
        var stored = nik
        if case .valid(let parsed) = nik, let mismatch = crossCheck(parsed) {
            stored = .invalid(parsed.text, reason: mismatch.code)
            if policy == .strict { problems.append(mismatch) }
        } else if policy == .strict {
            switch nik {
            case .valid: break
            case .missing, .placeholder:
                problems.append(LumbungError(
                    .nikMissing, field: "nik", rule:
                        "every member needs a NIK; store members without one only with a legacy import (keep flagged NIKs)"))
            case .invalid(let raw, let reason):
                // Re-parse to give the exact rule in the message.
                let exact: LumbungError?
                do { _ = try NIK(raw); exact = nil } catch { exact = error as? LumbungError }
                problems.append(exact ?? LumbungError(.nikFlagged, field: "nik", value: NIK.mask(raw), rule: "flagged as \(reason)"))
            }
        }
        if case .invalid(let raw, let reason) = stored, raw.utf8.count > MemberNIK.maxStoredLength {
            stored = .invalid(String(raw.prefix(MemberNIK.maxStoredLength)), reason: reason)
        }
        guard stored != nik else { return nil }
        var copy = self
        copy.nik = stored
        return copy
    }

    /// The NIK's sex and birth day/month must agree with the member's.
    private func crossCheck(_ parsed: NIK) -> LumbungError? {
        if parsed.sex != sex {
            return LumbungError(
                .nikSexMismatch, field: "nik", value: parsed.masked,
                rule: "the NIK's day (\(parsed.sex == .female ? "+40, female" : "male")) disagrees with jenis_kelamin \(sex.letter)")
        }
        if let birthDate,
            parsed.birthDay != birthDate.day || parsed.birthMonth != birthDate.month
                || parsed.birthYearTwoDigits != birthDate.year % 100
        {
            return LumbungError(
                .nikBirthDateMismatch, field: "nik", value: parsed.masked,
                rule: "the NIK's birth date disagrees with tanggal_lahir \(birthDate)")
        }
        return nil
    }
}

/// Hubungan dengan kepala keluarga (relation to the head of household).
public enum Relation: UInt8, Sendable, Hashable, CaseIterable {
    case kepalaKeluarga = 1, istriSuami, anak, menantu, cucu, orangTua, mertua, familiLain, lainnya
}

/// Status keberadaan (whether the member still lives in the household).
public enum Presence: UInt8, Sendable, Hashable, CaseIterable {
    case tinggalBersama = 1, meninggal, pindah, anggotaBaru, tidakDitemukan
}

/// Status perkawinan.
public enum MaritalStatus: UInt8, Sendable, Hashable, CaseIterable {
    case belumKawin = 1, kawin, ceraiHidup, ceraiMati
}

/// Pendidikan tertinggi yang ditamatkan.
public enum Education: UInt8, Sendable, Hashable, CaseIterable {
    case tidakSekolah = 1, sd, smp, sma, diploma, sarjana, pascasarjana
}

/// Jenis disabilitas.
public enum Disability: UInt8, Sendable, Hashable, CaseIterable {
    case fisik = 1, intelektual, mental, sensorik, ganda
}

/// Snake-case names used in files and APIs, shared by every coded member field.
public protocol NamedCode: RawRepresentable<UInt8>, CaseIterable, Sendable {
    /// Every case's name, in code order (code 1 first).
    static var names: [String] { get }
}

extension NamedCode {
    public var name: String { Self.names[Int(rawValue) - 1] }

    /// What a coded field must hold: `must be one of kepala_keluarga, istri_suami, …`.
    public static var rule: String { "must be one of " + names.joined(separator: ", ") }

    /// Parses a name (`kepala_keluarga`) or the numeric code (`1`).
    @inlinable
    public init?(name text: String) {
        // Fast path: the exact name, as Lumbung writes it (runs for every cell of an import).
        if let index = Self.names.firstIndex(of: text), let match = Self(rawValue: UInt8(index + 1)) {
            self = match
        } else {
            self.init(loosely: text)
        }
    }

    /// Parses a name (`kepala_keluarga`) or the numeric code (`1`).
    public init?(name text: some StringProtocol) {
        self.init(name: String(text))
    }

    /// Parses a name or code like ``init(name:)``, or throws `code` naming `field`, the value
    /// (cut to 40 characters) and ``rule``.
    ///
    /// ```swift
    /// try Relation(parsing: "boss", field: "hubungan", code: .memberInvalid)  // throws: must be one of kepala_keluarga, …
    /// ```
    public init(parsing text: String, field: String, code: LumbungError.Code) throws {
        guard let match = Self(name: text) else { throw Self.unknownName(text, field: field, code: code) }
        self = match
    }

    /// The error for a text that names no case: `code`, `field`, the value cut to 40 characters, ``rule``.
    public static func unknownName(_ text: String, field: String, code: LumbungError.Code) -> LumbungError {
        LumbungError(code, field: field, value: HouseholdReader.clip(text), rule: rule)
    }

    /// Case, spaces and surrounding whitespace ignored; or the numeric code.
    @usableFromInline
    init?(loosely text: String) {
        let key = text.trimmedWhitespace.lowercased().replacingOccurrences(of: " ", with: "_")
        if let code = UInt8(key), let match = Self(rawValue: code) {
            self = match
        } else if let index = Self.names.firstIndex(of: key), let match = Self(rawValue: UInt8(index + 1)) {
            self = match
        } else {
            return nil
        }
    }
}

extension NamedCode where Self: CustomStringConvertible {
    public var description: String { name }
}

extension Relation: NamedCode {
    public static let names = ["kepala_keluarga", "istri_suami", "anak", "menantu", "cucu", "orang_tua", "mertua", "famili_lain", "lainnya"]
}

extension Presence: NamedCode {
    public static let names = ["tinggal_bersama", "meninggal", "pindah", "anggota_baru", "tidak_ditemukan"]
}

extension MaritalStatus: NamedCode {
    public static let names = ["belum_kawin", "kawin", "cerai_hidup", "cerai_mati"]
}

extension Education: NamedCode {
    public static let names = ["tidak_sekolah", "sd", "smp", "sma", "diploma", "sarjana", "pascasarjana"]
}

extension Disability: NamedCode {
    public static let names = ["fisik", "intelektual", "mental", "sensorik", "ganda"]
}
