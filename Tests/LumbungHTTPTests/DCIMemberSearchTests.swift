import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import Testing

/// DCI searches by who lives in the household (the DCI vocabulary of `DCIVocabulary.swift`):
/// the specification's own examples, the searches issue 15 names, random conjunctions of
/// member and household attributes in both the `expression` and the `predicate` form, and the
/// refusals, each checked against a plain in-memory model of the store's households.
@Suite struct DCIMemberSearchTests {
    // MARK: The model

    /// The obvious implementation, from the `Household` values the store holds.
    enum Model {
        static let today = CalendarDate.today()

        /// Whole years: the birthdays passed this year or before (29 February, not reached on
        /// 28 February of a common year, is passed on 1 March).
        static func age(_ birth: CalendarDate) -> Int {
            let passed = today.month > birth.month || (today.month == birth.month && today.day >= birth.day)
            return today.year - birth.year - (passed ? 0 : 1)
        }

        static func present(_ member: Member) -> Bool { member.presence == .tinggalBersama || member.presence == .anggotaBaru }

        static func yes(_ value: AttributeValue?) -> Bool {
            switch value {
            case .code(1), .number(1): true
            case .text(let text): ["1", "ya", "y", "true"].contains(text.lowercased())
            default: false
            }
        }

        /// Members living in the household.
        static func size(_ household: Household) -> Int { household.members.filter(present).count }

        /// Whether a region or one above it is named `name` (compared without case, `_` as a space).
        static func named(_ wilayah: KodeWilayah, _ name: String) -> Bool {
            let wanted = name.lowercased().replacingOccurrences(of: "_", with: " ")
            var region: KodeWilayah? = wilayah
            while let current = region {
                if current.name?.lowercased() == wanted { return true }
                region = current.level == .provinsi ? nil : current.parent
            }
            return false
        }
    }

    /// One condition of a random search, as the DCI writes it and as the model reads it.
    struct Term: Sendable {
        let attribute: String
        let op: String
        let value: String
        /// On a member (nil: on the household).
        let member: (@Sendable (Member) -> Bool)?
        let household: (@Sendable (Household) -> Bool)?
    }

    static func compare(_ op: String, _ left: Int, _ right: Int) -> Bool {
        switch op {
        case "eq": left == right
        case "lt": left < right
        case "le": left <= right
        case "gt": left > right
        default: left >= right
        }
    }

    static func randomTerm(_ random: inout SeededRandom) -> Term {
        let op = ["eq", "lt", "le", "gt", "ge"].randomElement(using: &random)!
        switch Int.random(in: 0..<10, using: &random) {
        case 0:
            let (word, sex): (String, Sex) = [("female", .female), ("male", .male), ("P", .female), ("M", .male)].randomElement(using: &random)!
            return Term(attribute: ["sex", "gender"].randomElement(using: &random)!, op: "eq", value: "\"\(word)\"", member: { $0.sex == sex }, household: nil)
        case 1, 2:
            let years = [0, 3, 6, 12, 25, 40, 60].randomElement(using: &random)!
            return Term(attribute: "age", op: op, value: String(years), member: { m in m.birthDate.map { compare(op, Model.age($0), years) } ?? false }, household: nil)
        case 3:
            let (word, status): (String, MaritalStatus) = [("married", .kawin), ("single", .belumKawin), ("widowed", .ceraiMati), ("divorced", .ceraiHidup), ("kawin", .kawin)].randomElement(using: &random)!
            return Term(attribute: "marital_status", op: "eq", value: "\"\(word)\"", member: { $0.maritalStatus == status }, household: nil)
        case 4:
            let flag = Bool.random(using: &random)
            return Term(attribute: ["disability", "is_disabled"].randomElement(using: &random)!, op: "eq", value: String(flag), member: { ($0.disability != nil) == flag }, household: nil)
        case 5:
            let size = Int.random(in: 2...6, using: &random)
            return Term(attribute: ["household_size", "group_size"].randomElement(using: &random)!, op: op, value: String(size), member: nil, household: { compare(op, Model.size($0), size) })
        case 6:
            let (name, ages): (String, ClosedRange<Int>) = [("anak_usia_dini", 0...6), ("anak_sd", 7...12), ("anak_smp", 13...15), ("anak_sma", 16...18), ("lansia", 60...500)].randomElement(using: &random)!
            return Term(attribute: "pkh_component", op: "eq", value: "\"\(name)\"", member: { m in m.birthDate.map { ages.contains(Model.age($0)) } ?? false }, household: nil)
        case 7:
            let year = Int.random(in: 1950...2020, using: &random)
            return Term(attribute: "yob", op: op, value: "\"\(year)\"", member: { m in m.birthDate.map { compare(op, $0.year, year) } ?? false }, household: nil)
        case 8:
            let desil = Int.random(in: 1...10, using: &random)
            return Term(attribute: "poverty_score", op: op, value: String(desil), member: nil, household: { h in h.desil.map { compare(op, $0, desil) } ?? false })
        default:
            let kind = [("pregnant", "hamil"), ("severe_disability", "disabilitas_berat")].randomElement(using: &random)!
            return Term(attribute: kind.0, op: "eq", value: "true", member: { Model.yes($0.attributes[kind.1]) }, household: nil)
        }
    }

    /// The households and members a conjunction of terms picks: every household term holds, and
    /// one living member meets every member term.
    static func expected(_ terms: [Term], in households: [Household]) -> (households: [Household], members: [(Household, Member)]) {
        let memberTerms = terms.compactMap(\.member)
        var found: [Household] = [], members: [(Household, Member)] = []
        for household in households where terms.compactMap(\.household).allSatisfy({ $0(household) }) {
            let picked = household.members.filter { m in Model.present(m) && memberTerms.allSatisfy { $0(m) } }
            if memberTerms.isEmpty {
                found.append(household)
                members += household.members.map { (household, $0) }
            } else if !picked.isEmpty {
                found.append(household)
                members += picked.map { (household, $0) }
            }
        }
        return (found, members)
    }

    static func memberKey(_ household: Household, _ member: Member) -> String {
        "\(household.nomorKK.text)/\(member.name)/\(member.birthDate?.description ?? "-")"
    }

    static func memberKey(_ record: [String: Any]) -> String {
        let demographic = record["demographic_info"] as? [String: Any]
        return "\(DCISearchTests.attribute(record, "nomor_kk") ?? "")/\(DCISearchTests.givenName(record) ?? "")/\(demographic?["birth_date"] as? String ?? "-")"
    }

    /// The fixture's store with some members pregnant or severely disabled, and what it holds.
    static func fixture() throws -> (APIFixture, [Household]) {
        let fixture = try APIFixture(households: 300)
        try fixture.store.write(actor: "test") { tx in
            for (position, household) in fixture.households.enumerated() where position % 7 == 0 {
                var changed = household
                let index = position % changed.members.count
                changed.members[index].attributes[position % 2 == 0 ? "hamil" : "disabilitas_berat"] = position % 3 == 0 ? .text("Ya") : .code(1)
                try tx.put(changed, nikPolicy: .keepFlagged)
            }
        }
        let households = try fixture.store.read { tx in
            var all: [Household] = []
            try tx.forEachHousehold { all.append($0) }
            return all
        }
        return (fixture, households)
    }

    // MARK: Tests

    @Test("the DCI specification's example searches are answered succ, with the model's records")
    func specificationExamples() async throws {
        let (fixture, households) = try Self.fixture()
        let nik = try #require(households[3].members.compactMap(\.nik.nik).first)
        let kecamatan = try #require(households[0].wilayah.ancestor(at: .kecamatan))
        let kecamatanName = try #require(kecamatan.name).lowercased().replacingOccurrences(of: " ", with: "_")
        try await fixture.test { client in
            let withPlace = DCITests.specExpression.replacingOccurrences(of: "central_region", with: kecamatanName)
            let answer = try await client.call(.post, "/registry/sync/search", body: DCITests.message([
                DCITests.search("expression", queryType: "expression", query: DCITests.specExpression, pagination: #"{"page_size": 1000}"#),
                DCITests.search("idtype-value", queryType: "idtype-value", query: DCITests.specIdTypeValue),
                DCITests.search("predicate", queryType: "predicate", query: DCITests.specPredicate, pagination: #"{"page_size": 1000}"#),
                DCITests.search("expression-place", queryType: "expression", query: withPlace, pagination: #"{"page_size": 1000}"#),
                DCITests.search("uin", queryType: "idtype-value", query: #"{"type": "UIN", "value": "\#(nik.text)"}"#),
            ]))
            let results = DCITests.results(answer)
            #expect(results.map(\.status) == ["succ", "succ", "succ", "succ", "succ"], "\(answer.body)")

            // poverty_score < 5, location central_region, group_size < 5: no region is named so.
            let spec = households.filter { ($0.desil ?? 11) < 5 && Model.named($0.wilayah, "central_region") && Model.size($0) < 5 }
            #expect(spec.isEmpty)
            #expect(results[0].total == 0 && results[0].records.isEmpty)
            // UIN 12314567890 is no NIK: no one holds it.
            #expect(results[1].total == 0 && results[1].records.isEmpty)
            // YOB eq 1980 (twice, joined by and): households with a living member born in 1980.
            let born1980 = households.filter { $0.members.contains { Model.present($0) && $0.birthDate?.year == 1980 } }
            #expect(!born1980.isEmpty)
            #expect(results[2].total == born1980.count)
            #expect(Set(results[2].records.compactMap(DCITests.kk)) == Set(born1980.map(\.nomorKK.text)))
            // The same expression at a place that exists.
            let inPlace = households.filter { ($0.desil ?? 11) < 5 && Model.named($0.wilayah, kecamatanName) && Model.size($0) < 5 }
            #expect(!inPlace.isEmpty)
            #expect(results[3].total == inPlace.count)
            #expect(Set(results[3].records.compactMap(DCITests.kk)) == Set(inPlace.map(\.nomorKK.text)))
            // A UIN that is a NIK: its household.
            #expect(results[4].records.compactMap(DCITests.kk) == households.filter { $0.members.contains { $0.nik.nik == nik } }.map(\.nomorKK.text))
        }
    }

    @Test("the searches issue 15 names: household size below 5, female members by marital status, members under 25 or under 3, PKH components, a person by national ID")
    func namedSearches() async throws {
        let (fixture, households) = try Self.fixture()
        try await fixture.test { client in
            func run(_ query: String, queryType: String = "expression", entity: String) async throws -> DCITests.Result {
                let result = try await DCISearchTests.one(client, DCISearchTests.search("s", queryType: queryType, query: query, entity: entity))
                #expect(result.status == "succ", "\(query): \(result.reason ?? "") \(result.records)")
                return result
            }
            let small = households.filter { Model.size($0) < 5 }
            let sizeExpression = try await run(DCISearchTests.expression(#"{"group_size": {"$lt": 5}}"#), entity: "Group")
            #expect(sizeExpression.total == small.count)
            #expect(Set(sizeExpression.records.compactMap(DCITests.kk)) == Set(small.map(\.nomorKK.text)))
            let sizePredicate = try await run(#"[{"seq_num": 1, "expression1": {"attribute_name": "household_size", "operator": "lt", "attribute_value": 5}}]"#, queryType: "predicate", entity: "Group")
            #expect(sizePredicate.total == small.count)

            // Female members by marital status: the members themselves.
            for (word, status) in [("married", MaritalStatus.kawin), ("single", .belumKawin), ("widowed", .ceraiMati)] {
                let want = households.flatMap { h in h.members.filter { Model.present($0) && $0.sex == .female && $0.maritalStatus == status }.map { (h, $0) } }
                let found = try await run(DCISearchTests.expression(#"{"sex": "female", "marital_status": "\#(word)"}"#), entity: "Member")
                #expect(found.total == want.count, "\(word)")
                #expect(found.records.map(Self.memberKey).sorted() == want.map(Self.memberKey).sorted(), "\(word)")
                #expect(found.records.allSatisfy { ($0["demographic_info"] as? [String: Any])?["sex"] as? String == "female" })
                let predicate = try await run(#"[{"seq_num": 1, "expression1": {"attribute_name": "gender", "operator": "eq", "attribute_value": "female"}, "condition": "and", "expression2": {"attribute_name": "marital_status", "operator": "eq", "attribute_value": "\#(word)"}}]"#, queryType: "predicate", entity: "Member")
                #expect(predicate.records.map(Self.memberKey).sorted() == want.map(Self.memberKey).sorted())
            }

            // Members under 25, under 3: as members, and as their households.
            for years in [25, 3] {
                let want = households.flatMap { h in h.members.filter { m in Model.present(m) && m.birthDate.map { Model.age($0) < years } ?? false }.map { (h, $0) } }
                let members = try await run(DCISearchTests.expression(#"{"age": {"$lt": \#(years)}}"#), entity: "Member")
                #expect(members.total == want.count)
                #expect(members.records.map(Self.memberKey).sorted() == want.map(Self.memberKey).sorted())
                let groups = try await run(DCISearchTests.expression(#"{"age": {"$lt": \#(years)}}"#), entity: "Group")
                #expect(Set(groups.records.compactMap(DCITests.kk)) == Set(want.map(\.0.nomorKK.text)))
            }

            // Each PKH component, by the table's rules.
            for component in PKHComponent.allCases {
                let rule = component.rule
                let want = households.filter { h in
                    h.members.contains { m in
                        guard Model.present(m) else { return false }
                        if rule.pregnant { return Model.yes(m.attributes["hamil"]) }
                        if rule.severeDisability { return Model.yes(m.attributes["disabilitas_berat"]) }
                        return m.birthDate.map { rule.ages!.contains(Model.age($0)) } ?? false
                    }
                }
                #expect(!want.isEmpty, "\(component)")
                let found = try await run(DCISearchTests.expression(#"{"pkh_component": "\#(component.name)"}"#), entity: "Group")
                #expect(found.total == want.count, "\(component)")
                #expect(Set(found.records.compactMap(DCITests.kk)) == Set(want.map(\.nomorKK.text)), "\(component)")
            }

            // Disability, and a person by national ID (UIN).
            let disabled = households.filter { $0.members.contains { Model.present($0) && $0.disability != nil } }
            #expect((try await run(DCISearchTests.expression(#"{"is_disabled": true}"#), entity: "Group")).total == disabled.count)
            let member = try #require(households[5].members.first { $0.nik.nik != nil })
            let person = try await run(#"{"type": "UIN", "value": "\#(member.nik.nik!.text)"}"#, queryType: "idtype-value", entity: "Member")
            #expect(person.records.count == 1 && person.records.first.flatMap(DCISearchTests.givenName) == member.name)
        }
    }

    @Test("random conjunctions of member and household attributes, in expression and predicate form, as the model")
    func randomSearches() async throws {
        let (fixture, households) = try Self.fixture()
        var random = SeededRandom(seed: 15)
        var cases: [(terms: [Term], entity: String)] = []
        for _ in 0..<40 {
            let terms = (0..<Int.random(in: 1...3, using: &random)).map { _ in Self.randomTerm(&random) }
            // Members are asked for when a member term picks them (else a page could not hold them all).
            cases.append((terms, terms.contains { $0.member != nil } && Bool.random(using: &random) ? "Member" : "Group"))
        }
        let batches = cases
        try await fixture.test { client in
            for (number, item) in batches.enumerated() {
                let (terms, entity) = item
                let expression = DCISearchTests.expression("{\"$and\": [" + terms.map { "{\"\($0.attribute)\": {\"$\($0.op)\": \($0.value)}}" }.joined(separator: ", ") + "]}")
                let predicate = "[" + terms.enumerated().map { "{\"seq_num\": \($0.offset + 1), \"expression1\": {\"attribute_name\": \"\($0.element.attribute)\", \"operator\": \"\($0.element.op)\", \"attribute_value\": \($0.element.value)}}" }.joined(separator: ", ") + "]"
                let answer = try await client.call(.post, "/registry/sync/search", body: DCITests.message([
                    DCISearchTests.search("e\(number)", query: expression, entity: entity),
                    DCISearchTests.search("p\(number)", queryType: "predicate", query: predicate, entity: entity),
                ]))
                let results = DCITests.results(answer)
                let want = Self.expected(terms, in: households)
                let shown = terms.map { "\($0.attribute) \($0.op) \($0.value)" }.joined(separator: " and ") + " (\(entity))"
                for result in results {
                    #expect(result.status == "succ", "\(shown): \(result.reason ?? "")")
                    if entity == "Group" {
                        #expect(result.total == want.households.count, "\(shown)")
                        #expect(Set(result.records.compactMap(DCITests.kk)) == Set(want.households.map(\.nomorKK.text)), "\(shown)")
                    } else {
                        #expect(result.total == want.members.count, "\(shown)")
                        let wanted = want.members.map(Self.memberKey).sorted()
                        if wanted.count <= 1000 {
                            #expect(result.records.map(Self.memberKey).sorted() == wanted, "\(shown)")
                        } else {
                            #expect(result.records.count == 1000 && Set(result.records.map(Self.memberKey)).isSubset(of: wanted), "\(shown)")
                        }
                    }
                }
            }
        }
    }

    @Test("unknown attributes, values and operators, and member attributes under $or, are refused naming them")
    func refusals() async throws {
        let fixture = try APIFixture(households: 20)
        try await fixture.test { client in
            let cases: [(String, String, [String])] = [
                ("expression", DCISearchTests.expression(#"{"shoe_size": {"$lt": 40}}"#), ["shoe_size", "sex (gender", "pkh_component"]),
                ("expression", DCISearchTests.expression(#"{"sex": "x"}"#), ["sex", "male or female", "got x"]),
                ("expression", DCISearchTests.expression(#"{"marital_status": "complicated"}"#), ["marital_status", "complicated", "married"]),
                ("expression", DCISearchTests.expression(#"{"pkh_component": "anak_kuliah"}"#), ["pkh_component", "anak_kuliah", "anak_usia_dini"]),
                ("expression", DCISearchTests.expression(#"{"sex": {"$in": ["male"]}}"#), ["sex takes eq", "not in"]),
                ("expression", DCISearchTests.expression(#"{"age": {"$lt": "old"}}"#), ["age is a whole number 0 to 200"]),
                ("expression", DCISearchTests.expression(#"{"$or": [{"age": {"$lt": 3}}, {"desil": 1}]}"#), ["age is a member attribute", "$or"]),
                ("expression", DCISearchTests.expression(#"{"sex": {"$ne": "male"}}"#), ["sex is a member attribute"]),
                ("predicate", #"[{"seq_num": 1, "expression1": {"attribute_name": "age", "operator": "lt", "attribute_value": 25}, "condition": "or", "expression2": {"attribute_name": "age", "operator": "lt", "attribute_value": 3}}]"#, ["age is a member attribute"]),
                ("predicate", #"[{"seq_num": 1, "expression1": {"attribute_name": "dob", "operator": "eq", "attribute_value": "kemarin"}}]"#, ["dob", "YYYY-MM-DD", "kemarin"]),
                ("idtype-value", #"{"type": "passport", "value": "A123"}"#, ["NIK", "UIN"]),
            ]
            for (queryType, query, words) in cases {
                let result = try await DCISearchTests.one(client, DCISearchTests.search("r", queryType: queryType, query: query))
                #expect(result.status == "rjct", "\(query)")
                let message = try await client.call(.post, "/registry/sync/search", body: DCITests.message([DCISearchTests.search("r", queryType: queryType, query: query)])).body
                for word in words { #expect(message.contains(word), "\(query): \(message)") }
            }
        }
    }
}
