import Lumbung
import NIOCore

/// `GET /v1/persons/{nik}`: the look-up, the scope check and the answer's bytes, the same for
/// the route (``HouseholdRoutes``) and the fast path (``PersonLookupFastPath``).
enum PersonLookup {
    /// The role the look-up needs.
    static let role = AccessRole.viewer

    /// The answer for the member with `nik` (see ``PersonAnswer``), or nil when no household in
    /// the token's scope holds them: absent and out of scope read alike (404).
    ///
    /// ```swift
    /// let body = try gateway.lookupNow { tx in try PersonLookup.body(nik, token: token, in: tx) }
    /// ```
    @inline(__always)
    static func body(_ nik: NIK, token: AccessToken, in tx: ReadTransaction) throws -> ByteBuffer? {
        guard let household = token.visible(try tx.household(nik: nik)),
            let index = household.members.firstIndex(where: { $0.nik.nik == nik })
        else { return nil }
        return PersonAnswer.body(household, member: index)
    }
}
