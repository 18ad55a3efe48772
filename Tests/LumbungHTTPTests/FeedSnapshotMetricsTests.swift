import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import Testing

/// The change feed, the snapshot routes and `/metrics`.
@Suite struct FeedSnapshotMetricsTests {
    @Test func changeFeedPagesAndLongPolls() async throws {
        let fixture = try APIFixture(households: 30)
        let last = try await fixture.store.read { tx in try tx.lastSequence() }
        try await fixture.test { client in
            let first = try await client.call(.get, "/v1/changes?since=0&limit=5")
            #expect(first.status == .ok, "\(first.body)")
            let entries = first.json["changes"] as? [[String: Any]] ?? []
            #expect(entries.compactMap { $0["sequence"] as? Int } == [1, 2, 3, 4, 5])
            #expect(entries.first?["action"] as? String == "insert")
            #expect(entries.first?["actor"] as? String == "fixture")
            #expect(first.json["next_since"] as? Int == 5)
            #expect(first.json["last_sequence"] as? Int == Int(last))

            // Paging through everything returns every entry once, in order.
            var since = 0, seen: [Int] = []
            while true {
                let page = try await client.call(.get, "/v1/changes?since=\(since)&limit=7")
                let sequences = (page.json["changes"] as? [[String: Any]] ?? []).compactMap { $0["sequence"] as? Int }
                if sequences.isEmpty { break }
                seen += sequences
                since = page.json["next_since"] as! Int
            }
            #expect(seen == Array(1...Int(last)))

            // Nothing new: an immediate empty page; with wait, the next commit ends the wait.
            let empty = try await client.call(.get, "/v1/changes?since=\(last)")
            #expect((empty.json["changes"] as? [Any])?.isEmpty == true)
            #expect(empty.json["next_since"] as? Int == Int(last))

            let store = fixture.store
            let writer = Task {
                try await Task.sleep(for: .milliseconds(300))
                try await store.write(actor: "cli-import") { tx in try tx.recordEvent("an import elsewhere") }
            }
            let start = ContinuousClock.now
            let waited = try await client.call(.get, "/v1/changes?since=\(last)&wait=30")
            try await writer.value
            let elapsed = ContinuousClock.now - start
            let news = waited.json["changes"] as? [[String: Any]] ?? []
            #expect(news.count == 1)
            #expect(news.first?["actor"] as? String == "cli-import")
            #expect(news.first?["note"] as? String == "an import elsewhere")
            #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(25), "the commit ends the wait: \(elapsed)")

            #expect(try await client.call(.get, "/v1/changes?wait=31").status == .badRequest)
            #expect(try await client.call(.get, "/v1/changes?since=-1").status == .badRequest)
        }
    }

    @Test func changeFeedIsCutToTheTokensScope() async throws {
        let fixture = try APIFixture(households: 60)
        let a = try #require(fixture.inA.first), b = try #require(fixture.inB.first)
        let (desaA, desaB) = (fixture.desaA, fixture.desaB)
        try await fixture.store.write(actor: "cli") { tx in
            try tx.recordEvent("store-level event")
            var changedA = a
            changedA.alamat = "Jl. A 2"
            try tx.put(changedA)
            var changedB = b
            changedB.alamat = "Jl. B 2"
            try tx.put(changedB)
            // A's household moves to B: both sides see the move, then only B.
            var moved = try #require(try tx.household(id: a.id!))
            moved.wilayah = b.wilayah
            try tx.put(moved)
            moved.alamat = "Jl. B 3"
            try tx.put(moved)
        }
        let all = try await fixture.store.read { tx in try tx.changes(after: 0, limit: 10_000) }
        let kabupaten = AccessScope(try KodeWilayah("32.16"))
        let scopes: [(String, AccessScope)] = [("viewerA", AccessScope(desaA)), ("operatorB", AccessScope(desaB)), ("adminKabupaten", kabupaten)]
        let movedID = Int(a.id!.rawValue)
        let from = a.wilayah.dotted, to = b.wilayah.dotted
        try await fixture.test { client in
            for (token, scope) in scopes {
                let expected: [Int] = all.filter { entry in entry.wilayah.contains { scope.permits($0) } }.map { Int($0.sequence) }
                for limit in [3, 1000] {
                    let seen = try await Self.feed(client, token: token, limit: limit)
                    #expect(seen.map(\.sequence) == expected, "\(token), pages of \(limit)")
                    #expect(seen.allSatisfy { $0.action != "event" }, "events are for the whole store")
                }
            }
            let seenByA = try await Self.feed(client, token: "viewerA", limit: 1000).filter { $0.householdID == movedID }
            let seenByB = try await Self.feed(client, token: "operatorB", limit: 1000).filter { $0.householdID == movedID }
            #expect(seenByA.map(\.wilayah) == [[from], [from], [from, to]], "A sees it arrive, change and leave")
            #expect(seenByB.map(\.wilayah) == [[from, to], [to]], "B sees it arrive and change")
            let whole = try await Self.feed(client, token: "adminAll", limit: 1000)
            #expect(whole.count == all.count)
            #expect(whole.contains { $0.action == "event" })
        }
    }

    /// One entry of the feed as a test reads it.
    struct Change: Sendable, Equatable {
        var sequence: Int
        var action: String
        var householdID: Int?
        var wilayah: [String]
    }

    /// Every entry of the feed a token sees, paging with `limit`.
    static func feed(_ client: APIFixture.Client, token: String, limit: Int) async throws -> [Change] {
        var since = 0
        var seen: [Change] = []
        while true {
            let page = try await client.call(.get, "/v1/changes?since=\(since)&limit=\(limit)", as: token)
            #expect(page.status == .ok, "\(page.body)")
            let json = page.json
            for entry in json["changes"] as? [[String: Any]] ?? [] {
                seen.append(Change(
                    sequence: entry["sequence"] as? Int ?? -1, action: entry["action"] as? String ?? "",
                    householdID: entry["household_id"] as? Int, wilayah: entry["kode_wilayah"] as? [String] ?? []))
            }
            let next = json["next_since"] as? Int ?? since
            if next == since { break }
            since = next
        }
        return seen
    }

    @Test func snapshotRoutes() async throws {
        let fixture = try APIFixture(households: 200)
        let october = try SnapshotName("2026-10")
        _ = try fixture.store.snapshots.create(period: october)
        let a = try #require(fixture.inA.first)
        try await fixture.test { client in
            var changed = a
            changed.alamat = "Jl. Baru 1"
            #expect(try await client.call(.put, "/v1/households/\(a.id!)", as: "operatorA", body: changed.json).status == .ok)

            let list = try await client.call(.get, "/v1/snapshots")
            let snapshots = list.json["snapshots"] as? [[String: Any]] ?? []
            #expect(snapshots.map { $0["period"] as? String } == ["2026-10"])
            #expect(snapshots.first?["households"] as? Int == 200)
            let scopedList = try await client.call(.get, "/v1/snapshots", as: "viewerA")
            #expect((scopedList.json["snapshots"] as? [[String: Any]])?.first?["households"] as? Int == fixture.inA.count)

            // Reads by period see October; the live store sees the change.
            let old = try await client.call(.get, "/v1/snapshots/2026-10/households/\(a.id!)", as: "viewerA")
            #expect(old.status == .ok, "\(old.body)")
            #expect(try HouseholdJSON.decode(Array(old.body.utf8)).alamat == a.alamat)
            let live = try await client.call(.get, "/v1/households/\(a.id!)", as: "viewerA")
            #expect(try HouseholdJSON.decode(Array(live.body.utf8)).alamat == "Jl. Baru 1")
            let nik = a.members.compactMap(\.nik.nik).first!.rawValueString
            #expect(try await client.call(.get, "/v1/snapshots/2026-10/persons/\(nik)", as: "viewerA").status == .ok)
            #expect(try await client.call(.get, "/v1/snapshots/2026-10/persons/\(nik)", as: "operatorB").status == .notFound)
            let page = try await client.call(.get, "/v1/snapshots/2026-10/households?limit=1000", as: "viewerA")
            #expect((page.json["households"] as? [Any])?.count == fixture.inA.count)
            let stats = try await client.call(.get, "/v1/snapshots/2026-10/stats?wilayah=32.16")
            #expect((stats.json["total"] as? [String: Any])?["households"] as? Int == 200)

            // The manifest: whole for the unscoped, cut to the scope for desa A.
            let manifest = try await client.call(.get, "/v1/snapshots/2026-10/manifest")
            #expect(manifest.json["households"] as? Int == 200)
            let scoped = try await client.call(.get, "/v1/snapshots/2026-10/manifest", as: "viewerA")
            #expect(scoped.json["households"] as? Int == fixture.inA.count)
            let regions = (scoped.json["counts"] as? [[String: Any]] ?? []).compactMap { $0["wilayah"] as? String }
            #expect(regions == [fixture.desaA.dotted], "\(regions)")

            // The diff: desa A sees its change, desa B sees none.
            let diff = try await client.call(.get, "/v1/snapshots/diff?from=2026-10&to=live&by=desa&changes=true", as: "viewerA")
            #expect(diff.status == .ok, "\(diff.body)")
            #expect(diff.json["changed"] as? Int == 1)
            let change = (diff.json["changes"] as? [[String: Any]])?.first
            #expect(change?["id"] as? Int == Int(a.id!.rawValue))
            #expect((change?["fields"] as? [[String: Any]])?.contains { $0["field"] as? String == "alamat" } == true)
            let other = try await client.call(.get, "/v1/snapshots/diff?from=2026-10&to=live", as: "operatorB")
            #expect(other.json["changed"] as? Int == 0)
            #expect((other.json["regions"] as? [Any])?.isEmpty == true)
            // `by` takes the core's level names (SnapshotDiff.Grouping) and names itself when wrong.
            let badLevel = try await client.call(.get, "/v1/snapshots/diff?from=2026-10&to=live&by=kota")
            #expect(badLevel.status == .badRequest && badLevel.code == "request.invalid", "\(badLevel.body)")
            let problem = (badLevel.json["errors"] as? [[String: Any]])?.first
            #expect(problem?["field"] as? String == "by" && problem?["value"] as? String == "kota")
            #expect(problem?["rule"] as? String == SnapshotDiff.Grouping.rule)
            for name in ["nasional", "provinsi", "kabupaten", "kecamatan", "desa"] {
                #expect(try await client.call(.get, "/v1/snapshots/diff?from=2026-10&to=live&by=\(name)").status == .ok, "\(name)")
            }
            let national = try await client.call(.get, "/v1/snapshots/diff?from=2026-10&to=live&by=nasional")
            #expect((national.json["regions"] as? [[String: Any]])?.map { $0["wilayah"] is NSNull } == [true])

            // Names that are not periods never reach the file system.
            for bad in ["2026-13", "..", "..%2F..%2Fetc", "%2e%2e", "2026-10%2F..", "x%00"] {
                let answer = try await client.call(.get, "/v1/snapshots/\(bad)/manifest")
                #expect(answer.status == .badRequest || answer.status == .notFound, "\(bad): \(answer.status)")
                #expect(answer.code == "snapshot.name" || answer.code == "request.notFound", "\(bad): \(answer.body)")
            }
            #expect(try await client.call(.get, "/v1/snapshots/diff?from=../x&to=live").code == "snapshot.name")
            let missing = try await client.call(.get, "/v1/snapshots/2026-09/households/1")
            #expect(missing.status == .notFound)
            #expect(missing.code == "snapshot.notFound")
        }
    }

    @Test func metrics() async throws {
        let fixture = try APIFixture(households: 25)
        try await fixture.test { client in
            _ = try await client.call(.get, "/v1/households/1")
            let metrics = try await client.call(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(metrics.body.contains("lumbung_households 25"))
            #expect(metrics.body.contains("lumbung_store_file_bytes"))
            #expect(metrics.body.contains(#"http_route="/v1/households/{id}""#), "requests by route pattern")
            #expect(metrics.body.contains("http_server_request_duration_bucket"))
            #expect(!metrics.body.contains("/v1/households/1\""), "never the path itself")
            #expect(try await client.call(.get, "/metrics", as: "viewerA").status == .forbidden)
            #expect(try await client.call(.get, "/metrics", as: nil).status == .unauthorized)
        }
    }
}

extension FeedSnapshotMetricsTests {
    @Test func changeFeedAsServerSentEvents() async throws {
        // A long wait allowed: the stream ends at its third event, however late a loaded
        // machine commits it (the default 30 s was too short with a compiler on both cores).
        var configuration = LumbungAPI<LumbungBasicRequestContext>.Configuration()
        configuration.maxLongPoll = .seconds(600)
        let fixture = try APIFixture(households: 12, configuration: configuration)
        let last = try await fixture.store.read { tx in try tx.lastSequence() }
        try await fixture.test { client in
            let store = fixture.store
            let writer = Task {
                try await Task.sleep(for: .milliseconds(300))
                try await store.write(actor: "during-stream") { tx in try tx.recordEvent("live") }
            }
            // The stream ends with its third event, the one committed while it is open.
            let stream = try await client.call(.get, "/v1/changes?since=\(last - 2)&limit=3&wait=600", headers: [.accept: "text/event-stream"])
            try await writer.value
            #expect(stream.status == .ok)
            #expect(stream.contentType == "text/event-stream")
            let ids = stream.body.split(separator: "\n").filter { $0.hasPrefix("id: ") }.map { Int($0.dropFirst(4))! }
            #expect(ids == [Int(last) - 1, Int(last), Int(last) + 1], "\(stream.body.prefix(500))")
            #expect(stream.body.contains("event: change\ndata: {\"sequence\":\(last + 1)"))
            #expect(stream.body.contains("during-stream"))

            // A reconnecting client resumes after Last-Event-ID.
            let resumed = try await client.call(.get, "/v1/changes?limit=1&wait=600", headers: [.accept: "text/event-stream", .init("Last-Event-ID")!: String(last)])
            let resumedIDs = resumed.body.split(separator: "\n").filter { $0.hasPrefix("id: ") }.map { Int($0.dropFirst(4))! }
            #expect(resumedIDs == [Int(last) + 1])
        }
    }
}
