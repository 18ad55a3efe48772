import Lumbung

/// The answer to `GET /v1/persons/{nik}`, built the same way by the route and the fast path.
enum PersonAnswer {
    /// `{"household": {…}, "anggota": {…}}`: the member's bytes are copied from the
    /// household's, in one buffer (this is the hottest answer).
    static func body(_ household: Household, member index: Int) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(4096)
        body.append(contentsOf: #"{"household":"#.utf8)
        let members = HouseholdJSON.encode(household, into: &body, memberRanges: true)
        body.append(contentsOf: #","anggota":"#.utf8)
        let member = Array(body[members[index]])  // a copy first: appending a slice of itself would copy the whole buffer
        body.append(contentsOf: member)
        body.append(UInt8(ascii: "}"))
        return body
    }
}
