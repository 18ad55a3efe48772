import Foundation
import Lumbung
import Testing

/// `GET /v1/snapshots` gives each snapshot's `verify_status`, known without hashing: unverified
/// until a read or `snapshot verify` hashes the data file, verified after, corrupt when the file
/// no longer has its manifest's size.
@Suite struct SnapshotVerifyStatusTests {
    @Test func theListGivesEachSnapshotsVerifyStatus() async throws {
        let fixture = try APIFixture(households: 40)
        let october = try SnapshotName("2026-10"), november = try SnapshotName("2026-11")
        _ = try fixture.store.snapshots.create(period: october)
        _ = try fixture.store.snapshots.create(period: november)
        let snapshots = fixture.store.snapshots
        try await fixture.test { client in
            func statuses(as token: String = "adminAll") async throws -> [String: String] {
                let list = try await client.call(.get, "/v1/snapshots", as: token)
                #expect(list.status == .ok, "\(list.body)")
                var found: [String: String] = [:]
                for entry in list.json["snapshots"] as? [[String: Any]] ?? [] {
                    found[entry["period"] as? String ?? ""] = entry["verify_status"] as? String
                }
                return found
            }
            #expect(try await statuses() == ["2026-10": "unverified", "2026-11": "unverified"])

            // A read hashes October's file; `snapshot verify` checks November whole.
            #expect(try await client.call(.get, "/v1/snapshots/2026-10/stats").status == .ok)
            #expect(try snapshots.verify(november).isValid)
            #expect(try await statuses() == ["2026-10": "verified", "2026-11": "verified"])
            // A scoped token sees the same status (it says nothing of other regions).
            #expect(try await statuses(as: "viewerA") == ["2026-10": "verified", "2026-11": "verified"])

            // A file that grew is no longer the manifest's: corrupt, and the read refuses it.
            let data = (snapshots.path(of: october) as NSString).appendingPathComponent("data.mdb")
            let handle = try #require(FileHandle(forWritingAtPath: data))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data([0]))
            try handle.close()
            #expect(try await statuses() == ["2026-10": "corrupt", "2026-11": "verified"])
            #expect(try await client.call(.get, "/v1/snapshots/2026-10/stats").status != .ok)
        }
    }
}
