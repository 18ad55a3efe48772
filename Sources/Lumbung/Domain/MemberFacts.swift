/// What the member index keeps of a member, so a query on who lives in a household needs no
/// record: sex, relation to the head, presence, marital status, disability and its severity,
/// pregnancy, packed into 16 bits, beside the birth date (``CalendarDate/ordinal``).
///
/// Pregnancy and severe disability are member attribute codes (``pregnancyCode``,
/// ``severeDisabilityCode``) that a column mapping can fill: the record has no field for them.
///
/// ```swift
/// let facts = MemberFacts(member)
/// facts.sex == .female && facts.isPresent
/// ```
public struct MemberFacts: Hashable, Sendable {
    /// Bits 0-3 relation, 4-6 presence, 7-9 marital status (0 none), 10-12 disability (0 none),
    /// 13 severe disability, 14 pregnant, 15 female. On disk in `idx.member`: never reorder.
    public let bits: UInt16

    public init(bits: UInt16) { self.bits = bits }

    /// Shared: the bulk load's index entries read each member in place, uncopied.
    public init(_ member: __shared Member) {
        var bits = UInt16(member.relation.rawValue) & 0xF
        bits |= UInt16(member.presence.rawValue & 0x7) << 4
        bits |= UInt16((member.maritalStatus?.rawValue ?? 0) & 0x7) << 7
        bits |= UInt16((member.disability?.rawValue ?? 0) & 0x7) << 10
        if Self.isYes(member.attributes[Self.severeDisabilityCode]) { bits |= 1 << 13 }
        if Self.isYes(member.attributes[Self.pregnancyCode]) { bits |= 1 << 14 }
        if member.sex == .female { bits |= 1 << 15 }
        self.bits = bits
    }

    public var relation: Relation? { Relation(rawValue: UInt8(bits & 0xF)) }
    public var presence: Presence? { Presence(rawValue: UInt8(bits >> 4 & 0x7)) }
    public var maritalStatus: MaritalStatus? { MaritalStatus(rawValue: UInt8(bits >> 7 & 0x7)) }
    public var disability: Disability? { Disability(rawValue: UInt8(bits >> 10 & 0x7)) }
    public var isSeverelyDisabled: Bool { bits & 1 << 13 != 0 }
    public var isPregnant: Bool { bits & 1 << 14 != 0 }
    public var sex: Sex { bits & 1 << 15 != 0 ? .female : .male }

    /// Whether the member lives in the household: `tinggal_bersama` or `anggota_baru` (not died,
    /// moved or not found). Household size counts these.
    public var isPresent: Bool { presence.map(Self.presentStatuses.contains) ?? false }

    /// The presence statuses that count as living in the household.
    public static let presentStatuses: Set<Presence> = [.tinggalBersama, .anggotaBaru]

    /// The member attribute code that marks a pregnancy (`hamil`: `1`, `ya`, `true`).
    public static let pregnancyCode = "hamil"
    /// The member attribute code that marks a severe disability (`disabilitas_berat`: `1`, `ya`, `true`).
    public static let severeDisabilityCode = "disabilitas_berat"

    /// Whether an attribute value says yes: code or number 1, or a yes word (``YesNo``).
    static func isYes(_ value: AttributeValue?) -> Bool {
        switch value {
        case .code(let code): code == 1
        case .number(let number): number == 1
        case .text(let text): YesNo.parse(text) == true
        case nil: false
        }
    }
}

extension CalendarDate {
    /// Age in whole years on `date`. A birthday not yet reached that year (month and day
    /// compared) does not count, so someone born on 29 February turns a year older on 1 March
    /// in a common year.
    ///
    /// ```swift
    /// try CalendarDate(year: 2020, month: 2, day: 29).age(on: try CalendarDate(year: 2021, month: 2, day: 28))  // 0
    /// ```
    public func age(on date: CalendarDate) -> Int {
        date.year - year - ((date.month, date.day) < (month, day) ? 1 : 0)
    }

    /// The birth dates (as ``ordinal``s) of everyone aged `ages` on this date: an age range is a
    /// birth-date range, so the index never needs rewriting as the calendar moves.
    func birthOrdinals(forAges ages: ClosedRange<Int>) -> ClosedRange<Int>? {
        // The latest birth date of age >= lower is this day `lower` years back (29 February
        // falls back to 28 February); the earliest of age <= upper is the day after that day
        // `upper + 1` years back.
        let latest = Self.sameDay(as: self, yearsBack: max(ages.lowerBound, 0)).ordinal
        let earliest = Self.sameDay(as: self, yearsBack: ages.upperBound + 1).ordinal + 1
        guard earliest <= latest, latest >= 0 else { return nil }
        return max(earliest, 0)...min(latest, MemberIndex.noBirth - 1)
    }

    private static func sameDay(as date: CalendarDate, yearsBack years: Int) -> CalendarDate {
        let year = date.year - min(years, 10_000)
        return CalendarDate(uncheckedYear: year, month: date.month, day: min(date.day, days(inMonth: date.month, year: year)))
    }

    /// Today in Indonesia's western time zone (WIB, UTC+7): the default reference date of ages.
    public static func today(_ now: Date = Date()) -> CalendarDate {
        CalendarDate(daysSinceEpoch: Int((now.timeIntervalSince1970 + 7 * 3600) / 86_400))
    }
}

import Foundation
