import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import Testing

/// `GET /v1/changes?household=ID`: one household's history through the journal's household
/// index, either way, a page at a time, cut to the token's scope by the feed's own rule, so a
/// household outside the scope answers exactly as one that does not exist.
@Suite struct HouseholdHistoryRouteTests {
    /// Every entry of `household`'s history a token sees, in pages of `limit`, and the last answer.
    static func history(_ client: APIFixture.Client, token: String, household: String, order: String, limit: Int) async throws -> (sequences: [Int], last: APIFixture.Client.Answer) {
        var seen: [Int] = []
        var cursor: Int?
        while true {
            let paging = cursor.map { order == "desc" ? "&before=\($0)" : "&since=\($0)" } ?? ""
            let page = try await client.call(.get, "/v1/changes?household=\(household)&order=\(order)&limit=\(limit)\(paging)", as: token)
            #expect(page.status == .ok, "\(page.body)")
            let sequences = (page.json["changes"] as? [[String: Any]] ?? []).compactMap { $0["sequence"] as? Int }
            seen += sequences
            let next = page.json[order == "desc" ? "next_before" : "next_since"] as? Int
            if sequences.isEmpty || next == nil || next == cursor { return (seen, page) }
            cursor = next
        }
    }

    @Test func householdHistoryPagesBothWaysWithinTheScope() async throws {
        let fixture = try APIFixture(households: 60)
        let a = try #require(fixture.inA.first), b = try #require(fixture.inB.first)
        try await fixture.store.write(actor: "cli") { tx in
            for round in 1...4 {
                var changed = try #require(try tx.household(id: a.id!))
                changed.alamat = "Jl. A \(round)"
                try tx.put(changed)
            }
            try tx.recordEvent("store-level event")
            // A's household moves to B's desa, then changes there: A sees it leave, then nothing.
            var moved = try #require(try tx.household(id: a.id!))
            moved.wilayah = b.wilayah
            try tx.put(moved)
            moved.alamat = "Jl. B 9"
            try tx.put(moved)
        }
        let all = try await fixture.store.read { tx in try tx.changes(after: 0, limit: 10_000) }
        let ofA = all.filter { $0.householdID == a.id! && $0.action != .event }
        #expect(ofA.count == 7)
        let seenByA = ofA.filter { entry in entry.wilayah.contains { AccessScope(fixture.desaA).permits($0) } }.map { Int($0.sequence) }
        let seenByB = ofA.filter { entry in entry.wilayah.contains { AccessScope(fixture.desaB).permits($0) } }.map { Int($0.sequence) }
        #expect(seenByA.count == 6 && seenByB.count == 2)
        try await fixture.test { client in
            for limit in [1, 2, 1000] {
                let whole = try await Self.history(client, token: "adminAll", household: "\(a.id!)", order: "asc", limit: limit)
                #expect(whole.sequences == ofA.map { Int($0.sequence) }, "pages of \(limit)")
                let newest = try await Self.history(client, token: "adminAll", household: "\(a.id!)", order: "desc", limit: limit)
                #expect(newest.sequences == ofA.map { Int($0.sequence) }.reversed(), "newest first, pages of \(limit)")
                #expect(newest.last.json["next_before"] is NSNull, "the end says so")
                #expect(try await Self.history(client, token: "viewerA", household: "\(a.id!)", order: "desc", limit: limit).sequences == seenByA.reversed())
                #expect(try await Self.history(client, token: "operatorB", household: "\(a.id!)", order: "asc", limit: limit).sequences == seenByB)
            }
            // The entries are the feed's, field for field.
            let page = try await client.call(.get, "/v1/changes?household=\(a.id!)&limit=1")
            let feed = try await client.call(.get, "/v1/changes?since=\(ofA[0].sequence - 1)&limit=1")
            #expect((page.json["changes"] as? NSArray)?.isEqual(feed.json["changes"] as? NSArray) == true, "\(page.body) \(feed.body)")
            #expect(page.json["last_sequence"] as? Int == Int(all.last!.sequence))

            // Both bounds, either way: the entries strictly between.
            let first = Int(ofA[0].sequence), last = Int(ofA[6].sequence)
            for order in ["asc", "desc"] {
                let window = try await client.call(.get, "/v1/changes?household=\(a.id!)&order=\(order)&since=\(first)&before=\(last)")
                let sequences = (window.json["changes"] as? [[String: Any]] ?? []).compactMap { $0["sequence"] as? Int }
                let inner = ofA[1...5].map { Int($0.sequence) }
                #expect(sequences == (order == "asc" ? inner : inner.reversed()), "\(order): \(window.body)")
            }

            // Outside the scope reads as absent: the same answer, byte for byte.
            let otherB = try #require(fixture.inB.first { $0.id != a.id })
            for order in ["asc", "desc"] {
                let outside = try await client.call(.get, "/v1/changes?household=\(otherB.id!)&order=\(order)", as: "viewerA")
                let absent = try await client.call(.get, "/v1/changes?household=4000000000&order=\(order)", as: "viewerA")
                let impossible = try await client.call(.get, "/v1/changes?household=99999999999999999999&order=\(order)", as: "viewerA")
                #expect(outside.status == .ok && outside.body == absent.body && absent.body == impossible.body, "\(outside.body) \(absent.body)")
                #expect((outside.json["changes"] as? [Any])?.isEmpty == true)
                #expect(outside.json["last_sequence"] is NSNull)
            }
            #expect(try await client.call(.get, "/v1/changes?household=\(otherB.id!)", as: "operatorB").json["changes"].map { ($0 as? [Any])?.count ?? 0 } == 1)

            // Bad input is 400 naming the parameter.
            for (query, field) in [("household=abc", "household"), ("household=1&order=up", "order"), ("order=desc", "order"), ("before=5", "before"),
                                   ("household=1&order=desc&wait=1", "wait"), ("household=1&before=0&order=desc", "before")] {
                let answer = try await client.call(.get, "/v1/changes?\(query)")
                #expect(answer.status == .badRequest, "\(query): \(answer.body)")
                #expect(answer.body.contains("\"\(field)\""), "\(query): \(answer.body)")
            }
            let stream = try await client.call(.get, "/v1/changes?household=\(a.id!)", headers: [.accept: "text/event-stream"])
            #expect(stream.status == .badRequest)
        }
    }

    @Test func householdHistoryLongPollsForItsNextEntry() async throws {
        let fixture = try APIFixture(households: 10)
        let a = try #require(fixture.inA.first)
        let last = try await fixture.store.read { tx in try tx.lastSequence() }
        try await fixture.test { client in
            let store = fixture.store
            let writer = Task {
                try await Task.sleep(for: .milliseconds(300))
                try await store.write(actor: "elsewhere") { tx in
                    try tx.recordEvent("not this household's")
                    var changed = try #require(try tx.household(id: a.id!))
                    changed.alamat = "Jl. Tunggu 1"
                    try tx.put(changed)
                }
            }
            let waited = try await client.call(.get, "/v1/changes?household=\(a.id!)&since=\(last)&wait=30", as: "viewerA")
            try await writer.value
            let news = waited.json["changes"] as? [[String: Any]] ?? []
            #expect(news.count == 1 && news.first?["actor"] as? String == "elsewhere", "\(waited.body)")
            #expect(waited.json["next_since"] as? Int == Int(last) + 2)
        }
    }
}
