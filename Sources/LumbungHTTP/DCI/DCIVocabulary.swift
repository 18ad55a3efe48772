import Lumbung

/// The DCI attribute vocabulary a search may use (`expression` keys, `predicate`
/// `attribute_name`s), and what each means in the register: the one declaration the search's
/// parser, its error messages and the documentation (README, "DCI search vocabulary") follow.
///
/// Household attributes filter the household; member attributes ask for a member who meets
/// them all: every member attribute of one search's `$and` (or of its predicate items joined by
/// `and`) holds for the same member.
///
/// ```swift
/// DCIAttribute(named: "gender")     // .sex
/// DCIAttribute(named: "group_size") // .householdSize
/// ```
enum DCIAttribute: CaseIterable {
    case wilayah, desil, status, program, householdSize
    case sex, age, birthYear, birthDate, maritalStatus, disability, severeDisability, pregnant, relation, pkhComponent

    /// The names a search may use, compared lower-cased; the first is the one documented.
    var names: [String] {
        switch self {
        case .wilayah: ["wilayah", "kode_wilayah", "location"]
        case .desil: ["desil", "poverty_score"]
        case .status: ["status"]
        case .program: ["program"]
        case .householdSize: ["household_size", "group_size", "ukuran_keluarga"]
        case .sex: ["sex", "gender", "jenis_kelamin"]
        case .age: ["age", "umur"]
        case .birthYear: ["yob", "birth_year", "tahun_lahir"]
        case .birthDate: ["dob", "birth_date", "tanggal_lahir"]
        case .maritalStatus: ["marital_status", "status_perkawinan"]
        case .disability: ["disability", "is_disabled", "disabilitas"]
        case .severeDisability: ["severe_disability", "disabilitas_berat"]
        case .pregnant: ["pregnant", "hamil"]
        case .relation: ["relationship_head", "relation", "hubungan"]
        case .pkhComponent: ["pkh_component", "pkh_komponen", "pkh"]
        }
    }

    /// Whether the attribute is a member's (a member who …), not the household's.
    var isMember: Bool {
        switch self {
        case .wilayah, .desil, .status, .program, .householdSize: false
        default: true
        }
    }

    /// The operators it takes (`$`-less); `ne` and `not` are taken by household attributes
    /// only, as the negation of the household condition.
    var operators: [String] {
        switch self {
        case .desil, .householdSize, .age, .birthYear: ["eq", "lt", "le", "gt", "ge", "in"]
        case .birthDate: ["eq", "lt", "le", "gt", "ge"]
        default: ["eq"]
        }
    }

    init?(named name: String) {
        guard let found = Self.byName[name.lowercased()] else { return nil }
        self = found
    }

    private static let byName: [String: DCIAttribute] = Dictionary(
        uniqueKeysWithValues: allCases.flatMap { attribute in attribute.names.map { ($0, attribute) } })

    /// Every attribute and its other names, for messages: `wilayah (kode_wilayah, location), …`.
    static var listed: String {
        allCases.map { $0.names.count == 1 ? $0.names[0] : "\($0.names[0]) (\($0.names.dropFirst().joined(separator: ", ")))" }
            .joined(separator: ", ")
    }
}

/// The DCI value vocabulary of the coded member attributes: the words of the DCI code
/// directories (sex, marital status) beside Lumbung's own names, and yes/no.
enum DCIValues {
    /// `sex`: DCI `male`/`female` (also `M`/`F`, `1`/`2`) and the Dukcapil letters `L`/`P`
    /// (``Sex/init(letter:)`` reads them all).
    static func sex(_ text: String) -> Sex? { Sex(letter: text) }

    /// `marital_status`: the DCI words, then Lumbung's names (`belum_kawin`, `kawin`,
    /// `cerai_hidup`, `cerai_mati`, or their codes 1-4).
    static let maritalWords: [String: MaritalStatus] = [
        "single": .belumKawin, "never_married": .belumKawin, "unmarried": .belumKawin,
        "married": .kawin,
        "divorced": .ceraiHidup, "separated": .ceraiHidup,
        "widowed": .ceraiMati, "widow": .ceraiMati, "widower": .ceraiMati,
    ]

    static func maritalStatus(_ text: String) -> MaritalStatus? {
        maritalWords[text.lowercased()] ?? MaritalStatus(name: text.lowercased())
    }

    /// Yes or no: a JSON boolean, or `true`/`false`, `yes`/`no`, `ya`/`tidak`, `1`/`0`.
    static func yesNo(_ value: DCIValue) -> Bool? {
        if case .bool(let flag) = value { return flag }
        if let number = value.integer, number == 0 || number == 1 { return number == 1 }
        return value.string.flatMap(YesNo.parse)
    }

    static let sexRule = "male or female (also M/F, L/P, 1/2)"
    static var maritalRule: String {
        "single, married, divorced, separated, widowed, or " + MaritalStatus.names.joined(separator: ", ")
    }
    static let yesNoRule = "true or false, or " + YesNo.rule
}

/// The `idtype-value` identifier types: NIK, the DCI's generic `UIN`/`NationalID` (a NIK
/// here), the KK number and the source register's id.
enum DCIIdentifierType: CaseIterable {
    case nik, uin, kk, sourceID

    /// The names a search may use, compared upper-cased; the first is the one documented.
    var names: [String] {
        switch self {
        case .nik: ["NIK"]
        case .uin: ["UIN", "NATIONALID", "NATIONAL_ID"]
        case .kk: ["KK", "NOMOR_KK", "NOMORKK", "FAMILYCARD", "FAMILY_CARD"]
        case .sourceID: ["SOURCE_ID", "SOURCEID", "ID_SUMBER"]
        }
    }

    init?(named name: String) {
        guard let found = Self.allCases.first(where: { $0.names.contains(name.uppercased()) }) else { return nil }
        self = found
    }

    static let rule = "the identifier type is NIK, UIN (also NationalID: a NIK), KK or SOURCE_ID"
}
