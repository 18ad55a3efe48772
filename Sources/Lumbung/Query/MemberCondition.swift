/// What a member must be for a household to match "has a member who …": every field set must
/// hold for the same member. Ages are whole years at the query's reference date.
///
/// ```swift
/// var child = MemberCondition()
/// child.ages = 0...5
/// var query = HouseholdQuery(wilayah: try KodeWilayah("32.16.01"))
/// query.members = [MemberCount(child)]                       // has a child under 6
/// query.members = [MemberCount(child, count: 2...)]         // at least two
/// ```
public struct MemberCondition: Hashable, Sendable {
    public var ages: ClosedRange<Int>?
    /// Born on these days (a year of birth, a date of birth); holds together with ``ages``.
    public var births: ClosedRange<CalendarDate>?
    public var sex: Sex?
    public var relation: Relation?
    /// The presence statuses accepted; by default those living in the household.
    public var presence: Set<Presence> = MemberFacts.presentStatuses
    public var maritalStatus: MaritalStatus?
    /// true: any disability; false: none.
    public var disabled: Bool?
    public var disability: Disability?
    public var severeDisability: Bool?
    public var pregnant: Bool?

    public init() {}

    /// Whether a member with these facts, born on `birth` (nil: not known), meets it on `date`.
    /// The in-memory form of the index's test, for models and checks.
    public func matches(_ facts: MemberFacts, birth: CalendarDate?, on date: CalendarDate) -> Bool {
        if let ages {
            guard let birth, ages.contains(birth.age(on: date)) else { return false }
        }
        if let births {
            guard let birth, births.contains(birth) else { return false }
        }
        return matches(facts)
    }

    /// The test on everything but the age.
    func matches(_ facts: MemberFacts) -> Bool {
        if let sex, facts.sex != sex { return false }
        if let relation, facts.relation != relation { return false }
        guard let presence = facts.presence, self.presence.contains(presence) else { return false }
        if let maritalStatus, facts.maritalStatus != maritalStatus { return false }
        if let disabled, (facts.disability != nil) != disabled { return false }
        if let disability, facts.disability != disability { return false }
        if let severeDisability, facts.isSeverelyDisabled != severeDisability { return false }
        if let pregnant, facts.isPregnant != pregnant { return false }
        return true
    }

    /// Every member of a household, alive or not, whatever their presence.
    public static var anyPresence: Set<Presence> { Set(Presence.allCases) }
}

/// How many members of a household must meet a condition (by default at least one).
///
/// ```swift
/// MemberCount(.householdSize, count: 0...4)      // fewer than 5 living in the household
/// ```
public struct MemberCount: Hashable, Sendable {
    public var condition: MemberCondition
    public var count: ClosedRange<Int>

    public init(_ condition: MemberCondition, count: ClosedRange<Int> = 1...Int.max) {
        self.condition = condition
        self.count = count
    }

    public init(_ condition: MemberCondition, count: PartialRangeFrom<Int>) {
        self.init(condition, count: count.lowerBound...Int.max)
    }

    /// Household size: members living in the household (``MemberFacts/isPresent``).
    public static func householdSize(_ sizes: ClosedRange<Int>) -> MemberCount { MemberCount(MemberCondition(), count: sizes) }

    /// The head (kepala keluarga) meets `condition` (its relation is set to the head's).
    public static func head(_ condition: MemberCondition) -> MemberCount {
        var condition = condition
        condition.relation = .kepalaKeluarga
        condition.presence = MemberCondition.anyPresence
        return MemberCount(condition)
    }

    /// At least one member in a PKH component.
    public static func pkh(_ component: PKHComponent) -> MemberCount { MemberCount(component.condition) }

    /// The most member counts one query holds (each tallied per household in one walk).
    public static let maxPerQuery = 8
}

extension MemberCount {
    /// Whether the count picks members out of a household ("has a member who …"): it asks for
    /// at least one member, and says something of that member. Household size (no condition) and
    /// "no member who …" (a count of 0) pick none.
    public var selectsMembers: Bool {
        count.lowerBound >= 1 && condition != MemberCondition()
    }
}

extension HouseholdQuery {
    /// The positions of the members of `household` that the query's member counts pick out
    /// (``MemberCount/selectsMembers``), in register order; nil when none picks members (then
    /// every member belongs to the answer). A member answer lists these.
    ///
    /// ```swift
    /// query.members = [MemberCount(child)]
    /// query.matchingMembers(of: household)   // [2, 3]: the children under 6
    /// ```
    public func matchingMembers(of household: Household) -> [Int]? {
        let selecting = members.filter(\.selectsMembers)
        guard !selecting.isEmpty else { return nil }
        let date = ageDate
        return household.members.indices.filter { index in
            let member = household.members[index]
            return selecting.contains { $0.condition.matches(MemberFacts(member), birth: member.birthDate, on: date) }
        }
    }

    /// Whether a decoded household has every member count (the in-memory form of the member
    /// index's answer, for models and checks).
    public func membersMatch(_ household: Household) -> Bool {
        let date = ageDate
        return members.allSatisfy { count in
            let matching = household.members.count { count.condition.matches(MemberFacts($0), birth: $0.birthDate, on: date) }
            return count.count.contains(matching)
        }
    }
}
