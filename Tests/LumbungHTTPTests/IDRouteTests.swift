import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import LumbungSynthetic
import Testing

/// Household ids in paths: anything that is not a storable id (0, negative, 2^32 and beyond,
/// past 2^64) names no household. Before, ids of 2^32 and above wrapped onto household
/// `id mod 2^32`: read it, replace it, or delete its record and leave its index entries.
@Suite struct IDRouteTests {
    /// Ids that alias the fixture's household `id` modulo 2^32 or 2^64, and other non-ids.
    static func strangeIDs(near id: UInt64) -> [String] {
        let big = UInt64(1) << 32
        return [
            String(id + big), String(id + 2 * big), String(id | (UInt64.max << 32)), String(UInt64.max),
            "18446744073709551616", "18446744073709551617\(id)", "1" + String(repeating: "0", count: 40) + String(id),
            "0", "-\(id)", "-1", "-18446744073709551617", "00000000000000000000\(id + big)",
        ]
    }

    @Test func idsBeyondTheKeyWidthNameNoHousehold() async throws {
        let fixture = try APIFixture(households: 30)
        let target = fixture.households[2]
        let id = target.id!.rawValue
        _ = try fixture.store.snapshots.create(period: try SnapshotName("2026-10"))
        let sequenceBefore = try await fixture.store.read { tx in try tx.lastSequence() }
        let nik = try #require(target.members.compactMap(\.nik.nik).first).rawValueString
        try await fixture.test { client in
            for text in Self.strangeIDs(near: id) {
                for path in ["/v1/households/\(text)", "/v1/snapshots/2026-10/households/\(text)"] {
                    let answer = try await client.call(.get, path)
                    #expect(answer.status == .notFound, "GET \(path): \(answer.body)")
                    #expect(answer.code == "household.notFound")
                }
                #expect(try await client.call(.delete, "/v1/households/\(text)").status == .notFound, "DELETE \(text)")
                var replacement = target
                replacement.id = nil
                replacement.alamat = "overwritten through \(text)"
                #expect(try await client.call(.put, "/v1/households/\(text)", body: replacement.json).status == .notFound, "PUT \(text)")
                #expect(try await client.call(.post, "/v1/households/\(text)/members/\(nik)/move", body: #"{"tujuan": 1}"#).status == .notFound, "move from \(text)")
            }
            // A move into an id beyond the key width: the target does not exist.
            for tujuan in [id + (1 << 32), UInt64.max] {
                let move = try await client.call(.post, "/v1/households/\(id)/members/\(nik)/move", body: #"{"tujuan": \#(tujuan)}"#)
                #expect(move.status == .notFound, "\(move.body)")
                #expect((move.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "tujuan")
            }
            // Text that is not a number at all stays a bad request.
            #expect(try await client.call(.get, "/v1/households/abc").status == .badRequest)
        }
        #expect(try await fixture.store.read { tx in try tx.household(id: target.id!) } == target)
        #expect(try await fixture.store.read { tx in try tx.lastSequence() } == sequenceBefore, "nothing written")
        #expect(try fixture.store.check().isClean)
    }

    /// The core refuses what the adapters must never pass: no look-up or write reaches a key
    /// that wraps.
    @Test func theCoreRefusesUnstorableIDs() throws {
        let fixture = try APIFixture(households: 5)
        let id = fixture.households[1].id!.rawValue
        for raw in [id + (1 << 32), UInt64.max, 0] {
            let wide = HouseholdID(rawValue: raw)
            #expect(try fixture.store.read { tx in try tx.household(id: wide) } == nil)
            #expect(try fixture.store.read { tx in try tx.contains(id: wide) } == false)
            #expect(throws: LumbungError.self) { try fixture.store.write { tx in try tx.delete(id: wide) } }
            var copy = fixture.households[1]
            copy.id = wide
            #expect(throws: LumbungError.self) { try fixture.store.write { tx in try tx.put(copy) } }
            #expect(throws: LumbungError.self) { try fixture.store.write { tx in try tx.insert(keepingID: copy) } }
        }
        #expect(try fixture.store.check().isClean)
    }

    /// For random ids, huge and negative ones among them, every id route answers 404 or the
    /// right household; random DELETE and PUT sequences over HTTP keep `check` clean and agree
    /// with a model of which households exist.
    @Test(arguments: [UInt64(1), 2, 3])
    func randomIDsAgainstAModel(seed: UInt64) async throws {
        let fixture = try APIFixture(households: 40)
        let initial = Dictionary(uniqueKeysWithValues: fixture.households.map { ($0.id!.rawValue, $0) })
        let maxID = initial.keys.max()!
        let model = try await fixture.test { client in
            var model = initial
            var random = SplitMix64(seed: seed)
            for step in 0..<120 {
                let raw: String
                let known: UInt64?
                switch random.next() % 6 {
                case 0:
                    let id = UInt64.random(in: 1...maxID + 3, using: &random)
                    (raw, known) = (String(id), id)
                case 1:
                    let id = UInt64.random(in: 1...maxID, using: &random) + (UInt64.random(in: 1...1000, using: &random) << 32)
                    (raw, known) = (String(id), nil)
                case 2: (raw, known) = ("-" + String(random.next() >> UInt64.random(in: 0...63, using: &random)), nil)
                case 3: (raw, known) = (String(random.next()) + String(random.next()), nil)
                case 4: (raw, known) = (String(random.next() | (1 << 32)), nil)
                default:
                    let id = UInt64.random(in: 1...maxID, using: &random)
                    (raw, known) = (String(id), id)
                }
                let expected = known.flatMap { model[$0] }
                switch random.next() % 3 {
                case 0:
                    let answer = try await client.call(.get, "/v1/households/\(raw)")
                    if let expected {
                        #expect(answer.status == .ok, "step \(step) GET \(raw)")
                        #expect(answer.json["id"] as? Int == Int(expected.id!.rawValue), "step \(step)")
                    } else {
                        #expect(answer.status == .notFound, "step \(step) GET \(raw): \(answer.body)")
                    }
                case 1:
                    let answer = try await client.call(.delete, "/v1/households/\(raw)")
                    #expect(answer.status == (expected == nil ? .notFound : .noContent), "step \(step) DELETE \(raw)")
                    if let known, expected != nil { model[known] = nil }
                default:
                    var body = expected ?? fixture.households[Int(random.next() % 40)]
                    body.id = nil
                    body.alamat = "alamat \(step)"
                    let answer = try await client.call(.put, "/v1/households/\(raw)", body: body.json)
                    if let known, expected != nil {
                        #expect(answer.status == .ok, "step \(step) PUT \(raw): \(answer.body)")
                        body.id = HouseholdID(rawValue: known)
                        model[known]?.alamat = body.alamat
                    } else {
                        #expect(answer.status == .notFound, "step \(step) PUT \(raw): \(answer.body)")
                    }
                }
            }
            return model
        }
        let stored = try await fixture.store.read { tx in
            var all: [UInt64: String] = [:]
            try tx.forEachHousehold { all[$0.id!.rawValue] = $0.alamat }
            return all
        }
        #expect(stored == model.mapValues(\.alamat))
        let report = try fixture.store.check()
        #expect(report.isClean, "\(report.issues)")
    }
}
