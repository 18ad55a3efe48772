import Lumbung
import LumbungHTTP
import Testing

/// The HTTP status of an error comes from its code's kind, one status a kind.
@Suite struct ErrorStatusTests {
    /// A full disk answers 507 Insufficient Storage, not 500 (issue 11, item 8).
    @Test func storeFullIs507() {
        let full = LumbungError(.storeFull, value: "/srv/lumbung", rule: "the disk is full")
        #expect(APIError.status(for: full).code == 507)
        #expect(APIError(from: full).status.code == 507)
        #expect(APIError.status(for: LumbungError(.storeMapFull, rule: "the map is full")).code == 507)
    }

    /// The statuses every kind answers, as the README and openapi.yaml document them, checked
    /// on a code of each kind.
    @Test(arguments: [
        (LumbungError.Code.jsonMalformed, 400), (.queryInvalid, 400), (.requestInvalid, 400), (.tokenInvalid, 400),
        (.snapshotName, 400), (.nikInvalidDate, 422), (.householdManyHeads, 422), (.wilayahUnknown, 422),
        (.householdNotFound, 404), (.memberNotFound, 404), (.snapshotNotFound, 404), (.nikDuplicate, 409),
        (.kkDuplicate, 409), (.scopeConflict, 409), (.authMissing, 401), (.authInvalid, 401), (.authForbidden, 403),
        (.requestTooLarge, 413), (.requestMethod, 405), (.requestRateLimited, 429), (.storeReadOnly, 503),
        (.serverBusy, 503), (.storeFull, 507), (.storeLMDB, 500), (.recordCorrupt, 500), (.snapshotCorrupt, 500),
        (.internalError, 500),
    ])
    func statusByKind(code: LumbungError.Code, status: Int) {
        #expect(APIError(from: LumbungError(code, rule: "r")).status.code == status, "\(code) (\(code.kind))")
    }

    /// The other household of a duplicate never reaches an answer.
    @Test func duplicatesDoNotNameTheOtherHousehold() {
        let duplicate = LumbungError(.nikDuplicate, field: "anggota[0].nik", value: "3216********0001", rule: "r", otherHouseholdID: 77)
        let answer = APIError(from: duplicate)
        #expect(answer.error.otherHouseholdID == nil)
        #expect(!String(decoding: answer.problem.bytes, as: UTF8.self).contains("77"))
    }
}
