import Foundation
import Lumbung
import Testing

/// `find --has-member/--household-size/--head-sex/--pkh-komponen` and `stats --pkh` through the
/// real binary, against the core's in-memory reading of the same households.
@Suite("CLI member queries and PKH components")
struct CLIMemberTests {
    static func ids(_ result: CLITests.Result) -> Set<HouseholdID> {
        // A household line, or a member search's {"household": {"id": …}, "anggota_cocok": […]}.
        let pattern = try! NSRegularExpression(pattern: #"^\{(?:"household":\{)?"id":(\d+),"#)
        return Set(result.lines.compactMap { line -> HouseholdID? in
            let text = String(line)
            guard let match = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                  let range = Range(match.range(at: 1), in: text), let id = UInt64(text[range]) else { return nil }
            return HouseholdID(rawValue: id)
        })
    }

    @Test("find by who lives in the household answers as the in-memory filter; stats --pkh as the core")
    func findAndStats() throws {
        let directory = TemporaryDirectory("lumbung-cli-members")
        let store = directory.sub("store")
        let generated = try CLITests.run(["generate", "--households", "600", "--seed", "4"], store: store, in: directory)
        try #require(generated.status == 0, "\(generated.stderr)")
        let date = try CalendarDate(year: 2026, month: 2, day: 28)
        let households = try Store(path: store, options: .readOnly).read { tx in
            var all: [Household] = []
            try tx.forEachHousehold { all.append($0) }
            return all
        }
        let cases: [([String], [MemberCount])] = [
            (["--has-member", "age<6"], [try MemberCount(parsing: "age<6", field: "t")]),
            (["--has-member", "age=7-12,jumlah>=2"], [try MemberCount(parsing: "age=7-12,jumlah>=2", field: "t")]),
            (["--household-size", "<4", "--head-sex", "P"], [try .householdSize(parsing: "<4", field: "t"), try .head(sex: "P", age: nil, fields: ("t", "t"))]),
            (["--pkh-komponen", "lansia"], [.pkh(.lansia)]),
        ]
        for (arguments, counts) in cases {
            var query = HouseholdQuery()
            query.members = counts
            query.referenceDate = date
            let want = Set(households.filter { HouseholdFilter.query(query).matches($0) }.map(\.id!))
            #expect(!want.isEmpty, "\(arguments) matches some household")
            let found = try CLITests.run(["find", "--json", "--limit", "10000", "--date", "2026-02-28"] + arguments, store: store, in: directory)
            #expect(found.status == 0, "\(found.stderr)")
            #expect(Self.ids(found) == want, "\(arguments)")

            // Each line names the members who matched: positions, masked NIKs, relations.
            let picking = counts.filter { $0.count.lowerBound >= 1 && $0.condition != MemberCondition() }
            for line in found.lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let household = try #require(object["household"] as? [String: Any], "\(arguments): \(line.prefix(80))")
                let id = HouseholdID(rawValue: UInt64(try #require(household["id"] as? Int)))
                let stored = try #require(households.first { $0.id == id })
                let listed = try #require(object["anggota_cocok"] as? [[String: Any]])
                let wantPositions = stored.members.indices.filter { index in
                    picking.contains { $0.condition.matches(MemberFacts(stored.members[index]), birth: stored.members[index].birthDate, on: date) }
                }
                #expect(!wantPositions.isEmpty)
                #expect(listed.compactMap { $0["posisi"] as? Int } == wantPositions, "\(arguments) household \(id)")
                for entry in listed {
                    let member = stored.members[entry["posisi"] as! Int]
                    #expect(entry["nik"] as? String == member.nik.nik?.masked)
                    #expect(entry["hubungan"] as? String == member.relation.name)
                }
            }
        }
        let table = try CLITests.run(["find", "--limit", "5", "--has-member", "age<6"], store: store, in: directory)
        #expect(table.status == 0 && table.stdout.contains("COCOK"), "\(table.stdout)")
        let plain = try CLITests.run(["find", "--json", "--limit", "3"], store: store, in: directory)
        #expect(plain.lines.allSatisfy { $0.hasPrefix("{\"id\":") }, "a search without member conditions prints households as before")
        let bad = try CLITests.run(["find", "--has-member", "umur<<3"], store: store, in: directory)
        #expect(bad.status == 3)
        #expect(bad.stderr.contains("umur<<3") && bad.stderr.contains("umur takes"))

        let stats = try CLITests.run(["stats", "--pkh", "--date", "2026-02-28", "--json"], store: store, in: directory)
        #expect(stats.status == 0, "\(stats.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let pkh = try #require(object["pkh_komponen"] as? [String: Any])
        #expect(pkh["tanggal"] as? String == "2026-02-28")
        for component in PKHComponent.allCases {
            let members = households.reduce(0) { $0 + $1.members.filter { component.condition.matches(MemberFacts($0), birth: $0.birthDate, on: date) }.count }
            let holders = households.filter { $0.members.contains { component.condition.matches(MemberFacts($0), birth: $0.birthDate, on: date) } }.count
            let row = try #require(pkh[component.name] as? [String: Int])
            #expect(row == ["households": holders, "members": members], "\(component)")
        }
    }
}
