/// Which members of a household a member search matched: what `lumbung find --json` and
/// `GET /v1/households` show beside each household when the query asks for "a member who …"
/// (``MemberCount/selectsMembers``), built once for both. Members are named by their position
/// in the household's `anggota` and their masked NIK (the household beside it holds the rest).
///
/// ```swift
/// MatchedMembersReport.json(household, for: query)
/// // [{"posisi":2,"nik":"3216********0003","hubungan":"anak"}]
/// ```
public enum MatchedMembersReport {
    /// The key the adapters show the list under.
    public static let field = "anggota_cocok"

    /// Whether `query` picks members out, so answers list them.
    public static func applies(to query: HouseholdQuery) -> Bool {
        query.members.contains(where: \.selectsMembers)
    }

    /// `[{"posisi", "nik" (masked, null without one), "hubungan"}, …]` of the members `query`
    /// picks out of `household`, in register order; nil when it picks none.
    public static func json(_ household: Household, for query: HouseholdQuery) -> JSONValue? {
        guard let positions = query.matchingMembers(of: household) else { return nil }
        return .array(positions.map { position in
            let member = household.members[position]
            return .object([
                ("posisi", .int(position)),
                ("nik", .optional(member.nik.nik?.masked)),
                ("hubungan", .string(member.relation.name)),
            ])
        })
    }
}
