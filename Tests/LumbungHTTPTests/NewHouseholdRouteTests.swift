import Crypto
import Foundation
import HTTPTypes
import Lumbung
import LumbungSynthetic
import Testing

extension RequestRouteTests {
    /// A `baru` request of desa B over HTTP: its household is stored `usulan` at submission and
    /// seen by desa B's officials; desa A's operator gets the answers of a household that does
    /// not exist (the change feed too), a citizen reads no household, and a citizen proposing
    /// one of its NIKs is answered as for any proposal. A direct write to it is refused (409).
    @Test func desaBsNewHouseholdIsSeenInDesaBOnly() async throws {
        let fixture = try Self.fixture()
        var household = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 7).household(at: 5_000)
        household.id = nil
        household.updatedAt = nil
        household.wilayah = fixture.desaB
        let proposed = household
        let before = try await fixture.store.read { tx in try tx.lastSequence() }
        let absent = 987_654
        try await fixture.test { client in
            func evidence(_ token: String, salt: UInt8) async throws -> String {
                var items: [String] = []
                for (index, kind) in ["foto_rumah", "ktp"].enumerated() {
                    let bytes = Self.jpeg(salt &+ UInt8(index))
                    let uploaded = try await client.send(.post, "/v1/evidence", as: token, bytes: bytes, contentType: "image/jpeg")
                    let digest = try #require(uploaded.json["digest"] as? String, "\(uploaded.body)")
                    items.append(#"{"sha256":"\#(digest)","media_type":"image/jpeg","ukuran":\#(bytes.count),"jenis":"\#(kind)"}"#)
                }
                return "[" + items.joined(separator: ",") + "]"
            }
            let meeting = #""berita_acara":{"nomor":"BA-09/2026","tanggal":"2026-11-03"}"#
            let body = #"{"jenis":"baru","rumah_tangga":\#(proposed.json),\#(meeting),"bukti":\#(try await evidence("desaB", salt: 40))}"#
            let created = try await client.call(.post, "/v1/requests", as: "desaB", body: body)
            #expect(created.status == .created, "\(created.body)")
            #expect(created.json["status"] as? String == "diajukan")
            let id = try #require(created.json["rumah_tangga_id"] as? Int, "\(created.body)")
            let requestID = try #require(created.json["id"] as? Int)

            // Desa B's operator reads it, `usulan`; desa A's gets what a missing id gets.
            let own = try await client.call(.get, "/v1/households/\(id)", as: "desaB")
            #expect(own.status == .ok && own.json["status"] as? String == "usulan", "\(own.body)")
            let seen = try await client.call(.get, "/v1/households/\(id)", as: "desaA", headers: Self.fixedID)
            let missing = try await client.call(.get, "/v1/households/\(absent)", as: "desaA", headers: Self.fixedID)
            #expect(seen.status == .notFound && Self.sameAnswer(seen, "\(id)", missing, "\(absent)"), "\(seen.body)\n\(missing.body)")
            #expect(try await client.call(.get, "/v1/households/\(id)", as: "citizen").status == .forbidden)
            let listed = try await client.call(.get, "/v1/requests?household=\(id)", as: "desaA")
            #expect(listed.json["total"] as? Int == 0, "\(listed.body)")
            // The change feed: the insert (its note names the request) reaches desa B only.
            func entries(_ token: String) async throws -> [[String: Any]] {
                try await client.call(.get, "/v1/changes?since=\(before)", as: token).json["changes"] as? [[String: Any]] ?? []
            }
            #expect(try await entries("desaB").contains { $0["household_id"] as? Int == id && $0["note"] as? String == "request \(requestID) baru" })
            #expect(try await entries("desaA").allSatisfy { $0["household_id"] as? Int != id && ($0["note"] as? String)?.contains("request \(requestID)") != true })

            // A direct write waits for the request: 409 workflow.conflict.
            var edited = try await fixture.store.read { tx in try tx.household(id: HouseholdID(rawValue: UInt64(id)))! }
            edited.alamat = "Jl. Lain No. 2"
            let put = try await client.call(.put, "/v1/households/\(id)", as: "operatorB", body: edited.json)
            #expect(put.status == .conflict && put.code == "workflow.conflict", "\(put.body)")
            let delete = try await client.call(.delete, "/v1/households/\(id)", as: "operatorB")
            #expect(delete.status == .conflict && delete.code == "workflow.conflict", "\(delete.body)")

            // A citizen proposing a household with one of its NIKs is answered as for any proposal.
            var twin = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 7).household(at: 5_001)
            twin.id = nil
            twin.updatedAt = nil
            var head = proposed.members.first { $0.nik.nik != nil }!
            head.relation = .kepalaKeluarga
            twin.members[0] = head
            let asked = try await client.call(.post, "/v1/requests", as: "citizen",
                                              body: #"{"jenis":"baru","rumah_tangga":\#(twin.json),"bukti":\#(try await evidence("citizen", salt: 80))}"#)
            #expect(asked.status == .created && asked.json["status"] as? String == "diajukan", "\(asked.body)")
            #expect(!asked.body.contains("rumah_tangga_id") && !asked.body.contains(fixture.desaB.dotted), "\(asked.body)")
        }
    }
}
