/// Every rule a stored household obeys, written once. The core throws the first problem
/// (``Household/validated(policy:)``); an importer reports them all (``Household/problems(policy:)``)
/// and places each by its field path (`anggota[2].nik`) on its own lines and columns.
extension Household {
    /// The most members one household may hold.
    public static let maxMembers = 60
    /// The most bytes an address (`alamat`) holds.
    public static let maxAddressBytes = 500
    /// The numbers an RT or RW (rukun tetangga / rukun warga) may have.
    public static let neighbourhoodNumbers = 0...999
    public static let rtRule = WholeNumberRule(field: "rt", label: "RT", range: neighbourhoodNumbers, code: .householdInvalid)
    public static let rwRule = WholeNumberRule(field: "rw", label: "RW", range: neighbourhoodNumbers, code: .householdInvalid)
    /// Desil kesejahteraan: 1 (poorest tenth) to 10.
    public static let desilRule = WholeNumberRule(field: "desil", label: "desil", range: 1...10, code: .householdDesil)

    /// The error for more members than ``maxMembers``; nil for a count within it.
    public static func memberCountProblem(_ count: Int) -> LumbungError? {
        guard count > maxMembers else { return nil }
        return LumbungError(
            .householdTooLarge, field: "anggota", value: String(count), rule: "a household has at most \(maxMembers) members")
    }

    /// What validation found: the household as the store keeps it, and every problem.
    public struct Check: Sendable {
        /// The household as stored: NIKs that break a rule are flagged when the policy keeps them.
        public var stored: Household
        /// Every problem, each with its field path (`alamat`, `anggota[2].nik`), in the order
        /// the rules run; empty when the household is valid.
        public var problems: [LumbungError]
    }

    /// Checks every field and rule a stored household obeys; returns the household as it is stored
    /// (flagged NIKs marked when the policy keeps them).
    ///
    /// ```swift
    /// let stored = try household.validated(policy: .strict)   // throws the first problem
    /// ```
    public func validated(policy: NIKPolicy) throws -> Household {
        let check = checked(policy: policy)
        if let first = check.problems.first { throw first }
        return check.stored
    }

    /// Every problem of the household, each with its field path; empty when it is valid.
    ///
    /// ```swift
    /// for problem in household.problems(policy: .strict) { print(problem.field ?? "", problem.rule) }
    /// ```
    public func problems(policy: NIKPolicy) -> [LumbungError] {
        checked(policy: policy).problems
    }

    /// Runs every rule once: the stored form and every problem (``validated(policy:)`` throws the first).
    public func checked(policy: NIKPolicy) -> Check {
        var problems: [LumbungError] = []
        if wilayah.level != .desa {
            problems.append(LumbungError(
                .wilayahLevel, field: "kode_wilayah", value: wilayah.dotted,
                rule: "a household's wilayah is a desa/kelurahan code (PP.KK.CC.DDDD)"))
        }
        if let problem = Self.desilRule.problem(desil) { problems.append(problem) }
        if let desilVersion, desil == nil {
            problems.append(LumbungError(
                .householdDesil, field: DesilVersion.field, value: desilVersion.description,
                rule: "a desil version needs a desil"))
        }
        if alamat.utf8.count > Self.maxAddressBytes {
            problems.append(LumbungError(
                .householdInvalid, field: "alamat", value: String(alamat.prefix(40)) + "…",
                rule: "an address is at most \(Self.maxAddressBytes) bytes"))
        }
        if let problem = Self.rtRule.problem(rt) { problems.append(problem) }
        if let problem = Self.rwRule.problem(rw) { problems.append(problem) }
        attributes.check(field: "atribut", into: &problems)
        if members.isEmpty {
            problems.append(LumbungError(.householdNoMembers, field: "anggota", rule: "a household has at least one member"))
        } else {
            if let problem = Self.memberCountProblem(members.count) { problems.append(problem) }
            // Counted without an array: this runs for every household written or imported.
            var headCount = 0
            for index in members.indices where members[index].relation == .kepalaKeluarga { headCount += 1 }
            if headCount == 0 {
                problems.append(LumbungError(.householdNoHead, field: "anggota", rule: "exactly one member is the kepala_keluarga; none is"))
            } else if headCount > 1 {
                let heads = headIndices
                problems.append(LumbungError(
                    .householdManyHeads, field: "anggota", value: heads.map { "anggota[\($0)]" }.joined(separator: ", "),
                    rule: "exactly one member is the kepala_keluarga; \(heads.count) are"))
            }
        }
        // The members whose stored form differs (a flagged or shortened NIK), written into the
        // copy only at the end: a copy's members written in the loop made the optimizer copy the
        // whole array for every household (the profile's `_consumeAndCreateNew`).
        var changed: [(index: Int, member: Member)] = []
        /// Member `index`'s NIK as it is stored.
        func storedNIK(_ index: Int) -> NIK? {
            if let change = changed.first(where: { $0.index == index }) { return change.member.nik.nik }
            return members[index].nik.nik
        }
        for index in members.indices {
            let before = problems.count
            if let stored = members[index].checked(policy: policy, into: &problems) { changed.append((index, stored)) }
            if problems.count > before {
                let path = "anggota[\(index)]"
                for position in before..<problems.count { problems[position] = problems[position].prefixed(by: path) }
            }
            // A scan of the earlier members, not a dictionary: a household has a few members (at most 60).
            // By index, not a slice or a loop variable: each would copy members (`check` runs this for every record).
            if let nik = storedNIK(index),
                let first = (0..<index).first(where: { storedNIK($0) == nik })
            {
                problems.append(LumbungError(
                    .nikDuplicate, field: "anggota[\(index)].nik", value: nik.masked,
                    rule: "the NIK is already anggota[\(first)] of this household"))
            }
        }
        if id != nil {
            for position in problems.indices { problems[position] = problems[position].about(id) }
        }
        var copy = self
        for (index, member) in changed { copy.members[index] = member }
        return Check(stored: copy, problems: problems)
    }
}
