/// The components PKH (Program Keluarga Harapan) pays a household for, and the one table of
/// their rules.
///
/// Source: Peraturan Menteri Sosial No. 1 Tahun 2018 tentang Program Keluarga Harapan and the
/// Kementerian Sosial's PKH guidelines: the health components are ibu hamil and anak usia dini
/// (0-6 years); the education components are children in SD/MI, SMP/MTs and SMA/MA; the
/// social-welfare components are lanjut usia (60 years and over) and penyandang disabilitas
/// berat. Lumbung holds no enrolment, so a school component is its school-age band (7-12,
/// 13-15, 16-18, as issue 15 sets them). Only members
/// living in the household (``MemberFacts/isPresent``) count; ages are at the reference date.
///
/// ```swift
/// PKHComponent(name: "anak_usia_dini")?.rule.ages   // 0...6
/// ```
public enum PKHComponent: UInt8, CaseIterable, Sendable, Hashable {
    case ibuHamil = 1, anakUsiaDini, anakSD, anakSMP, anakSMA, lansia, disabilitasBerat

    /// What makes a member part of a component.
    public struct Rule: Sendable, Hashable {
        /// Ages at the reference date (nil: any age).
        public let ages: ClosedRange<Int>?
        /// A pregnancy (``MemberFacts/pregnancyCode``) is required.
        public let pregnant: Bool
        /// A severe disability (``MemberFacts/severeDisabilityCode``) is required.
        public let severeDisability: Bool
    }

    /// The rules, in case order: the one home of PKH's ages, school bands and severity.
    public static let rules: [PKHComponent: Rule] = [
        .ibuHamil: Rule(ages: nil, pregnant: true, severeDisability: false),
        .anakUsiaDini: Rule(ages: 0...6, pregnant: false, severeDisability: false),
        .anakSD: Rule(ages: 7...12, pregnant: false, severeDisability: false),
        .anakSMP: Rule(ages: 13...15, pregnant: false, severeDisability: false),
        .anakSMA: Rule(ages: 16...18, pregnant: false, severeDisability: false),
        .lansia: Rule(ages: 60...200, pregnant: false, severeDisability: false),
        .disabilitasBerat: Rule(ages: nil, pregnant: false, severeDisability: true),
    ]

    public var rule: Rule { Self.rules[self]! }

    /// The condition a member meets to count in this component.
    public var condition: MemberCondition {
        var condition = MemberCondition()
        condition.ages = rule.ages
        if rule.pregnant { condition.pregnant = true }
        if rule.severeDisability { condition.severeDisability = true }
        return condition
    }
}

extension PKHComponent: NamedCode, CustomStringConvertible {
    public static let names = ["ibu_hamil", "anak_usia_dini", "anak_sd", "anak_smp", "anak_sma", "lansia", "disabilitas_berat"]
}
