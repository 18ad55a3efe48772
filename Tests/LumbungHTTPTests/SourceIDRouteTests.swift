import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import Testing

/// `GET /v1/households?source_id=`, a source id held twice over HTTP, and the DCI `SOURCE_ID`
/// identifier type, each inside the token's scope: a token of desa A gets no hint that a source id
/// exists in desa B.
@Suite struct SourceIDRouteTests {
    /// The fixture with a source id on the first household of desa A and of desa B.
    static func fixture() throws -> (APIFixture, a: Household, b: Household) {
        let fixture = try APIFixture(households: 300)
        var a = try #require(fixture.inA.first), b = try #require(fixture.inB.first)
        a.sourceID = try SourceID("DTKS-A 001")
        b.sourceID = try SourceID("DTKS-B/001")
        try fixture.store.write { tx in
            try tx.put(a)
            try tx.put(b)
        }
        a = try #require(try fixture.store.read { tx in try tx.household(id: a.id!) })
        b = try #require(try fixture.store.read { tx in try tx.household(id: b.id!) })
        return (fixture, a, b)
    }

    static func ids(_ answer: APIFixture.Client.Answer) -> [Int] {
        (answer.json["households"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
    }

    @Test func theSourceIDFilterFindsOneHouseholdInsideTheScopeOnly() async throws {
        let (fixture, a, b) = try Self.fixture()
        try await fixture.test { client in
            let found = try await client.call(.get, "/v1/households?source_id=DTKS-A%20001")
            #expect(found.status == .ok && Self.ids(found) == [Int(a.id!.rawValue)], "\(found.body)")
            #expect(found.body.contains(#""id_sumber":"DTKS-A 001""#))
            #expect(Self.ids(try await client.call(.get, "/v1/households?source_id=%20DTKS-B/001%20")) == [Int(b.id!.rawValue)], "trimmed like the rule says")
            #expect(Self.ids(try await client.call(.get, "/v1/households?source_id=dtks-b/001")).isEmpty, "case counts")

            // Desa A's viewer: B's source id answers exactly as one nobody holds.
            let hidden = try await client.call(.get, "/v1/households?source_id=DTKS-B/001", as: "viewerA")
            let absent = try await client.call(.get, "/v1/households?source_id=DTKS-Z/999", as: "viewerA")
            #expect(hidden.status == .ok && absent.status == .ok)
            #expect(hidden.body == absent.body && Self.ids(hidden).isEmpty)
            #expect(Self.ids(try await client.call(.get, "/v1/households?source_id=DTKS-A%20001", as: "viewerA")) == [Int(a.id!.rawValue)])

            let long = try await client.call(.get, "/v1/households?source_id=" + String(repeating: "x", count: 65))
            #expect(long.status == .badRequest || long.status == .unprocessableContent, "\(long.status)")
            #expect(long.code == "sourceid.invalid", "\(long.body)")
            let combined = try await client.call(.get, "/v1/households?source_id=DTKS-A%20001&status=usulan")
            #expect(combined.code == "request.invalid" && combined.body.contains("source_id finds one household"), "\(combined.body)")
        }
    }

    @Test func aSourceIDHeldElsewhereIsAConflictThatNamesNoHouseholdOutsideTheScope() async throws {
        let (fixture, a, b) = try Self.fixture()
        let sequenceBefore = try await fixture.store.read { tx in try tx.lastSequence() }
        try await fixture.test { client in
            var taking = a
            taking.sourceID = b.sourceID
            let scoped = try await client.call(.put, "/v1/households/\(a.id!)", as: "operatorA", body: taking.json)
            #expect(scoped.status == .conflict && scoped.code == "scope.conflict", "\(scoped.body)")
            #expect(!scoped.body.contains("household \(b.id!)") && !scoped.body.contains("DTKS-B"), "\(scoped.body)")

            let whole = try await client.call(.put, "/v1/households/\(a.id!)", as: "adminAll", body: taking.json)
            #expect(whole.status == .conflict && whole.code == "sourceid.duplicate", "\(whole.body)")
            #expect(whole.body.contains("id_sumber"), "\(whole.body)")

            var renamed = a
            renamed.sourceID = try SourceID("DTKS-A 002")
            #expect(try await client.call(.put, "/v1/households/\(a.id!)", as: "operatorA", body: renamed.json).status == .ok)
            #expect(Self.ids(try await client.call(.get, "/v1/households?source_id=DTKS-A%20002")) == [Int(a.id!.rawValue)])
            #expect(Self.ids(try await client.call(.get, "/v1/households?source_id=DTKS-A%20001")).isEmpty)
        }
        #expect(try await fixture.store.read { tx in try tx.household(id: b.id!) } == b, "B unchanged")
        let journaled = try await fixture.store.read { tx in try tx.changes(after: sequenceBefore) }
        #expect(journaled.first?.note.hasPrefix("scope.conflict refused: sourceid.duplicate") == true, "\(journaled)")
    }

    @Test func theDCISourceIDIdentifierTypeFindsTheHouseholdInsideTheScope() async throws {
        let (fixture, a, b) = try Self.fixture()
        try await fixture.test { client in
            let answer = try await client.call(.post, "/registry/sync/search", body: DCITests.message([
                DCITests.search("src", queryType: "idtype-value", query: #"{"type": "SOURCE_ID", "value": "DTKS-A 001"}"#),
                DCITests.search("none", queryType: "idtype-value", query: #"{"type": "SOURCE_ID", "value": "DTKS-Z"}"#),
                DCITests.search("bad", queryType: "idtype-value", query: #"{"type": "SOURCE_ID", "value": ""}"#),
            ]))
            let results = DCITests.results(answer)
            #expect(results.map(\.status) == ["succ", "succ", "rjct"], "\(answer.body)")
            let record = try #require(results[0].records.first)
            #expect(results[0].total == 1 && DCITests.kk(record) == a.nomorKK.text)
            let identifiers = results[0].records.first?["group_identifier"] as? [[String: Any]] ?? []
            #expect(identifiers.contains { $0["identifier_type"] as? String == "SOURCE_ID" && $0["identifier_value"] as? String == "DTKS-A 001" })
            #expect(results[1].total == 0 && results[1].records.isEmpty)
            #expect(results[2].reason == "rjct.search_criteria.invalid")

            let scoped = DCITests.results(try await client.call(.post, "/registry/sync/search", as: "viewerA", body: DCITests.message([
                DCITests.search("b", queryType: "idtype-value", query: #"{"type": "SOURCE_ID", "value": "DTKS-B/001"}"#),
                DCITests.search("z", queryType: "idtype-value", query: #"{"type": "SOURCE_ID", "value": "DTKS-Z/999"}"#),
            ])))
            #expect(scoped.map(\.total) == [0, 0] && scoped.allSatisfy { $0.records.isEmpty && $0.status == "succ" })
            _ = b
        }
    }
}
