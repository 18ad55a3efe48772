import Lumbung
import LumbungHTTP
import Testing

/// A full disk answers 507 Insufficient Storage, not 500 (issue 11, item 8).
@Suite struct StorageFullStatusTests {
    @Test func storeFullIs507() {
        let full = LumbungError(.storeFull, value: "/srv/lumbung", rule: "the disk is full")
        #expect(APIError.status(for: full).code == 507)
        #expect(APIError(from: full).status.code == 507)
        #expect(APIError.status(for: LumbungError(.storeMapFull, rule: "the map is full")).code == 507)
    }
}
