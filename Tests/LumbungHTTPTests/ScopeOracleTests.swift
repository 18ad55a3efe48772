import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import Testing

/// What a scoped token can learn of the store outside its scope through writes and store-wide
/// figures: that a write clashes with something outside (one answer whatever clashed, journaled,
/// counted and rate-limited), and nothing of the store's size, digests or journal position.
@Suite struct ScopeOracleTests {
    static func errors(_ answer: APIFixture.Client.Answer) -> [[String: String]] {
        (answer.json["errors"] as? [[String: Any]] ?? []).map { $0.compactMapValues { $0 as? String } }
    }

    @Test func clashesOutsideTheScopeGetOneAnswer() async throws {
        var configuration = LumbungAPI<LumbungBasicRequestContext>.Configuration()
        configuration.conflictBudget = .init(burst: 3, refill: .seconds(600))
        let fixture = try APIFixture(households: 300, configuration: configuration)
        let a = try #require(fixture.inA.first)
        let b = try #require(fixture.inB.first)
        let bMember = try #require(b.members.first { $0.nik.nik != nil })
        let aOther = try #require(fixture.inA.first { $0.members.contains { $0.nik.nik != nil } })
        let sequenceBefore = try await fixture.store.read { tx in try tx.lastSequence() }

        try await fixture.test { client in
            // A new household in desa A holding a NIK of desa B, and one holding B's KK number.
            var withBNIK = try HouseholdRouteTests.newHousehold(1, in: fixture.desaA)
            var stranger = bMember
            stranger.relation = .familiLain
            withBNIK.members.append(stranger)
            var withBKK = try HouseholdRouteTests.newHousehold(2, in: fixture.desaA)
            withBKK.nomorKK = b.nomorKK
            let byNIK = try await client.call(.post, "/v1/households", as: "operatorA", body: withBNIK.json)
            let byKK = try await client.call(.post, "/v1/households", as: "operatorA", body: withBKK.json)
            for answer in [byNIK, byKK] {
                #expect(answer.status == .conflict, "\(answer.body)")
                #expect(answer.code == "scope.conflict")
                #expect(!answer.body.contains(bMember.nik.nik!.masked) && !answer.body.contains(b.nomorKK.masked), "\(answer.body)")
                #expect(!answer.body.contains("\"household_id\""))
            }
            #expect(Self.errors(byNIK) == Self.errors(byKK), "the same answer whatever clashed")

            // A clash inside the scope is the caller's to see, without the other household's id.
            var withANIK = try HouseholdRouteTests.newHousehold(3, in: fixture.desaA)
            var neighbour = aOther.members.first { $0.nik.nik != nil }!
            neighbour.relation = .familiLain
            withANIK.members.append(neighbour)
            let inside = try await client.call(.post, "/v1/households", as: "operatorA", body: withANIK.json)
            #expect(inside.status == .conflict)
            #expect(inside.code == "nik.duplicate")
            #expect(!inside.body.contains("household \(aOther.id!)"), "\(inside.body)")

            // A whole-store token is told what clashed.
            let admin = try await client.call(.post, "/v1/households", as: "adminAll", body: withBNIK.json)
            #expect(admin.code == "nik.duplicate")

            // Three refusals spent operatorA's budget: its next write waits, even a good one.
            let third = try await client.call(.put, "/v1/households/\(a.id!)", as: "operatorA", body: {
                var changed = a
                changed.nomorKK = b.nomorKK
                return changed.json
            }())
            #expect(third.code == "scope.conflict")
            let good = try HouseholdRouteTests.newHousehold(4, in: fixture.desaA)
            let throttled = try await client.call(.post, "/v1/households", as: "operatorA", body: good.json)
            #expect(throttled.status == .tooManyRequests, "\(throttled.body)")
            #expect(throttled.code == "request.rateLimited")
            #expect(Int(throttled.headers[.retryAfter] ?? "") ?? 0 > 0)
            // Another token is not slowed.
            let otherDesa = try HouseholdRouteTests.newHousehold(5, in: fixture.desaB)
            #expect(try await client.call(.post, "/v1/households", as: "operatorB", body: otherDesa.json).status == .created)

            // Counted in the metrics.
            let metrics = try await client.call(.get, "/metrics", as: "adminAll")
            let refused = metrics.body.split(separator: "\n").first { $0.hasPrefix("lumbung_scope_conflicts_total") }
            #expect(refused.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0 >= 3, "\(refused ?? "no series")")
            #expect(metrics.body.contains("lumbung_scope_conflicts_throttled_total"))
        }

        // Each refusal is journaled: who, when, the rule and the masked value, no full NIK.
        let entries = try await fixture.store.read { tx in try tx.changes(after: sequenceBefore, limit: 100) }
        let refusals = entries.filter { $0.action == .event && $0.note.hasPrefix("scope.conflict refused") }
        #expect(refusals.count == 3)
        #expect(refusals.allSatisfy { $0.actor.hasPrefix("operatorA request=") })
        #expect(refusals.contains { $0.note.contains("nik.duplicate") && $0.note.contains(bMember.nik.nik!.masked) })
        #expect(refusals.contains { $0.note.contains("kk.duplicate") && $0.note.contains(b.nomorKK.masked) })
        #expect(!refusals.contains { $0.note.contains(bMember.nik.nik!.rawValueString) })
        #expect(try await fixture.store.read { tx in try tx.household(id: a.id!) } == a)
    }

    @Test func scopedTokensReadNoStoreWideFigures() async throws {
        let fixture = try APIFixture(households: 60)
        _ = try fixture.store.snapshots.create(period: try SnapshotName("2026-10"))
        try await fixture.test { client in
            let scopedMetrics = try await client.call(.get, "/metrics", as: "adminKabupaten")
            #expect(scopedMetrics.status == .forbidden)
            #expect(scopedMetrics.code == "auth.forbidden")
            #expect(try await client.call(.get, "/metrics", as: "adminAll").status == .ok)

            let scopedChanges = try await client.call(.get, "/v1/changes", as: "viewerA")
            #expect(scopedChanges.status == .ok)
            #expect(scopedChanges.json["last_sequence"] is NSNull)
            #expect(try await client.call(.get, "/v1/changes", as: "adminAll").json["last_sequence"] as? Int ?? 0 > 0)

            // A kabupaten admin holds every household of this store, yet its scope is narrower
            // than the store's: it gets no store-wide figure either.
            for token in ["viewerA", "adminKabupaten"] {
                let list = try await client.call(.get, "/v1/snapshots", as: token)
                let listed = try #require((list.json["snapshots"] as? [[String: Any]])?.first)
                #expect(listed["content_digest"] == nil && listed["journal_sequence"] == nil, "\(listed)")
                let manifest = try await client.call(.get, "/v1/snapshots/2026-10/manifest", as: token)
                #expect(manifest.status == .ok)
                for key in ["content_digest", "files", "journal_sequence"] {
                    #expect(manifest.json[key] == nil, "\(token) reads \(key)")
                }
            }
            let desaManifest = try await client.call(.get, "/v1/snapshots/2026-10/manifest", as: "viewerA")
            #expect(desaManifest.json["households"] as? Int == fixture.inA.count)
            let whole = try await client.call(.get, "/v1/snapshots/2026-10/manifest", as: "adminAll")
            #expect((whole.json["content_digest"] as? String)?.hasPrefix("sha256:") == true)
            #expect(whole.json["files"] != nil)
            let list = try await client.call(.get, "/v1/snapshots", as: "adminAll")
            #expect((list.json["snapshots"] as? [[String: Any]])?.first?["content_digest"] != nil)
        }
    }
}
