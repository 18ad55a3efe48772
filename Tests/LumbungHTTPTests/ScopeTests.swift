import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import Testing

/// A token for desa A cannot read, list, count or change anything in desa B, and cannot tell an
/// out-of-scope household from a missing one.
@Suite struct ScopeTests {
    @Test func desaACannotSeeOrChangeDesaB() async throws {
        let fixture = try APIFixture(households: 300)
        let b = try #require(fixture.inB.first)
        let bNIK = try #require(b.members.compactMap(\.nik.nik).first).rawValueString
        let a = try #require(fixture.inA.first)
        let aNIK = try #require(a.members.compactMap(\.nik.nik).first).rawValueString
        let countBefore = try await fixture.store.read { tx in try tx.householdCount() }
        let sequenceBefore = try await fixture.store.read { tx in try tx.lastSequence() }
        try await fixture.test { client in
            for token in ["viewerA", "operatorA"] {
                // Reads: the same 404 as for something that does not exist.
                let person = try await client.call(.get, "/v1/persons/\(bNIK)", as: token)
                let absentPerson = try await client.call(.get, "/v1/persons/3216014101900999", as: token)
                #expect(person.status == .notFound)
                #expect(person.code == absentPerson.code)
                #expect(person.json["errors"].map { "\($0)" }?.contains("another") != true)
                #expect((person.json["errors"] as? [[String: Any]])?.first?["rule"] as? String
                    == (absentPerson.json["errors"] as? [[String: Any]])?.first?["rule"] as? String)

                let household = try await client.call(.get, "/v1/households/\(b.id!)", as: token)
                let absent = try await client.call(.get, "/v1/households/999999", as: token)
                #expect(household.status == .notFound)
                #expect(household.code == absent.code)
                #expect((household.json["errors"] as? [[String: Any]])?.first?["rule"] as? String
                    == (absent.json["errors"] as? [[String: Any]])?.first?["rule"] as? String)

                // Lists: only desa A, whatever the filter asks.
                for query in ["", "?wilayah=32.16", "?wilayah=\(fixture.desaB.dotted)", "?kk=\(b.nomorKK.rawValueString)", "?limit=1000"] {
                    let page = try await client.call(.get, "/v1/households\(query)", as: token)
                    #expect(page.status == .ok, "\(query)")
                    let ids = (page.json["households"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                    let allowed = Set(fixture.inA.map { Int($0.id!.rawValue) })
                    #expect(ids.allSatisfy(allowed.contains), "\(query): \(ids)")
                    if query.isEmpty || query == "?wilayah=32.16" { #expect(Set(ids) == allowed, "\(query)") }
                }

                // Counts: desa B is not there; the kabupaten narrows to desa A.
                #expect(try await client.call(.get, "/v1/stats?wilayah=\(fixture.desaB.dotted)", as: token).status == .notFound)
                let kabupaten = try await client.call(.get, "/v1/stats?wilayah=32.16", as: token)
                #expect((kabupaten.json["total"] as? [String: Any])?["households"] as? Int == fixture.inA.count)
                #expect(kabupaten.json["wilayah"] as? String == fixture.desaA.dotted)
                let whole = try await client.call(.get, "/v1/stats", as: token)
                #expect((whole.json["total"] as? [String: Any])?["households"] as? Int == fixture.inA.count)
            }

            // Writes into desa B: refused, as 404 for B's households and 403 for a new one there.
            var changed = b
            changed.alamat = "changed"
            #expect(try await client.call(.put, "/v1/households/\(b.id!)", as: "operatorA", body: changed.json).status == .notFound)
            var intoA = b
            intoA.wilayah = fixture.desaA
            #expect(try await client.call(.put, "/v1/households/\(b.id!)", as: "operatorA", body: intoA.json).status == .notFound)
            #expect(try await client.call(.delete, "/v1/households/\(b.id!)", as: "operatorA").status == .notFound)
            var newInB = try HouseholdRouteTests.newHousehold(9, in: fixture.desaB)
            let create = try await client.call(.post, "/v1/households", as: "operatorA", body: newInB.json)
            #expect(create.status == .forbidden)
            #expect(create.code == "auth.forbidden")
            // Moving A's household into B, or a member of B into A, or a member of A into B.
            var aToB = a
            aToB.wilayah = fixture.desaB
            #expect(try await client.call(.put, "/v1/households/\(a.id!)", as: "operatorA", body: aToB.json).status == .forbidden)
            #expect(try await client.call(.post, "/v1/households/\(b.id!)/members/\(bNIK)/move", as: "operatorA", body: #"{"tujuan": \#(a.id!)}"#).status == .notFound)
            #expect(try await client.call(.post, "/v1/households/\(a.id!)/members/\(aNIK)/move", as: "operatorA", body: #"{"tujuan": \#(b.id!)}"#).status == .notFound)

            // A viewer writes nothing, even in its own desa.
            newInB.wilayah = fixture.desaA
            let viewerWrite = try await client.call(.post, "/v1/households", as: "viewerA", body: newInB.json)
            #expect(viewerWrite.status == .forbidden)
            #expect(try await client.call(.delete, "/v1/households/\(a.id!)", as: "viewerA").status == .forbidden)

            // A duplicate NIK from B inside A's household: 409 that does not name B's household.
            var withBMember = a
            var stranger = b.members.first { $0.nik.nik != nil }!
            stranger.relation = .familiLain
            withBMember.members.append(stranger)
            let conflict = try await client.call(.put, "/v1/households/\(a.id!)", as: "operatorA", body: withBMember.json)
            #expect(conflict.status == .conflict)
            #expect(conflict.code == "scope.conflict")
            #expect(!conflict.body.contains("household \(b.id!)"), "\(conflict.body)")

            // The kabupaten admin sees B.
            #expect(try await client.call(.get, "/v1/households/\(b.id!)", as: "adminKabupaten").status == .ok)
        }
        #expect(try await fixture.store.read { tx in try tx.household(id: b.id!) } == b, "B unchanged")
        #expect(try await fixture.store.read { tx in try tx.household(id: a.id!) } == a, "A unchanged")
        #expect(try await fixture.store.read { tx in try tx.householdCount() } == countBefore)
        // Nothing journaled but the refusal of the clash with B (see ScopeOracleTests).
        let journaled = try await fixture.store.read { tx in try tx.changes(after: sequenceBefore) }
        #expect(journaled.map(\.action) == [.event], "\(journaled)")
        #expect(journaled.first?.note.hasPrefix("scope.conflict refused: nik.duplicate") == true)
    }
}
