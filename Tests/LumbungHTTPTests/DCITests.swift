import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import Testing

/// `POST /registry/sync/search` on the DCI Social Registry specification's own request examples
/// (`/work/shared/reference/dci/social_api_v1.0.0.yaml`), and on the same shapes with values from
/// an Indonesian register.
@Suite struct DCITests {
    /// A sync search message around `searches` (each a `search_request` item's JSON).
    static func message(_ searches: [String], action: String = "search", totalCount: Int? = nil) -> String {
        """
        {"signature": "Signature: namespace=\\"spdci\\"",
         "header": {"version": "1.0.0", "message_id": "123", "message_ts": "2026-11-23T17:20:07-04:00", "action": "\(action)",
                    "sender_id": "spmis.example.org", "receiver_id": "social.example.org", "total_count": \(totalCount ?? searches.count), "is_msg_encrypted": false},
         "message": {"transaction_id": "0123456789", "search_request": [\(searches.joined(separator: ","))]}}
        """
    }

    static func search(_ reference: String, queryType: String, query: String, pagination: String? = nil) -> String {
        """
        {"reference_id": "\(reference)", "timestamp": "2026-11-23T17:20:07-04:00",
         "search_criteria": {"version": "1.0.0", "reg_event_type": "REGISTER", "query_type": "\(queryType)", "response_entity": "Group",
                             "query": \(query)\(pagination.map { ", \"pagination\": \($0)" } ?? "")},
         "locale": "eng"}
        """
    }

    static func idTypeValueRequest(type: String, value: String) -> String {
        message([search("12345678901234567890", queryType: "idtype-value", query: #"{"type": "\#(type)", "value": "\#(value)"}"#)])
    }

    // The specification's own examples of each query form.
    static let specExpression = #"{"type": "ns:org:QueryType:NoSql", "value": {"expression": {"collection": "Group", "query": {"$and": [{"poverty_score": {"$lt": 5}}, {"location": {"$eq": "central_region"}}, {"group_size": {"$lt": 5}}]}}}}"#
    static let specIdTypeValue = #"{"type": "UIN", "value": "12314567890"}"#
    static let specPredicate = #"[{"seq_num": 1, "expression1": {"attribute_name": "YOB", "operator": "eq", "attribute_value": "1980"}, "condition": "and", "expression2": {"attribute_name": "YOB", "operator": "eq", "attribute_value": "1980"}}]"#

    struct Result {
        let status: String?
        let reason: String?
        let records: [[String: Any]]
        let total: Int?
    }

    static func results(_ answer: APIFixture.Client.Answer) -> [Result] {
        let message = answer.json["message"] as? [String: Any]
        return (message?["search_response"] as? [[String: Any]] ?? []).map { item in
            let data = item["data"] as? [String: Any]
            return Result(
                status: item["status"] as? String, reason: item["status_reason_code"] as? String,
                records: data?["reg_records"] as? [[String: Any]] ?? [],
                total: (item["pagination"] as? [String: Any])?["total_count"] as? Int)
        }
    }

    @Test func specificationExamples() async throws {
        let fixture = try APIFixture(households: 300)
        try await fixture.test { client in
            let body = Self.message([
                Self.search("1", queryType: "expression", query: Self.specExpression),
                Self.search("2", queryType: "idtype-value", query: Self.specIdTypeValue),
                Self.search("3", queryType: "predicate", query: Self.specPredicate),
            ])
            let answer = try await client.call(.post, "/registry/sync/search", body: body)
            #expect(answer.status == .ok, "\(answer.body)")
            let header = answer.json["header"] as? [String: Any]
            #expect(header?["action"] as? String == "on-search")
            #expect(header?["status"] as? String == "succ")
            #expect(header?["message_id"] as? String == "123")
            #expect(header?["total_count"] as? Int == 3)
            #expect(header?["receiver_id"] as? String == "spmis.example.org")
            #expect((answer.json["message"] as? [String: Any])?["transaction_id"] as? String == "0123456789")
            let results = Self.results(answer)
            // Answered (the records against a model: DCIMemberSearchTests): no region is named
            // "central_region", no one holds an 11-digit UIN, members born in 1980 are found.
            #expect(results.map(\.status) == ["succ", "succ", "succ"])
            #expect(results.map(\.total) == [0, 0, fixture.households.filter { $0.members.contains { $0.birthDate?.year == 1980 && ($0.presence == .tinggalBersama || $0.presence == .anggotaBaru) } }.count])
        }
    }

    @Test func searchesOfTheRegister() async throws {
        let fixture = try APIFixture(households: 300)
        let a = try #require(fixture.inA.first)
        let nik = a.members.compactMap(\.nik.nik).first!.text
        let b = try #require(fixture.inB.first)
        let bNIK = b.members.compactMap(\.nik.nik).first!.text
        let kecamatan = KodeWilayah(unchecked: fixture.desaA.packed / 10_000 * 10_000, level: .kecamatan)
        try await fixture.test { client in
            // The spec's expression with a kode wilayah and without group_size.
            let expression = #"{"type": "ns:org:QueryType:NoSql", "value": {"expression": {"collection": "Group", "query": {"$and": [{"poverty_score": {"$lt": 5}}, {"location": {"$eq": "\#(kecamatan.dotted)"}}]}}}}"#
            let predicate = #"[{"seq_num": 1, "expression1": {"attribute_name": "desil", "operator": "le", "attribute_value": 4}, "condition": "and", "expression2": {"attribute_name": "wilayah", "operator": "eq", "attribute_value": "\#(kecamatan.dotted)"}}]"#
            let body = Self.message([
                Self.search("nik", queryType: "idtype-value", query: #"{"type": "NIK", "value": "\#(nik)"}"#),
                Self.search("kk", queryType: "idtype-value", query: #"{"type": "KK", "value": "\#(a.nomorKK.text)"}"#),
                Self.search("expr", queryType: "expression", query: expression, pagination: #"{"page_size": 1000}"#),
                Self.search("pred", queryType: "predicate", query: predicate, pagination: #"{"page_size": 1000, "page_number": 1}"#),
                Self.search("status", queryType: "expression", query: #"{"value": {"expression": {"query": {"status": {"$eq": "ditetapkan"}, "program": {"$eq": "PKH"}}}}}"#, pagination: #"{"page_size": 1000}"#),
            ])
            let answer = try await client.call(.post, "/registry/sync/search", body: body)
            let results = Self.results(answer)
            #expect(results.map(\.status) == ["succ", "succ", "succ", "succ", "succ"], "\(answer.body)")

            let group = try #require(results[0].records.first)
            let identifiers = group["group_identifier"] as? [[String: Any]]
            #expect(identifiers?.first?["identifier_type"] as? String == "KK")
            #expect(identifiers?.first?["identifier_value"] as? String == a.nomorKK.text)
            #expect(group["group_size"] as? Int == a.members.count)
            let members = group["member_list"] as? [[String: Any]] ?? []
            #expect(members.count == a.members.count)
            let memberNIKs = members.compactMap { (($0["member_identifier"] as? [[String: Any]])?.first?["identifier_value"] as? String) }
            #expect(memberNIKs.contains(nik))
            #expect(results[1].records.count == 1)

            let expected = fixture.households.filter { kecamatan.contains($0.wilayah) && ($0.desil.map { $0 < 5 } ?? false) }
            #expect(results[2].total == expected.count)
            #expect(Set(results[2].records.compactMap { Self.kk($0) }) == Set(expected.map(\.nomorKK.text)))
            #expect(results[3].total == expected.count, "the predicate form agrees with the expression form")
            let ditetapkanPKH = fixture.households.filter { $0.status == .ditetapkan && $0.programs.contains(.pkh) }
            #expect(results[4].total == ditetapkanPKH.count)

            // Pagination: page 2 of size 2 holds the third and fourth.
            let paged = try await client.call(.post, "/registry/sync/search", body: Self.message([
                Self.search("p1", queryType: "expression", query: #"{"value": {"query": {"desil": {"$in": [1, 2, 3]}}}}"#, pagination: #"{"page_size": 2, "page_number": 1}"#),
                Self.search("p2", queryType: "expression", query: #"{"value": {"query": {"desil": {"$in": [1, 2, 3]}}}}"#, pagination: #"{"page_size": 2, "page_number": 2}"#),
            ]))
            let pages = Self.results(paged)
            #expect(pages[0].records.count == 2 && pages[1].records.count == 2)
            #expect(Set(pages[0].records.compactMap(Self.kk)).isDisjoint(with: pages[1].records.compactMap(Self.kk)))
            #expect(pages[0].total == fixture.households.filter { ($0.desil ?? 0) >= 1 && ($0.desil ?? 0) <= 3 }.count)

            // Scope: a desa A token finds nothing of desa B, by NIK or by expression.
            let scoped = try await client.call(.post, "/registry/sync/search", as: "viewerA", body: Self.message([
                Self.search("b-nik", queryType: "idtype-value", query: #"{"type": "NIK", "value": "\#(bNIK)"}"#),
                Self.search("b-wilayah", queryType: "expression", query: #"{"value": {"query": {"wilayah": {"$eq": "\#(fixture.desaB.dotted)"}}}}"#),
                Self.search("all", queryType: "expression", query: #"{"value": {"query": {"desil": {"$ge": 1}}}}"#, pagination: #"{"page_size": 1000}"#),
            ]))
            let scopedResults = Self.results(scoped)
            #expect(scopedResults.map(\.total) == [0, 0, fixture.inA.filter { $0.desil != nil }.count])
            #expect(scopedResults[2].records.allSatisfy { record in fixture.inA.contains { $0.nomorKK.text == Self.kk(record) } })

            // Rejections with DCI reason codes.
            let rejected = Self.results(try await client.call(.post, "/registry/sync/search", body: Self.message([
                Self.search("dup", queryType: "idtype-value", query: Self.specIdTypeValue),
                Self.search("dup", queryType: "idtype-value", query: Self.specIdTypeValue),
                Self.search("sort", queryType: "expression", query: #"{"value": {"query": {"desil": {"$eq": 1}}}}"#).replacingOccurrences(of: #""response_entity": "Group","#, with: #""response_entity": "Group", "sort": [{"attribute_name": "YOB", "sort_order": "asc"}],"#),
                Self.search("page", queryType: "expression", query: #"{"value": {"query": {"desil": {"$eq": 1}}}}"#, pagination: #"{"page_size": 0}"#),
                Self.search("or", queryType: "expression", query: #"{"value": {"query": {"$or": []}}}"#),
                Self.search("type", queryType: "sql", query: #""select *""#),
                Self.search("ts", queryType: "idtype-value", query: Self.specIdTypeValue).replacingOccurrences(of: "2026-11-23T17:20:07-04:00", with: "yesterday"),
            ])))
            #expect(rejected.map(\.reason) == [
                nil, "rjct.reference_id.duplicate", "rjct.sort.invalid", "rjct.pagination.invalid",
                "rjct.filter.invalid", "rjct.search_criteria.invalid", "rjct.timestamp.invalid",
            ])

            // Header rejections, and transport errors.
            let wrongAction = try await client.call(.post, "/registry/sync/search", body: Self.message([Self.search("1", queryType: "idtype-value", query: Self.specIdTypeValue)], action: "subscribe"))
            #expect((wrongAction.json["header"] as? [String: Any])?["status_reason_code"] as? String == "rjct.action.invalid")
            let wrongCount = try await client.call(.post, "/registry/sync/search", body: Self.message([Self.search("1", queryType: "idtype-value", query: Self.specIdTypeValue)], totalCount: 5))
            #expect((wrongCount.json["header"] as? [String: Any])?["status_reason_code"] as? String == "rjct.total_count.invalid")
            #expect(try await client.call(.post, "/registry/sync/search", body: "{").status == .badRequest)
            #expect(try await client.call(.post, "/registry/sync/search", body: #"{"header": 1}"#).status == .badRequest)
            #expect(try await client.call(.post, "/registry/sync/search", body: "[]").status == .badRequest)
            // A key given twice in the message: the first counts, as Foundation's decoder read it.
            let twice = Self.message([Self.search("1", queryType: "idtype-value", query: Self.specIdTypeValue)])
                .replacingOccurrences(of: #""message_id": "123","#, with: #""message_id": "123", "message_id": "456","#)
            let answeredTwice = try await client.call(.post, "/registry/sync/search", body: twice)
            #expect((answeredTwice.json["header"] as? [String: Any])?["message_id"] as? String == "123")
            #expect(try await client.call(.post, "/registry/sync/search", as: nil, body: body).status == .unauthorized)
        }
    }

    static func kk(_ record: [String: Any]) -> String? {
        (record["group_identifier"] as? [[String: Any]])?.first { $0["identifier_type"] as? String == "KK" }?["identifier_value"] as? String
    }
}
