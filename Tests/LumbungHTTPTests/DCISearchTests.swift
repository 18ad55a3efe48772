import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import LumbungSynthetic
import Testing

/// DCI search `sort`, `response_entity` `Member`, and `$or` / `$not` / predicate `or` / `not`,
/// each checked against a plain in-memory model of the fixture's households.
@Suite struct DCISearchTests {
    // MARK: Requests

    /// A search_request item with free criteria fields (`sort`, `response_entity`, …) as JSON.
    static func search(_ reference: String, queryType: String = "expression", query: String, entity: String = "Group", sort: String? = nil, pageSize: Int = 1000, pageNumber: Int = 1) -> String {
        """
        {"reference_id": "\(reference)", "timestamp": "2026-11-23T17:20:07-04:00",
         "search_criteria": {"version": "1.0.0", "query_type": "\(queryType)", "response_entity": "\(entity)",
                             "query": \(query)\(sort.map { ", \"sort\": \($0)" } ?? ""),
                             "pagination": {"page_size": \(pageSize), "page_number": \(pageNumber)}}}
        """
    }

    static func expression(_ conditions: String) -> String {
        #"{"type": "ns:org:QueryType:NoSql", "value": {"expression": {"collection": "Group", "query": \#(conditions)}}}"#
    }

    /// One search's answer.
    static func one(_ client: APIFixture.Client, as token: String = "adminAll", _ search: String) async throws -> DCITests.Result {
        let answer = try await client.call(.post, "/registry/sync/search", as: token, body: DCITests.message([search]))
        return try #require(DCITests.results(answer).first, "\(answer.body)")
    }

    /// Every record of a search, page by page, checking each page's size and total.
    static func allPages(_ client: APIFixture.Client, as token: String = "adminAll", pageSize: Int, _ search: (Int) -> String) async throws -> (records: [[String: Any]], total: Int?) {
        var records: [[String: Any]] = []
        var total: Int?
        for number in 1...10_000 {
            let result = try await one(client, as: token, search(number))
            #expect(result.status == "succ", "\(result.reason ?? "")")
            if let total { #expect(result.total == total, "the total stays the same from page to page") }
            total = result.total
            records += result.records
            #expect(result.records.count <= pageSize)
            if result.records.count < pageSize { break }
        }
        return (records, total)
    }

    /// The KK of each Group record ("-" for one without).
    static func kk(_ record: [String: Any]) -> String { DCITests.kk(record) ?? "-" }

    static func attribute(_ record: [String: Any], _ name: String) -> String? {
        (record["additional_attributes"] as? [[String: Any]])?.lazy.compactMap { $0[name] as? String }.first
    }

    static func givenName(_ record: [String: Any]) -> String? {
        ((record["demographic_info"] as? [String: Any])?["name"] as? [String: Any])?["given_name"] as? String
    }

    // MARK: The model

    /// A sort key as the model computes it (missing desil or update time sorts above all).
    static func value(_ household: Household, _ key: String) -> UInt64 {
        switch key {
        case "desil", "poverty_score": household.desil.map(UInt64.init) ?? 11
        case "wilayah", "kode_wilayah", "location": household.wilayah.packed
        case "kk": household.nomorKK.rawValue
        case "id": household.id!.rawValue
        case "updated_at": household.updatedAt.map { UInt64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? .max
        default: fatalError(key)
        }
    }

    static func sorted(_ households: [Household], by keys: [(String, Bool)]) -> [Household] {
        households.sorted { a, b in
            for (key, descending) in keys {
                let (x, y) = (value(a, key), value(b, key))
                if x != y { return descending ? x > y : x < y }
            }
            return a.id!.rawValue < b.id!.rawValue
        }
    }

    static func sortJSON(_ keys: [(String, Bool)]) -> String {
        "[" + keys.map { #"{"attribute_name": "\#($0.0)", "sort_order": "\#($0.1 ? "desc" : "asc")"}"# }.joined(separator: ", ") + "]"
    }

    // MARK: Sort

    @Test func sortOrdersAndPagesLikeTheModel() async throws {
        let fixture = try APIFixture(households: 300)
        let orders: [[(String, Bool)]] = [
            [("poverty_score", false)],
            [("desil", true)],
            [("desil", true), ("wilayah", false)],
            [("kode_wilayah", true), ("kk", false)],
            [("kk", true)],
            [("id", true)],
            [("updated_at", false), ("desil", false)],
            [("location", false), ("poverty_score", true), ("id", true)],
        ]
        let kabupaten = "32.16"
        try await fixture.test { client in
            for order in orders {
                // Every household, in pages of 7 (ties in desil span page boundaries).
                let everything = Self.sorted(fixture.households, by: order)
                let paged = try await Self.allPages(client, pageSize: 7) { number in
                    Self.search("s", query: Self.expression(#"{"wilayah": {"$eq": "\#(kabupaten)"}}"#), sort: Self.sortJSON(order), pageSize: 7, pageNumber: number)
                }
                #expect(paged.total == everything.count, "\(order)")
                #expect(paged.records.map(Self.kk) == everything.map(\.nomorKK.text), "\(order)")

                // A filtered $or, in one page of 1000 and in pages of 5.
                let poorOrPKH = fixture.households.filter { ($0.desil ?? 99) <= 2 || $0.programs.contains(.pkh) }
                let expected = Self.sorted(poorOrPKH, by: order).map(\.nomorKK.text)
                let query = Self.expression(#"{"$or": [{"desil": {"$le": 2}}, {"program": "PKH"}]}"#)
                let whole = try await Self.one(client, Self.search("w", query: query, sort: Self.sortJSON(order)))
                #expect(whole.records.map(Self.kk) == expected, "\(order)")
                let pages = try await Self.allPages(client, pageSize: 5) { Self.search("p", query: query, sort: Self.sortJSON(order), pageSize: 5, pageNumber: $0) }
                #expect(pages.records.map(Self.kk) == expected)
                #expect(pages.total == expected.count)
            }
            // A page past the end is empty with the total.
            let past = try await Self.one(client, Self.search("past", query: Self.expression(#"{"desil": {"$ge": 1}}"#), sort: #"[{"attribute_name": "desil"}]"#, pageSize: 1000, pageNumber: 2))
            #expect(past.status == "succ" && past.records.isEmpty)
            #expect(past.total == fixture.households.filter { $0.desil != nil }.count)

            // Scope: a desa A token sorts only desa A.
            let scoped = try await Self.one(client, as: "viewerA", Self.search("a", query: Self.expression(#"{"wilayah": {"$eq": "32"}}"#), sort: #"[{"attribute_name": "poverty_score", "sort_order": "desc"}]"#))
            #expect(scoped.records.map(Self.kk) == Self.sorted(fixture.inA, by: [("desil", true)]).map(\.nomorKK.text))
        }
    }

    // MARK: Member

    @Test func memberAnswers() async throws {
        let fixture = try APIFixture(households: 300)
        let a = try #require(fixture.inA.first { $0.members.count > 1 && $0.members.allSatisfy { $0.nik.nik != nil } })
        let member = a.members[1]
        let nik = try #require(member.nik.nik).text
        try await fixture.test { client in
            // NIK: that member alone, with the household it belongs to.
            let byNIK = try await Self.one(client, Self.search("n", queryType: "idtype-value", query: #"{"type": "NIK", "value": "\#(nik)"}"#, entity: "Member"))
            #expect(byNIK.status == "succ" && byNIK.total == 1)
            let record = try #require(byNIK.records.first)
            #expect(byNIK.records.count == 1)
            #expect(record["@type"] as? String == "Member")
            #expect((record["member_identifier"] as? [[String: Any]])?.first?["identifier_value"] as? String == nik)
            #expect(Self.givenName(record) == member.name)
            #expect(Self.attribute(record, "nomor_kk") == a.nomorKK.text)
            #expect(Self.attribute(record, "kode_wilayah") == a.wilayah.dotted)
            #expect(Self.attribute(record, "hubungan") == member.relation.name)

            // KK: the household's members, paged over members.
            let byKK = try await Self.allPages(client, pageSize: 1) { Self.search("k", queryType: "idtype-value", query: #"{"type": "KK", "value": "\#(a.nomorKK.text)"}"#, entity: "Member", pageSize: 1, pageNumber: $0) }
            #expect(byKK.total == a.members.count)
            #expect(byKK.records.map { Self.givenName($0) ?? "-" } == a.members.map(\.name))

            // Expression: the members of matching households, households in sort order, in pages
            // of 7 members (pages split households).
            let matching = Self.sorted(fixture.households.filter { ($0.desil ?? 99) <= 3 && !$0.programs.contains(.pkh) }, by: [("wilayah", false)])
            let expected = matching.flatMap { household in household.members.map { "\(household.nomorKK.text)/\($0.name)" } }
            let query = Self.expression(#"{"$and": [{"desil": {"$le": 3}}, {"$not": {"program": "PKH"}}]}"#)
            let paged = try await Self.allPages(client, pageSize: 7) { Self.search("e", query: query, entity: "Member", sort: #"[{"attribute_name": "wilayah"}]"#, pageSize: 7, pageNumber: $0) }
            #expect(paged.total == expected.count)
            #expect(paged.records.map { "\(Self.attribute($0, "nomor_kk") ?? "")/\(Self.givenName($0) ?? "")" } == expected)

            // Without a sort: the same members (index order), and a single query does the same.
            let unsorted = try await Self.one(client, Self.search("u", query: Self.expression(#"{"desil": {"$le": 3}}"#), entity: "Member"))
            let poor = fixture.households.filter { ($0.desil ?? 99) <= 3 }
            #expect(unsorted.total == poor.reduce(0) { $0 + $1.members.count })
            #expect(Set(unsorted.records.compactMap { Self.attribute($0, "nomor_kk") }) == Set(poor.map(\.nomorKK.text)))
        }
    }

    // MARK: $or / $not against the model

    /// A condition tree as DCI JSON and as a model predicate.
    struct Condition {
        var json: String
        var holds: (Household) -> Bool
        /// The desil and wilayah conditions this merges into its `$and` (ranges that must meet).
        var merges: Set<String> = []
    }

    struct Generator {
        var rng: SplitMix64
        let households: [Household]

        mutating func leaf() -> Condition {
            switch rng.next() % 4 {
            case 0:
                let ops = ["eq", "lt", "le", "gt", "ge"]
                let op = ops[Int(rng.next() % 5)]
                let value = 2 + Int(rng.next() % 8)
                let holds: (Household) -> Bool = { household in
                    guard let desil = household.desil else { return false }
                    switch op {
                    case "eq": return desil == value
                    case "lt": return desil < value
                    case "le": return desil <= value
                    case "gt": return desil > value
                    default: return desil >= value
                    }
                }
                return Condition(json: #"{"desil": {"$\#(op)": \#(value)}}"#, holds: holds, merges: ["desil"])
            case 1:
                let household = households[Int(rng.next() % UInt64(households.count))]
                let region = rng.next() % 2 == 0 ? household.wilayah : household.wilayah.parent ?? household.wilayah
                return Condition(json: #"{"wilayah": {"$eq": "\#(region.dotted)"}}"#, holds: { region.contains($0.wilayah) }, merges: ["wilayah"])
            case 2:
                let names = ["usulan", "terverifikasi", "ditetapkan", "tidak_layak"]
                let name = names[Int(rng.next() % 4)]
                let holds: (Household) -> Bool = { household in
                    if name == "tidak_layak" { if case .tidakLayak = household.status { return true } else { return false } }
                    return household.status.description == name
                }
                return Condition(json: #"{"status": "\#(name)"}"#, holds: holds)
            default:
                let program = Program.allCases[Int(rng.next() % UInt64(Program.allCases.count))]
                return Condition(json: #"{"program": {"$eq": "\#(program.name)"}}"#, holds: { $0.programs.contains(program) })
            }
        }

        mutating func tree(depth: Int) -> Condition {
            guard depth > 0, rng.next() % 3 != 0 else { return leaf() }
            switch rng.next() % 5 {
            case 0:
                let inner = tree(depth: depth - 1)
                return Condition(json: #"{"$not": \#(inner.json)}"#, holds: { !inner.holds($0) })
            case 1, 2:
                let parts = (0..<(1 + Int(rng.next() % 3))).map { _ in tree(depth: depth - 1) }
                let holds = parts.map(\.holds)
                return Condition(json: #"{"$or": [\#(parts.map(\.json).joined(separator: ", "))]}"#, holds: { h in holds.contains { $0(h) } })
            case 3:
                let parts = (0..<(1 + Int(rng.next() % 3))).map { _ in tree(depth: depth - 1) }
                let holds = parts.map(\.holds)
                return Condition(json: #"{"$nor": [\#(parts.map(\.json).joined(separator: ", "))]}"#, holds: { h in !holds.contains { $0(h) } })
            default:
                // $and: attribute conditions merge into one query, where two wilayah that do not
                // nest are refused (as two desil ranges that do not meet), so siblings keep
                // desil and wilayah apart by a one-part $or. Status and program may repeat.
                var used: Set<String> = []
                var parts: [Condition] = []
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    var part = tree(depth: depth - 1)
                    if !used.isDisjoint(with: part.merges) {
                        part = Condition(json: #"{"$or": [\#(part.json)]}"#, holds: part.holds)
                    }
                    used.formUnion(part.merges)
                    parts.append(part)
                }
                let holds = parts.map(\.holds)
                return Condition(json: #"{"$and": [\#(parts.map(\.json).joined(separator: ", "))]}"#, holds: { h in holds.allSatisfy { $0(h) } }, merges: used)
            }
        }
    }

    @Test func randomOrNotExpressionsMatchTheModel() async throws {
        let fixture = try APIFixture(households: 400)
        try await fixture.test { client in
            var generator = Generator(rng: SplitMix64(seed: 20261123), households: fixture.households)
            for round in 0..<60 {
                let condition = generator.tree(depth: 3)
                let expected = fixture.households.filter(condition.holds).sorted { $0.id!.rawValue < $1.id!.rawValue }
                let result = try await Self.one(client, Self.search("r\(round)", query: Self.expression(condition.json), sort: #"[{"attribute_name": "id"}]"#))
                #expect(result.status == "succ", "\(condition.json): \(result.reason ?? "")")
                #expect(result.total == expected.count, "\(condition.json)")
                #expect(result.records.map(Self.kk) == expected.map(\.nomorKK.text), "\(condition.json)")

                // The same as a desa A token: the model cut to desa A.
                let scoped = try await Self.one(client, as: "viewerA", Self.search("a\(round)", query: Self.expression(condition.json), entity: round % 2 == 0 ? "Group" : "Member"))
                let inA = expected.filter { fixture.desaA.contains($0.wilayah) }
                #expect(scoped.total == (round % 2 == 0 ? inA.count : inA.reduce(0) { $0 + $1.members.count }), "\(condition.json)")
                #expect(scoped.records.allSatisfy { record in
                    let kk = DCITests.kk(record) ?? Self.attribute(record, "nomor_kk")
                    return inA.contains { $0.nomorKK.text == kk }
                })
            }
        }
    }

    @Test func predicateOrAndNot() async throws {
        let fixture = try APIFixture(households: 300)
        let desaB = fixture.desaB.dotted
        @Sendable func quoted(_ text: String) -> String { "\"\(text)\"" }
        @Sendable func expression(_ name: String, _ op: String, _ value: String) -> String {
            #"{"attribute_name": "\#(name)", "operator": "\#(op)", "attribute_value": \#(value)}"#
        }
        try await fixture.test { client in
            let cases: [(String, (Household) -> Bool)] = [
                // (desil <= 2 or PKH) and not in desa B
                ("[" + #"{"seq_num": 2, "expression1": \#(expression("desil", "le", "2")), "condition": "or", "expression2": \#(expression("program", "eq", quoted("PKH")))}, "#
                    + #"{"seq_num": 1, "expression1": \#(expression("desil", "ge", "1")), "condition": "not", "expression2": \#(expression("wilayah", "eq", quoted(desaB)))}]"#,
                 { h in ((h.desil ?? 99) <= 2 || h.programs.contains(.pkh)) && h.desil != nil && !fixture.desaB.contains(h.wilayah) }),
                // not status ditetapkan
                (#"[{"seq_num": 1, "expression1": \#(expression("status", "eq", quoted("ditetapkan"))), "condition": "not"}]"#,
                 { h in h.status != .ditetapkan }),
                // status given twice in one and: both must hold (none is both), not the last one wins
                (#"[{"seq_num": 1, "expression1": \#(expression("status", "eq", quoted("usulan"))), "condition": "and", "expression2": \#(expression("status", "eq", quoted("ditetapkan")))}]"#,
                 { _ in false }),
                // desil in 1..3 and BPNT
                (#"[{"seq_num": 1, "expression1": \#(expression("desil", "in", "[1, 2, 3]")), "condition": "and", "expression2": \#(expression("program", "eq", quoted("BPNT")))}]"#,
                 { h in (1...3).contains(h.desil ?? 0) && h.programs.contains(.bpnt) }),
            ]
            for (index, (query, holds)) in cases.enumerated() {
                let expected = fixture.households.filter(holds).sorted { $0.id!.rawValue < $1.id!.rawValue }
                let result = try await Self.one(client, Self.search("p\(index)", queryType: "predicate", query: query, sort: #"[{"attribute_name": "id"}]"#))
                #expect(result.status == "succ", "\(index): \(result.reason ?? "")")
                #expect(result.total == expected.count, "\(index)")
                #expect(result.records.map(Self.kk) == expected.map(\.nomorKK.text), "\(index)")
            }
        }
    }

    @Test func attributeNotAndNe() async throws {
        let fixture = try APIFixture(households: 300)
        try await fixture.test { client in
            let cases: [(String, (Household) -> Bool)] = [
                // Like MongoDB: a household without a desil is "not > 3" and "≠ 3".
                (#"{"desil": {"$not": {"$gt": 3}}}"#, { h in !((h.desil ?? 0) > 3) }),
                (#"{"desil": {"$ne": 3}}"#, { h in h.desil != 3 }),
                (#"{"program": {"$ne": "PKH"}, "desil": {"$le": 5}}"#, { h in !h.programs.contains(.pkh) && (h.desil ?? 99) <= 5 }),
                (#"{"$not": [{"desil": {"$le": 5}}, {"program": "BPNT"}]}"#, { h in !((h.desil ?? 99) <= 5 && h.programs.contains(.bpnt)) }),
                (#"{"$and": [{"status": "ditetapkan"}, {"status": "usulan"}]}"#, { _ in false }),
                (#"{"$and": [{"program": "PKH"}, {"program": "BPNT"}]}"#, { h in h.programs.isSuperset(of: [.pkh, .bpnt]) }),
            ]
            for (index, (conditions, holds)) in cases.enumerated() {
                let expected = fixture.households.filter(holds).sorted { $0.id!.rawValue < $1.id!.rawValue }
                // As a Member collection too: the conditions stay on the household.
                let query = Self.expression(conditions).replacingOccurrences(of: #""collection": "Group""#, with: #""collection": "\#(index % 2 == 0 ? "Group" : "Member")""#)
                let result = try await Self.one(client, Self.search("c\(index)", query: query, sort: #"[{"attribute_name": "id"}]"#))
                #expect(result.status == "succ", "\(conditions): \(result.reason ?? "")")
                #expect(result.records.map(Self.kk) == expected.map(\.nomorKK.text), "\(conditions)")
                #expect(!expected.isEmpty || index == 4, "\(conditions) selects something in the fixture")
            }
        }
    }

    /// Conditions that cannot hold together answer an empty page, not a rejection; nested
    /// regions narrow whichever comes first.
    @Test func conditionsThatCannotHoldTogetherMatchNothing() async throws {
        let fixture = try APIFixture(households: 300)
        let (a, b) = (fixture.desaA.dotted, fixture.desaB.dotted)
        let kabupaten = String(a.prefix(5))
        try await fixture.test { client in
            let cases: [(String, String, (Household) -> Bool)] = [
                ("expression", #"{"$and": [{"desil": {"$le": 2}}, {"desil": {"$ge": 5}}]}"#, { _ in false }),
                ("expression", #"{"desil": {"$lt": 1}}"#, { _ in false }),
                ("expression", #"{"desil": {"$gt": 10}}"#, { _ in false }),
                ("expression", #"{"$and": [{"wilayah": "\#(a)"}, {"wilayah": "\#(b)"}]}"#, { _ in false }),
                ("expression", #"{"$and": [{"wilayah": "\#(a)"}, {"wilayah": "\#(kabupaten)"}]}"#, { fixture.desaA.contains($0.wilayah) }),
                ("expression", #"{"$and": [{"wilayah": "\#(kabupaten)"}, {"wilayah": "\#(a)"}]}"#, { fixture.desaA.contains($0.wilayah) }),
                ("expression", #"{"$or": [{"desil": {"$lt": 1}}, {"desil": 1}]}"#, { $0.desil == 1 }),
                ("expression", #"{"$not": {"desil": {"$gt": 10}}}"#, { _ in true }),
                ("predicate", #"[{"seq_num": 1, "expression1": {"attribute_name": "poverty_score", "operator": "lt", "attribute_value": 1}}]"#, { _ in false }),
                ("predicate", #"[{"seq_num": 1, "expression1": {"attribute_name": "wilayah", "operator": "eq", "attribute_value": "\#(a)"}, "condition": "or", "expression2": {"attribute_name": "desil", "operator": "gt", "attribute_value": 10}}]"#,
                 { fixture.desaA.contains($0.wilayah) }),
            ]
            for (index, (type, query, holds)) in cases.enumerated() {
                let expected = fixture.households.filter(holds).sorted { $0.id!.rawValue < $1.id!.rawValue }
                let result = try await Self.one(
                    client, Self.search("n\(index)", queryType: type, query: type == "expression" ? Self.expression(query) : query, sort: #"[{"attribute_name": "id"}]"#))
                #expect(result.status == "succ", "\(query): \(result.reason ?? "")")
                #expect(result.total == expected.count, "\(query)")
                #expect(result.records.map(Self.kk) == expected.map(\.nomorKK.text), "\(query)")
            }
        }
    }

    // MARK: Scope

    @Test func aDesaTokenNeverSeesAnotherDesa() async throws {
        let fixture = try APIFixture(households: 300)
        let b = try #require(fixture.inB.first { $0.members.allSatisfy { $0.nik.nik != nil } })
        let bNIK = b.members[0].nik.nik!.text
        let desaA = fixture.desaA.dotted, desaB = fixture.desaB.dotted
        let kecamatanB = try #require(fixture.desaB.parent).dotted
        let inKecamatanB = fixture.households.filter { fixture.desaB.parent!.contains($0.wilayah) }
        try await fixture.test { client in
            let searches = [
                Self.search("nik", queryType: "idtype-value", query: #"{"type": "NIK", "value": "\#(bNIK)"}"#, entity: "Member"),
                Self.search("kk", queryType: "idtype-value", query: #"{"type": "KK", "value": "\#(b.nomorKK.text)"}"#, entity: "Member"),
                Self.search("orB", query: Self.expression(#"{"$or": [{"wilayah": "\#(desaB)"}, {"wilayah": "\#(kecamatanB)"}]}"#)),
                Self.search("notA", query: Self.expression(#"{"$not": {"wilayah": "\#(desaA)"}}"#), entity: "Member"),
                Self.search("norA", query: Self.expression(#"{"$nor": [{"wilayah": "\#(desaA)"}]}"#), sort: #"[{"attribute_name": "kk"}]"#),
                Self.search("pred", queryType: "predicate", query: #"[{"expression1": {"attribute_name": "wilayah", "operator": "eq", "attribute_value": "\#(desaB)"}, "condition": "or", "expression2": {"attribute_name": "wilayah", "operator": "eq", "attribute_value": "\#(desaB)"}}]"#, entity: "Member"),
            ]
            let answer = try await client.call(.post, "/registry/sync/search", as: "viewerA", body: DCITests.message(searches))
            let results = DCITests.results(answer)
            #expect(results.map(\.status) == Array(repeating: "succ", count: searches.count), "\(answer.body)")
            #expect(results.map(\.total) == Array(repeating: 0, count: searches.count))
            #expect(results.allSatisfy { $0.records.isEmpty })

            // The same searches as the kabupaten admin do find desa B.
            let admin = DCITests.results(try await client.call(.post, "/registry/sync/search", as: "adminKabupaten", body: DCITests.message(searches)))
            #expect(admin[0].total == 1 && admin[1].total == b.members.count)
            #expect(admin[2].total == inKecamatanB.count)
            #expect(admin[3].total == fixture.households.filter { !fixture.desaA.contains($0.wilayah) }.reduce(0) { $0 + $1.members.count })

            // Members of everything, as desa A: only desa A's.
            let all = try await Self.one(client, as: "viewerA", Self.search("all", query: Self.expression(#"{"$or": [{"desil": {"$ge": 1}}, {"$not": {"desil": {"$ge": 1}}}]}"#), entity: "Member"))
            #expect(all.total == fixture.inA.reduce(0) { $0 + $1.members.count })
            #expect(all.records.allSatisfy { Self.attribute($0, "kode_wilayah") == fixture.desaA.dotted })
        }
    }

    // MARK: Rejections

    @Test func rejections() async throws {
        let fixture = try APIFixture(households: 50)
        let simple = Self.expression(#"{"desil": {"$ge": 1}}"#)
        let deep = (0..<20).reduce(#"{"desil": 1}"#) { inner, _ in #"{"$not": \#(inner)}"# }
        func item(_ expression1: String, _ condition: String, _ expression2: String? = nil) -> String {
            #"[{"seq_num": 1, "expression1": \#(expression1), "condition": "\#(condition)"\#(expression2.map { ", \"expression2\": \($0)" } ?? "")}]"#
        }
        let desil = #"{"attribute_name": "desil", "operator": "le", "attribute_value": 3}"#
        let cases: [(String, String, String?)] = [
            (Self.search("1", query: simple, sort: #"[{"attribute_name": "YOB", "sort_order": "asc"}]"#), "rjct.sort.invalid", "YOB"),
            (Self.search("2", query: simple, sort: #"[{"attribute_name": "desil", "sort_order": "up"}]"#), "rjct.sort.invalid", "asc or desc"),
            (Self.search("3", query: simple, sort: #"{"attribute_name": "desil"}"#), "rjct.sort.invalid", "a list"),
            (Self.search("4", query: simple, sort: #"[{"sort_order": "asc"}]"#), "rjct.sort.invalid", "attribute_name"),
            (Self.search("5", query: simple, sort: "[" + Array(repeating: #"{"attribute_name": "id"}"#, count: 6).joined(separator: ",") + "]"), "rjct.sort.invalid", "at most 5"),
            (Self.search("6", query: simple, entity: "Person"), "rjct.search_criteria.invalid", "Member"),
            (Self.search("7", query: Self.expression(#"{"$or": []}"#)), "rjct.filter.invalid", "$or takes a list"),
            (Self.search("8", query: Self.expression(#"{"$or": {"desil": 1}}"#)), "rjct.filter.invalid", "$or takes a list"),
            (Self.search("9", query: Self.expression(#"{"desil": {"$not": 3}}"#)), "rjct.filter.invalid", "$not takes an object"),
            (Self.search("10", query: Self.expression(#"{"$xor": [{"desil": 1}]}"#)), "rjct.filter.invalid", "$xor"),
            (Self.search("11", query: Self.expression(deep)), "rjct.filter.invalid", "at most 16 deep"),
            (Self.search("12", query: Self.expression(#"{"$or": [{"YOB": 1980}]}"#)), "rjct.filter.invalid", "YOB"),
            (Self.search("13", queryType: "predicate", query: item(desil, "xor", desil)), "rjct.filter.invalid", "and, or or not"),
            (Self.search("14", queryType: "predicate", query: item(desil, "or")), "rjct.filter.invalid", "expression2"),
            (Self.search("15", query: #"{"value": {"expression": {"collection": "Person", "query": {"desil": 1}}}}"#), "rjct.filter.invalid", "collection"),
        ]
        try await fixture.test { client in
            let answer = try await client.call(.post, "/registry/sync/search", body: DCITests.message(cases.map(\.0)))
            let message = answer.json["message"] as? [String: Any]
            let items = message?["search_response"] as? [[String: Any]] ?? []
            #expect(items.count == cases.count, "\(answer.body)")
            for (item, (_, code, words)) in zip(items, cases) {
                #expect(item["status"] as? String == "rjct", "\(item)")
                #expect(item["status_reason_code"] as? String == code, "\(item)")
                if let words { #expect((item["status_reason_message"] as? String)?.contains(words) == true, "\(item)") }
            }
        }
    }
}
