import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import LumbungSynthetic
import Testing

/// Every `/v1` household route and its error paths, through the router in process.
@Suite struct HouseholdRouteTests {
    /// A valid household not yet in the store, placed in `wilayah`.
    static func newHousehold(_ index: Int, in wilayah: KodeWilayah) throws -> Household {
        var household = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 7).household(at: 100_000 + index)
        household.wilayah = wilayah
        household.status = .usulan  // a direct write inserts usulan; the status follows change requests
        return household
    }

    @Test func authentication() async throws {
        let fixture = try APIFixture(households: 20)
        try await fixture.test { client in
            let health = try await client.call(.get, "/health", as: nil)
            #expect(health.status == .ok)
            #expect(health.json["status"] as? String == "ok")

            let missing = try await client.call(.get, "/v1/stats", as: nil)
            #expect(missing.status == .unauthorized)
            #expect(missing.code == "auth.missing")
            #expect(missing.contentType == "application/problem+json")
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(missing.json["status"] as? Int == 401)
            #expect(missing.json["type"] as? String == "urn:lumbung:problem:auth.missing")

            for bad in ["lmb_000000000000_" + String(repeating: "0", count: 64), "nonsense", "revoked"] {
                let answer = try await client.call(.get, "/v1/stats", as: bad)
                #expect(answer.status == .unauthorized, "\(bad)")
                #expect(answer.code == "auth.invalid")
            }
            let basic = try await client.call(.get, "/v1/stats", as: nil, headers: [.authorization: "Basic dXNlcjpwYXNz"])
            #expect(basic.code == "auth.invalid")

            // A tampered secret of a real token: right id, wrong key.
            let real = fixture.secrets["adminAll"]!
            let tampered = String(real.dropLast()) + (real.hasSuffix("0") ? "1" : "0")
            #expect(try await client.call(.get, "/v1/stats", as: tampered).status == .unauthorized)
            #expect(try await client.call(.get, "/v1/stats", as: "adminAll").status == .ok)

            let unknownRoute = try await client.call(.get, "/v1/nothing")
            #expect(unknownRoute.status == .notFound)
            #expect(unknownRoute.contentType == "application/problem+json")
        }
    }

    @Test(arguments: StoreGateway.ReadExecution.allCases)
    func personAndHouseholdLookups(reads: StoreGateway.ReadExecution) async throws {
        let fixture = try APIFixture(households: 40, readExecution: reads)
        let household = fixture.households[3]
        let member = household.members.first { $0.nik.nik != nil }!
        let nik = member.nik.nik!
        try await fixture.test { client in
            let person = try await client.call(.get, "/v1/persons/\(nik.rawValueString)")
            #expect(person.status == .ok)
            let anggota = person.json["anggota"] as? [String: Any]
            #expect(anggota?["nik"] as? String == nik.rawValueString)
            #expect(anggota?["nama"] as? String == member.name)
            let body = try JSONSerialization.data(withJSONObject: person.json["household"]!)
            #expect(try HouseholdJSON.decode(Array(body)) == household)

            // Every member, first to last, is answered as exactly their object in the household.
            for (index, each) in household.members.enumerated() {
                guard let eachNIK = each.nik.nik else { continue }
                let answer = try await client.call(.get, "/v1/persons/\(eachNIK.rawValueString)").json
                let members = (answer["household"] as? [String: Any])?["anggota"] as? [[String: Any]]
                let shown = try #require(answer["anggota"] as? [String: Any])
                #expect(members.map { NSDictionary(dictionary: $0[index]) } == NSDictionary(dictionary: shown), "member \(index)")
            }

            let byID = try await client.call(.get, "/v1/households/\(household.id!)")
            #expect(byID.status == .ok)
            #expect(try HouseholdJSON.decode(Array(byID.body.utf8)) == household)

            let invalid = try await client.call(.get, "/v1/persons/12345")
            #expect(invalid.status == .badRequest)
            #expect(invalid.code == "nik.length")
            let errors = invalid.json["errors"] as? [[String: Any]]
            #expect(errors?.first?["field"] as? String == "nik")

            let absent = try await client.call(.get, "/v1/persons/3216014101900999")
            #expect(absent.status == .notFound)
            #expect(absent.code == "member.notFound")
            #expect(!absent.body.contains("3216014101900999"), "the NIK comes back masked")

            #expect(try await client.call(.get, "/v1/households/999999").code == "household.notFound")
            for bad in ["abc", "1x", "-"] {
                let answer = try await client.call(.get, "/v1/households/\(bad)")
                #expect(answer.status == .badRequest, "\(bad)")
                #expect(answer.code == "request.invalid")
            }
            // Numbers that are no storable id name no household (see IDRouteTests).
            for absentID in ["0", "-1", "99999999999999999999999", "4294967296"] {
                let answer = try await client.call(.get, "/v1/households/\(absentID)")
                #expect(answer.status == .notFound, "\(absentID)")
                #expect(answer.code == "household.notFound")
            }
            #expect(try await client.call(.get, "/v1/households/1?x=1").status == .badRequest)
        }
    }

    @Test func listFiltersAndCursor() async throws {
        let fixture = try APIFixture(households: 300)
        let kecamatan = KodeWilayah(unchecked: fixture.desaA.packed / 10_000 * 10_000, level: .kecamatan)
        try await fixture.test { client in
            // Every filter against the households themselves, paged 7 at a time.
            let cases: [(String, (Household) -> Bool)] = [
                ("", { _ in true }),
                ("wilayah=\(kecamatan.dotted)", { kecamatan.contains($0.wilayah) }),
                ("wilayah=\(fixture.desaA.dotted)", { fixture.desaA.contains($0.wilayah) }),
                ("status=ditetapkan", { $0.status == .ditetapkan }),
                ("status=tidak_layak", { if case .tidakLayak = $0.status { true } else { false } }),
                ("program=PKH", { $0.programs.contains(.pkh) }),
                ("desil_min=2&desil_max=4", { $0.desil.map { (2...4).contains($0) } ?? false }),
                ("program=BPNT&desil_max=3", { $0.programs.contains(.bpnt) && ($0.desil.map { $0 <= 3 } ?? false) }),
            ]
            for (filter, matches) in cases {
                var ids: [HouseholdID] = []
                var cursor: String?
                var pages = 0
                repeat {
                    var uri = "/v1/households?limit=7" + (filter.isEmpty ? "" : "&\(filter)")
                    if let cursor { uri += "&cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }
                    let page = try await client.call(.get, uri)
                    #expect(page.status == .ok, "\(uri) \(page.body)")
                    let households = page.json["households"] as? [[String: Any]] ?? []
                    #expect(households.count <= 7)
                    ids += households.compactMap { ($0["id"] as? Int).map { HouseholdID(UInt64($0)) } }
                    cursor = page.json["next_cursor"] as? String
                    pages += 1
                } while cursor != nil && pages < 100
                let expected = fixture.households.filter(matches).map { $0.id! }
                #expect(ids.sorted() == expected.sorted(), "\(filter)")
                #expect(Set(ids).count == ids.count, "no household twice: \(filter)")
            }

            let target = fixture.households[10]
            let byKK = try await client.call(.get, "/v1/households?kk=\(target.nomorKK.rawValueString)")
            #expect((byKK.json["households"] as? [[String: Any]])?.map { $0["id"] as? Int } == [Int(target.id!.rawValue)])
            #expect(try await client.call(.get, "/v1/households?kk=3216010101200099").json["households"] as? [Any] != nil)

            let refusals: [(String, String)] = [
                ("kk=123", "kk.length"), ("kk=3216010101200001&status=usulan", "request.invalid"),
                ("wilayah=99.99", "wilayah.unknown"), ("wilayah=abc", "wilayah.format"),
                ("status=kaya", "household.status"), ("program=XYZ", "household.program"),
                ("desil_min=0", "request.invalid"), ("desil_max=11", "request.invalid"), ("desil_min=5&desil_max=2", "query.invalid"),
                ("limit=0", "request.invalid"), ("limit=100000", "request.invalid"), ("limit=1e9", "request.invalid"),
                ("cursor=garbage", "query.cursorInvalid"), ("sort=nama", "request.invalid"), ("status=usulan&status=ditetapkan", "request.invalid"),
            ]
            for (query, code) in refusals {
                let answer = try await client.call(.get, "/v1/households?\(query)")
                #expect(answer.status == .badRequest, "\(query): \(answer.body)")
                #expect(answer.code == code, "\(query): \(answer.body)")
            }
        }
    }

    @Test func createReplaceDelete() async throws {
        let fixture = try APIFixture(households: 40)
        let fresh = try Self.newHousehold(1, in: fixture.desaA)
        try await fixture.test { client in
            let created = try await client.call(.post, "/v1/households", as: "operatorA", body: fresh.json, headers: [.init("X-Request-Id")!: "req-create-1"])
            #expect(created.status == .created, "\(created.body)")
            #expect(created.headers[.init("X-Request-Id")!] == "req-create-1")
            let stored = try HouseholdJSON.decode(Array(created.body.utf8))
            let id = try #require(stored.id)
            #expect(created.headers[.location] == "/v1/households/\(id)")
            #expect(stored.nomorKK == fresh.nomorKK && stored.members.count == fresh.members.count)

            // Journaled with the token's actor and the request id.
            let last = try await fixture.store.read { tx in try tx.changes(after: 0, limit: 100_000).last! }
            #expect(last.actor == "operatorA request=req-create-1")
            #expect(last.householdID == id && last.action == .insert)

            var changed = stored
            changed.alamat = "Jl. Kenanga No. 9"
            let replaced = try await client.call(.put, "/v1/households/\(id)", as: "operatorA", body: changed.json)
            #expect(replaced.status == .ok, "\(replaced.body)")
            #expect(replaced.headers[.init("X-Lumbung-Outcome")!] == "updated")
            #expect(try await fixture.store.read { tx in try tx.household(id: id)?.alamat } == "Jl. Kenanga No. 9")

            // The body's id must agree with the path's.
            var other = changed
            other.id = HouseholdID(id.rawValue + 1)
            let mismatch = try await client.call(.put, "/v1/households/\(id)", as: "operatorA", body: other.json)
            #expect(mismatch.status == .unprocessableContent)
            #expect(try await client.call(.post, "/v1/households", as: "operatorA", body: changed.json).status == .unprocessableContent)

            #expect(try await client.call(.put, "/v1/households/999999", as: "adminAll", body: fresh.json).code == "household.notFound")

            let deleted = try await client.call(.delete, "/v1/households/\(id)", as: "operatorA")
            #expect(deleted.status == .noContent)
            #expect(try await fixture.store.read { tx in try tx.contains(id: id) } == false)
            #expect(try await client.call(.delete, "/v1/households/\(id)", as: "operatorA").status == .notFound)
            #expect(try fixture.store.check().isClean)
        }
    }

    @Test func invalidBodies() async throws {
        let fixture = try APIFixture(households: 10, configuration: {
            var configuration = LumbungAPI<LumbungBasicRequestContext>.Configuration()
            configuration.bodyLimit = 16 * 1024
            return configuration
        }())
        let fresh = try Self.newHousehold(2, in: fixture.desaA)
        let before = try await fixture.store.read { tx in try tx.householdCount() }
        try await fixture.test { client in
            // A NIK that breaks a rule: 422 naming the member's field.
            var badNIK = fresh
            badNIK.members[0].nik = MemberNIK(parsing: "3216019999990000")
            let refused = try await client.call(.post, "/v1/households", body: badNIK.json)
            #expect(refused.status == .unprocessableContent, "\(refused.body)")
            #expect(refused.code?.hasPrefix("nik.") == true)
            let field = (refused.json["errors"] as? [[String: Any]])?.first?["field"] as? String
            #expect(field?.hasPrefix("anggota[0]") == true, "\(refused.body)")

            // An unknown wilayah.
            let unknownWilayah = fresh.json.replacingOccurrences(of: fresh.wilayah.dotted, with: "32.16.99.9999")
            let wilayah = try await client.call(.post, "/v1/households", body: unknownWilayah)
            #expect(wilayah.status == .unprocessableContent, "\(wilayah.body)")
            #expect(wilayah.code?.hasPrefix("wilayah.") == true)

            // Duplicate NIK: 409, without naming the household that holds it.
            var duplicate = fresh
            duplicate.members.append({ var m = fixture.households[5].members[0]; m.relation = .familiLain; return m }())
            let conflict = try await client.call(.post, "/v1/households", body: duplicate.json)
            #expect(conflict.status == .conflict, "\(conflict.body)")
            #expect(conflict.code == "nik.duplicate")
            #expect(!conflict.body.contains("household \(fixture.households[5].id!)"), "\(conflict.body)")
            #expect(conflict.body.contains("another household"))

            var duplicateKK = fresh
            duplicateKK.nomorKK = fixture.households[6].nomorKK
            let kkConflict = try await client.call(.post, "/v1/households", body: duplicateKK.json)
            #expect(kkConflict.status == .conflict)
            #expect(!kkConflict.body.contains("household \(fixture.households[6].id!)"), "\(kkConflict.body)")

            let malformed = try await client.call(.post, "/v1/households", body: "{\"nomor_kk\": ")
            #expect(malformed.status == .badRequest)
            #expect(malformed.code?.hasPrefix("json.") == true)
            #expect(try await client.call(.post, "/v1/households", body: "").status == .badRequest)
            #expect(try await client.call(.post, "/v1/households", body: "[1,2]").status.code / 100 == 4)

            let huge = "{\"alamat\": \"" + String(repeating: "x", count: 20_000) + "\"}"
            let tooLarge = try await client.call(.post, "/v1/households", body: huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.code == "request.tooLarge")
        }
        #expect(try await fixture.store.read { tx in try tx.householdCount() } == before, "nothing refused was written")
    }

    @Test func moveMember() async throws {
        let fixture = try APIFixture(households: 20)
        let first = try Self.newHousehold(3, in: fixture.desaA)
        let second = try Self.newHousehold(4, in: fixture.desaA)
        try await fixture.test { client in
            let a = try HouseholdJSON.decode(Array(try await client.call(.post, "/v1/households", as: "operatorA", body: first.json).body.utf8))
            let b = try HouseholdJSON.decode(Array(try await client.call(.post, "/v1/households", as: "operatorA", body: second.json).body.utf8))
            let moving = try #require(a.members.first { $0.relation != .kepalaKeluarga && $0.nik.nik != nil }, "a member besides the head")
            let nik = moving.nik.nik!.rawValueString

            let wrongHousehold = try await client.call(.post, "/v1/households/\(b.id!)/members/\(nik)/move", as: "operatorA", body: #"{"tujuan": \#(a.id!)}"#)
            #expect(wrongHousehold.status == .notFound, "the member is not in b")
            let badBody = try await client.call(.post, "/v1/households/\(a.id!)/members/\(nik)/move", as: "operatorA", body: #"{"tujuan": "x"}"#)
            #expect(badBody.status == .badRequest)
            let badRelation = try await client.call(.post, "/v1/households/\(a.id!)/members/\(nik)/move", as: "operatorA", body: #"{"tujuan": \#(b.id!), "hubungan": "boss"}"#)
            #expect(badRelation.status == .unprocessableContent)
            // The core's parse and message for a relation, as a household's JSON gets them.
            let relationProblem = (badRelation.json["errors"] as? [[String: Any]])?.first
            #expect(relationProblem?["field"] as? String == "hubungan" && relationProblem?["value"] as? String == "boss")
            #expect(relationProblem?["rule"] as? String == Relation.rule && badRelation.code == "member.invalid")
            let zero = try await client.call(.post, "/v1/households/\(a.id!)/members/\(nik)/move", as: "operatorA", body: #"{"tujuan": 0}"#)
            #expect(zero.status == .unprocessableContent && (zero.json["errors"] as? [[String: Any]])?.first?["rule"] as? String == HouseholdID.rule)

            let moved = try await client.call(.post, "/v1/households/\(a.id!)/members/\(nik)/move", as: "operatorA", body: #"{"tujuan": \#(b.id!), "hubungan": "famili_lain"}"#)
            #expect(moved.status == .ok, "\(moved.body)")
            let holder = try await fixture.store.read { tx in try tx.householdID(nik: moving.nik.nik!) }
            #expect(holder == b.id)
            let person = try await client.call(.get, "/v1/persons/\(nik)", as: "viewerA")
            #expect((person.json["household"] as? [String: Any])?["id"] as? Int == Int(b.id!.rawValue))
        }
    }

    @Test func stats() async throws {
        let fixture = try APIFixture(households: 120)
        try await fixture.test { client in
            let all = try await client.call(.get, "/v1/stats")
            #expect(all.status == .ok)
            let total = all.json["total"] as? [String: Any]
            #expect(total?["households"] as? Int == 120)
            #expect(total?["members"] as? Int == fixture.households.reduce(0) { $0 + $1.members.count })

            let desa = try await client.call(.get, "/v1/stats?wilayah=\(fixture.desaA.dotted)")
            #expect((desa.json["total"] as? [String: Any])?["households"] as? Int == fixture.inA.count)
            let pkh = fixture.inA.filter { $0.programs.contains(.pkh) }.count
            #expect(((desa.json["program"] as? [String: Any])?["PKH"] as? [String: Any])?["households"] as? Int == (pkh == 0 ? nil : pkh))

            #expect(try await client.call(.get, "/v1/stats?wilayah=xyz").status == .badRequest)
        }
    }
}

extension NIK {
    var rawValueString: String { String(format: "%016llu", rawValue) }
}

extension NomorKK {
    var rawValueString: String { String(format: "%016llu", rawValue) }
}

extension HouseholdRouteTests {
    @Test func revocationCountsWithinASecond() async throws {
        let fixture = try APIFixture(households: 5)
        try await fixture.test { client in
            #expect(try await client.call(.get, "/v1/stats", as: "operatorA").status == .ok)
            let id = String(fixture.secrets["operatorA"]!.dropFirst(4).prefix(12))
            try await fixture.store.write { tx in _ = try tx.revokeToken(id: id) }
            try await Task.sleep(for: .milliseconds(1100))
            let refused = try await client.call(.get, "/v1/stats", as: "operatorA")
            #expect(refused.status == .unauthorized)
            #expect(refused.code == "auth.invalid")
        }
    }
}
