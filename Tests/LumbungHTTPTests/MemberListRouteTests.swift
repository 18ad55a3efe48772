import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import Testing

/// `GET /v1/households` with the member parameters (`anggota`, `ukuran_keluarga`, `jk_kepala`,
/// `umur_kepala`, `pkh_komponen`, `tanggal`) and the members each answer names
/// (`anggota_cocok`), and `GET /v1/stats?pkh=true`, against a plain in-memory model.
@Suite struct MemberListRouteTests {
    /// The obvious implementation, on a fixed reference date.
    enum Model {
        static let date = try! CalendarDate(year: 2026, month: 7, day: 1)

        static func age(_ member: Member) -> Int? {
            guard let birth = member.birthDate else { return nil }
            let passed = date.month > birth.month || (date.month == birth.month && date.day >= birth.day)
            return date.year - birth.year - (passed ? 0 : 1)
        }

        static func present(_ member: Member) -> Bool { member.presence == .tinggalBersama || member.presence == .anggotaBaru }

        static func head(_ household: Household) -> Member { household.members.first { $0.relation == .kepalaKeluarga }! }
    }

    /// A parameter, the households the model picks, and the members it names in each (nil: none).
    struct Case: @unchecked Sendable {
        let query: String
        let households: (Household) -> Bool
        let members: ((Member) -> Bool)?
    }

    static let cases: [Case] = [
        Case(query: "anggota=age%3C6", households: { $0.members.contains { Model.present($0) && (Model.age($0) ?? 99) < 6 } },
             members: { Model.present($0) && (Model.age($0) ?? 99) < 6 }),
        Case(query: "anggota=sex%3DP,status_perkawinan%3Dkawin%3Bage%3E%3D60",
             households: { h in h.members.contains { Model.present($0) && $0.sex == .female && $0.maritalStatus == .kawin } && h.members.contains { Model.present($0) && (Model.age($0) ?? -1) >= 60 } },
             members: { Model.present($0) && (($0.sex == .female && $0.maritalStatus == .kawin) || (Model.age($0) ?? -1) >= 60) }),
        Case(query: "anggota=age%3D7-12,jumlah%3E%3D2", households: { $0.members.filter { Model.present($0) && (7...12).contains(Model.age($0) ?? -1) }.count >= 2 },
             members: { Model.present($0) && (7...12).contains(Model.age($0) ?? -1) }),
        Case(query: "ukuran_keluarga=%3C4", households: { $0.members.filter(Model.present).count < 4 }, members: nil),
        Case(query: "jk_kepala=P", households: { Model.head($0).sex == .female }, members: { $0.relation == .kepalaKeluarga }),
        Case(query: "umur_kepala=%3E%3D60", households: { (Model.age(Model.head($0)) ?? -1) >= 60 }, members: { $0.relation == .kepalaKeluarga }),
        Case(query: "pkh_komponen=anak_sd", households: { $0.members.contains { Model.present($0) && (7...12).contains(Model.age($0) ?? -1) } },
             members: { Model.present($0) && (7...12).contains(Model.age($0) ?? -1) }),
    ]

    @Test("each member parameter lists the model's households, and names the members who matched")
    func memberParameters() async throws {
        let fixture = try APIFixture(households: 300)
        try await fixture.test { client in
            for item in Self.cases {
                let answer = try await client.call(.get, "/v1/households?limit=1000&tanggal=2026-07-01&\(item.query)")
                #expect(answer.status == .ok, "\(item.query): \(answer.body)")
                let listed = answer.json["households"] as? [[String: Any]] ?? []
                let want = fixture.households.filter(item.households)
                #expect(!want.isEmpty, "\(item.query)")
                #expect(Set(listed.compactMap { $0["id"] as? Int }) == Set(want.map { Int($0.id!.rawValue) }), "\(item.query)")
                let matched = answer.json["anggota_cocok"] as? [[String: Any]]
                guard let pick = item.members else {
                    #expect(matched == nil, "\(item.query): household size names no member")
                    continue
                }
                let entries = try #require(matched, "\(item.query)")
                #expect(entries.compactMap { $0["id"] as? Int } == listed.compactMap { $0["id"] as? Int }, "one entry per household, in order")
                for entry in entries {
                    let household = try #require(fixture.households.first { Int($0.id!.rawValue) == entry["id"] as? Int })
                    let members = entry["anggota"] as? [[String: Any]] ?? []
                    #expect(members.compactMap { $0["posisi"] as? Int } == household.members.indices.filter { pick(household.members[$0]) }, "\(item.query)")
                    for member in members {
                        let stored = household.members[member["posisi"] as! Int]
                        #expect(member["nik"] as? String == stored.nik.nik?.masked, "masked, as in every answer")
                    }
                }
            }
            // The reference date moves ages: a household's child under 6 today is not under 6 in 2040.
            let later = try await client.call(.get, "/v1/households?limit=1000&tanggal=2040-07-01&anggota=age%3C6")
            let laterIDs = Set((later.json["households"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int })
            let bornBy2026 = fixture.households.filter { h in h.members.contains { Model.present($0) && (Model.age($0) ?? 99) < 6 } && !h.members.contains { m in Model.present(m) && m.birthDate.map { $0.year >= 2034 } ?? false } }
            #expect(laterIDs.isDisjoint(with: bornBy2026.map { Int($0.id!.rawValue) }))
            // Scope: desa A's viewer sees desa A's matches only.
            let scoped = try await client.call(.get, "/v1/households?limit=1000&tanggal=2026-07-01&pkh_komponen=anak_sd", as: "viewerA")
            let scopedIDs = Set((scoped.json["households"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int })
            #expect(scopedIDs == Set(fixture.inA.filter(Self.cases[6].households).map { Int($0.id!.rawValue) }))
        }
    }

    @Test("a bad member parameter is a problem naming the parameter, its value and the rule")
    func badValues() async throws {
        let fixture = try APIFixture(households: 20)
        try await fixture.test { client in
            let cases: [(query: String, field: String, value: String, rule: String)] = [
                ("anggota=umur%3C%3C3", "anggota", "umur<<3", "umur takes"),
                ("anggota=hamil,warna%3Dmerah", "anggota", "warna=merah", "terms joined by"),
                ("anggota=hamil%3Dmungkin", "anggota", "hamil=mungkin", "ya/tidak"),
                ("ukuran_keluarga=banyak", "ukuran_keluarga", "banyak", "jumlah takes"),
                ("jk_kepala=X", "jk_kepala", "X", "L (laki-laki) or P"),
                ("jk_kepala=P&umur_kepala=tua", "umur_kepala", "tua", "age takes"),
                ("pkh_komponen=anak_kuliah", "pkh_komponen", "anak_kuliah", "anak_usia_dini"),
                ("tanggal=2026-13-01&anggota=age%3C6", "tanggal", "2026-13", "calendar"),
                ("anggota=age%3C6%3Bage%3C7%3Bage%3C8%3Bage%3C9%3Bage%3C10%3Bage%3C11%3Bage%3C12%3Bage%3C13%3Bage%3C14", "anggota", "9", "at most 8"),
            ]
            for item in cases {
                let answer = try await client.call(.get, "/v1/households?\(item.query)")
                #expect(answer.status == .badRequest, "\(item.query): \(answer.body)")
                let error = (answer.json["errors"] as? [[String: Any]])?.first ?? [:]
                #expect(error["field"] as? String == item.field, "\(item.query): \(answer.body)")
                #expect((error["value"] as? String ?? "").contains(item.value), "\(item.query): \(answer.body)")
                #expect((error["rule"] as? String ?? "").contains(item.rule), "\(item.query): \(answer.body)")
            }
        }
    }

    @Test("GET /v1/stats?pkh=true counts households and members per PKH component, in the token's scope")
    func statsPKH() async throws {
        let fixture = try APIFixture(households: 300)
        @Sendable func expected(_ households: [Household], _ component: PKHComponent) -> [String: Int] {
            let rule = component.rule
            func counts(_ member: Member) -> Bool {
                guard Model.present(member) else { return false }
                if rule.pregnant || rule.severeDisability { return false }  // the fixture marks no one
                return Model.age(member).map { rule.ages!.contains($0) } ?? false
            }
            return ["households": households.filter { $0.members.contains(where: counts) }.count,
                    "members": households.reduce(0) { $0 + $1.members.filter(counts).count }]
        }
        try await fixture.test { client in
            for (token, wilayah, households) in [("adminAll", nil, fixture.households), ("viewerA", nil, fixture.inA), ("adminAll", fixture.desaB, fixture.inB)] {
                let answer = try await client.call(.get, "/v1/stats?pkh=true&tanggal=2026-07-01" + (wilayah.map { "&wilayah=\($0.dotted)" } ?? ""), as: token)
                #expect(answer.status == .ok, "\(answer.body)")
                let pkh = try #require(answer.json["pkh_komponen"] as? [String: Any], "\(answer.body)")
                #expect(pkh["tanggal"] as? String == "2026-07-01")
                for component in PKHComponent.allCases {
                    #expect(pkh[component.name] as? [String: Int] == expected(households, component), "\(token) \(component)")
                }
            }
            #expect(try await client.call(.get, "/v1/stats?pkh=true").json["pkh_komponen"] != nil, "today by default")
            #expect(try await client.call(.get, "/v1/stats").json["pkh_komponen"] == nil, "only when asked for")
            for (query, field, value) in [("pkh=ya", "pkh", "ya"), ("tanggal=2026-07-01", "tanggal", "2026-07-01"), ("pkh=true&tanggal=kemarin", "tanggal", "kemarin")] {
                let answer = try await client.call(.get, "/v1/stats?\(query)")
                #expect(answer.status == .badRequest, "\(query)")
                let error = (answer.json["errors"] as? [[String: Any]])?.first ?? [:]
                #expect(error["field"] as? String == field && (error["value"] as? String ?? "").contains(value), "\(query): \(answer.body)")
            }
        }
    }
}
