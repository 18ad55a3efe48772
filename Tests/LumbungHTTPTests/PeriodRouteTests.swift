import Foundation
import Lumbung
import LumbungHTTP
import Testing

/// `GET /v1/period`: the period open now and its cut-off, as the core computes them from the
/// store's cut-off day, and each role's actions, as the workflow table gives them.
@Suite struct PeriodRouteTests {
    /// `aksi` as action name → the states it starts from.
    static func actions(_ answer: APIFixture.Client.Answer) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: (answer.json["aksi"] as? [[String: Any]] ?? []).map { ($0["nama"] as? String ?? "", $0["dari"] as? [String] ?? []) })
    }

    @Test func thePeriodItsCutoffAndTheRolesActions() async throws {
        let fixture = try RequestRouteTests.fixture(households: 20)
        try await fixture.test { client in
            let answer = try await client.call(.get, "/v1/period", as: "desaA")
            #expect(answer.status == .ok, "\(answer.body)")
            let standard = Period.containing(Date(), cutoff: .standard)
            #expect(answer.json["periode"] as? String == standard.description)
            #expect(answer.json["cutoff"] as? String == standard.cutoffDate(.standard).description)
            #expect(answer.json["cutoff_day"] as? Int == 17)
            #expect(answer.json["peran"] as? String == "desa_operator")
            #expect(Self.actions(answer) == ["create": [], "submit": ["draft"], "withdraw": ["draft", "diajukan", "diverifikasi"]])
            #expect(answer.json["antrean"] as? [String] == ["draft"])

            let verifikator = try await client.call(.get, "/v1/period", as: "verifikator")
            #expect(verifikator.json["peran"] as? String == "verifikator")
            #expect(Self.actions(verifikator) == ["verify": ["diajukan"], "reject": ["draft", "diajukan", "diverifikasi", "disetujui"]])
            #expect(verifikator.json["antrean"] as? [String] == ["diajukan"])
            let kepala = try await client.call(.get, "/v1/period", as: "kepala")
            #expect(Self.actions(kepala).keys.sorted() == ["apply", "approve", "reject"])
            #expect(kepala.json["antrean"] as? [String] == ["diverifikasi", "disetujui"])
            let viewer = try await client.call(.get, "/v1/period", as: "viewerA")
            #expect(Self.actions(viewer).isEmpty && viewer.json["antrean"] as? [String] == [])
            // Each action's states are the workflow table's.
            for (name, from) in Self.actions(kepala) {
                #expect(RequestWorkflow.steps.first { $0.action.name == name }?.from.map(\.name) == from)
            }

            // The store's cut-off day decides both the date and which period is open.
            let day = try CutoffDay(3)
            try await fixture.store.write(actor: "test") { tx in try tx.setCutoffDay(day) }
            let moved = try await client.call(.get, "/v1/period", as: "desaA")
            let period = Period.containing(Date(), cutoff: day)
            #expect(moved.json["periode"] as? String == period.description)
            #expect(moved.json["cutoff"] as? String == period.cutoffDate(day).description)
            #expect(moved.json["cutoff_day"] as? Int == 3)

            #expect(try await client.call(.get, "/v1/period?periode=2026-11", as: "desaA").status == .badRequest)
            #expect(try await client.call(.get, "/v1/period", as: nil).status == .unauthorized)
        }
    }
}
