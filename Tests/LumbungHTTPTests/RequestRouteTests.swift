import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Lumbung
import LumbungHTTP
import NIOCore
import Testing

/// `/v1/requests` and `/v1/evidence`: the workflow over HTTP, each role deciding through the
/// core, and the scope rules (desa A's operator and a citizen learn nothing of desa B).
@Suite struct RequestRouteTests {
    /// The fixture with the workflow's tokens: desa operators of A and B, a verifikator and a
    /// kepala OPD of the kabupaten, two citizens.
    static func fixture(households: Int = 120) throws -> APIFixture {
        let fixture = try APIFixture(households: households)
        func issue(_ name: String, _ role: AccessRole, _ scope: AccessScope) throws {
            fixture.secrets[name] = try fixture.store.write { tx in try tx.issueToken(actor: name, role: role, scope: scope) }.secret
        }
        let kabupaten = AccessScope(try KodeWilayah("32.16"))
        try issue("desaA", .desaOperator, AccessScope(fixture.desaA))
        try issue("desaB", .desaOperator, AccessScope(fixture.desaB))
        try issue("verifikator", .verifikator, kabupaten)
        try issue("kepala", .kepalaOPD, kabupaten)
        try issue("citizen", .citizen, .everything)
        try issue("otherCitizen", .citizen, .everything)
        return fixture
    }

    /// A small JPEG (its signature, then filler): `salt` makes distinct files.
    static func jpeg(_ salt: UInt8 = 0, size: Int = 600) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xE0] + (0..<(size - 4)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(salt)) }
    }

    static func keluar(_ household: Household) -> String {
        #"{"jenis": "keluar", "rumah_tangga_id": \#(household.id!), "alasan": "pindah", "berita_acara": {"nomor": "BA-07/2026", "tanggal": "2026-11-02"}}"#
    }

    /// The problem bodies of two answers, the same but for `value` (the id each asked for).
    static func sameAnswer(_ a: APIFixture.Client.Answer, _ aValue: String, _ b: APIFixture.Client.Answer, _ bValue: String) -> Bool {
        func masked(_ body: String, _ value: String) -> String {
            body.replacingOccurrences(of: "'\(value)'", with: "'X'").replacingOccurrences(of: "\"\(value)\"", with: "\"X\"")
        }
        return a.status == b.status && masked(a.body, aValue) == masked(b.body, bValue)
    }

    static let fixedID: HTTPFields = [HTTPField.Name("X-Request-Id")!: "scope-test-0001"]

    @Test func aProposalGoesFromSubmitToApplyAndReachesTheChangeFeed() async throws {
        let fixture = try Self.fixture()
        let household = try #require(fixture.inA.first { $0.status != .tidakLayak(.pindah) })
        let photo = Self.jpeg(1)
        let before = try await fixture.store.read { tx in try tx.lastSequence() }
        try await fixture.test { client in
            // Evidence first: the digest is the SHA-256 of the bytes.
            let uploaded = try await client.send(.post, "/v1/evidence", as: "desaA", bytes: photo, contentType: "image/jpeg")
            #expect(uploaded.status == .created, "\(uploaded.body)")
            let digest = SHA256.hash(data: photo).map { String(format: "%02x", $0) }.joined()
            #expect(uploaded.json["digest"] as? String == digest)
            #expect(uploaded.json["media_type"] as? String == "image/jpeg")
            #expect(uploaded.json["size"] as? Int == photo.count)
            // Nothing references it yet: nobody may download it.
            #expect(try await client.call(.get, "/v1/evidence/\(digest)", as: "desaA").status == .notFound)

            let draft = try await client.call(.post, "/v1/requests?draft=true", as: "desaA", body: Self.keluar(household))
            #expect(draft.status == .created, "\(draft.body)")
            #expect(draft.json["status"] as? String == "draft")
            let id = try #require(draft.json["id"] as? Int)
            #expect(draft.headers[.location] == "/v1/requests/\(id)")

            let attached = try await client.call(.post, "/v1/requests/\(id)/attachments", as: "desaA", body: #"{"sha256": "\#(digest)", "jenis": "foto_rumah"}"#)
            #expect(attached.status == .ok, "\(attached.body)")
            #expect((attached.json["bukti"] as? [[String: Any]])?.first?["sha256"] as? String == digest)
            let download = try await client.call(.get, "/v1/evidence/\(digest)", as: "desaA")
            #expect(download.status == .ok)
            #expect(download.contentType == "image/jpeg")
            #expect(Array(download.body.utf8).count > 0)

            let submitted = try await client.call(.post, "/v1/requests/\(id)/submit", as: "desaA")
            #expect(submitted.json["status"] as? String == "diajukan", "\(submitted.body)")

            // The desa's open page, with its total from the index.
            let page = try await client.call(.get, "/v1/requests?desa=\(fixture.desaA.dotted)&state=diajukan", as: "desaA")
            #expect(page.status == .ok)
            #expect((page.json["requests"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
            #expect(page.json["total"] as? Int == 1)
            #expect(page.json["next_cursor"] is NSNull)

            // Roles decide through the core: a desa operator does not verify; approve starts from diverifikasi.
            let wrongRole = try await client.call(.post, "/v1/requests/\(id)/verify", as: "desaA")
            #expect(wrongRole.status == .forbidden)
            #expect(wrongRole.code == "workflow.role")
            let wrongState = try await client.call(.post, "/v1/requests/\(id)/approve", as: "kepala")
            #expect(wrongState.status == .conflict)
            #expect(wrongState.code == "workflow.state")
            let noReason = try await client.call(.post, "/v1/requests/\(id)/reject", as: "verifikator", body: "{}")
            #expect(noReason.status == .unprocessableContent)
            #expect(noReason.code == "workflow.noteRequired")

            let verified = try await client.call(.post, "/v1/requests/\(id)/verify", as: "verifikator", body: #"{"catatan": "cek lapangan"}"#)
            #expect(verified.json["status"] as? String == "diverifikasi", "\(verified.body)")
            // The batch of desa A: one action, one transaction.
            let batch = try await client.call(.post, "/v1/requests/batch/approve", as: "kepala", body: #"{"desa": "\#(fixture.desaA.dotted)"}"#)
            #expect(batch.status == .ok, "\(batch.body)")
            #expect(batch.json["count"] as? Int == 1)
            #expect((batch.json["requests"] as? [[String: Any]])?.first?["status"] as? String == "disetujui")

            let preview = try await client.call(.get, "/v1/requests/\(id)?preview=true", as: "kepala")
            #expect(preview.status == .ok)
            let after = (preview.json["sesudah"] as? [[String: Any]])?.first
            #expect(after?["status"] as? String == "tidak_layak", "\(preview.body)")
            #expect(after?["alasan_tidak_layak"] as? String == "pindah", "\(preview.body)")
            #expect((preview.json["diff"] as? [String])?.contains { $0.contains("status") } == true)

            let applied = try await client.call(.post, "/v1/requests/\(id)/apply", as: "kepala")
            #expect(applied.json["status"] as? String == "diterapkan", "\(applied.body)")
            let stored = try await client.call(.get, "/v1/households/\(household.id!)", as: "viewerA")
            #expect(stored.json["status"] as? String == "tidak_layak")
            #expect(stored.json["alasan_tidak_layak"] as? String == "pindah")

            // The change feed carries every transition, in desa A's scope only.
            let feed = try await client.call(.get, "/v1/changes?since=\(before)", as: "desaA")
            let notes = (feed.json["changes"] as? [[String: Any]] ?? []).filter { $0["action"] as? String == "request" }.compactMap { $0["note"] as? String }
            for step in ["create → draft", "submit → diajukan", "verify → diverifikasi", "approve → disetujui", "apply → diterapkan"] {
                #expect(notes.contains { $0.hasPrefix("request \(id) keluar: \(step)") }, "\(step) not in \(notes)")
            }
            let applyEntry = (feed.json["changes"] as? [[String: Any]] ?? []).first { ($0["note"] as? String)?.hasPrefix("request \(id) keluar") == true && $0["action"] as? String != "request" }
            #expect(applyEntry?["household_id"] as? Int == Int(household.id!.rawValue), "the register write names the request")
            let other = try await client.call(.get, "/v1/changes?since=\(before)", as: "desaB")
            #expect((other.json["changes"] as? [[String: Any]] ?? []).allSatisfy { ($0["note"] as? String)?.contains("request \(id)") != true })
        }
    }

    @Test func desaAsOperatorSeesNothingOfDesaB() async throws {
        let fixture = try Self.fixture()
        let inB = try #require(fixture.inB.first)
        let absent = 987_654
        try await fixture.test { client in
            let created = try await client.call(.post, "/v1/requests", as: "desaB", body: Self.keluar(inB))
            #expect(created.status == .created, "\(created.body)")
            let id = try #require(created.json["id"] as? Int)

            // Every route on B's request answers as on a request that does not exist.
            let calls: [(HTTPRequest.Method, String, String?)] = [
                (.get, "", nil), (.get, "?preview=true", nil), (.post, "/withdraw", nil),
                (.post, "/attachments", #"{"sha256": "\#(String(repeating: "ab", count: 32))", "jenis": "ktp"}"#),
            ]
            for (method, suffix, body) in calls {
                let seen = try await client.call(method, "/v1/requests/\(id)\(suffix)", as: "desaA", body: body, headers: Self.fixedID)
                let missing = try await client.call(method, "/v1/requests/\(absent)\(suffix)", as: "desaA", body: body, headers: Self.fixedID)
                #expect(seen.status == .notFound, "\(method) \(suffix): \(seen.body)")
                #expect(Self.sameAnswer(seen, "\(id)", missing, "\(absent)"), "\(seen.body)\n\(missing.body)")
            }
            // Lists and batches: desa B is outside, whatever the filter.
            for query in ["", "?desa=\(fixture.desaB.dotted)", "?desa=32.16", "?household=\(inB.id!)", "?state=open"] {
                let page = try await client.call(.get, "/v1/requests\(query)", as: "desaA")
                #expect(page.status == .ok)
                #expect((page.json["requests"] as? [Any])?.isEmpty == true, "\(query): \(page.body)")
                #expect(page.json["total"] as? Int == 0, "\(query)")
            }
            let batch = try await client.call(.post, "/v1/requests/batch/withdraw", as: "desaA", body: #"{"desa": "\#(fixture.desaB.dotted)"}"#)
            #expect(batch.json["count"] as? Int == 0, "\(batch.body)")
            // A proposal for B's household is refused as for a household that does not exist.
            let proposal = try await client.call(.post, "/v1/requests", as: "desaA", body: Self.keluar(inB))
            #expect(proposal.status == .notFound)
            #expect(proposal.code == "household.notFound")
            // B's own operator still sees it, open.
            let own = try await client.call(.get, "/v1/requests?desa=\(fixture.desaB.dotted)&state=open", as: "desaB")
            #expect(own.json["total"] as? Int == 1)
        }
    }

    @Test func aCitizensContestRevealsNothing() async throws {
        let fixture = try Self.fixture()
        let target = try #require(fixture.inB.first)
        let kk = target.nomorKK.rawValueString
        try await fixture.test { client in
            let photo = try await client.send(.post, "/v1/evidence", as: "citizen", bytes: Self.jpeg(9), contentType: "image/jpeg")
            #expect(photo.status == .created)
            let digest = try #require(photo.json["digest"] as? String)
            // A contest needs evidence: refused with the core's code.
            let bare = try await client.call(.post, "/v1/requests", as: "citizen", body: #"{"jenis": "sanggah", "nomor_kk": "\#(kk)", "alasan": "mampu"}"#)
            #expect(bare.status == .unprocessableContent)
            #expect(bare.code == "workflow.evidenceRequired")
            // A draft, the photo attached (the store keeps it for the request), then submitted.
            let draft = try await client.call(.post, "/v1/requests?draft=true", as: "citizen", body: #"{"jenis": "sanggah", "nomor_kk": "\#(kk)", "alasan": "mampu"}"#)
            #expect(draft.status == .created, "\(draft.body)")
            let id = try #require(draft.json["id"] as? Int)
            let attached = try await client.call(.post, "/v1/requests/\(id)/attachments", as: "citizen", body: #"{"sha256": "\#(digest)", "jenis": "foto_rumah"}"#)
            #expect(attached.status == .ok, "\(attached.body)")
            let contest = try await client.call(.post, "/v1/requests/\(id)/submit", as: "citizen")
            #expect(contest.json["status"] as? String == "diajukan", "\(contest.body)")

            // Nothing of the household: no id, no desa, no KK in clear, no names.
            let shown = try await client.call(.get, "/v1/requests/\(id)", as: "citizen")
            let list = try await client.call(.get, "/v1/requests", as: "citizen")
            for answer in [draft, attached, contest, shown, list] {
                #expect(answer.status == .ok || answer.status == .created)
                #expect(!answer.body.contains("rumah_tangga_id") && !answer.body.contains("kode_wilayah"), "\(answer.body)")
                #expect(!answer.body.contains(kk) && !answer.body.contains(target.wilayah.dotted), "\(answer.body)")
                #expect(!target.members.contains { answer.body.contains($0.name) }, "\(answer.body)")
            }
            #expect(list.json["total"] as? Int == 1)
            // No preview, no household, no change feed for a citizen.
            #expect(try await client.call(.get, "/v1/requests/\(id)?preview=true", as: "citizen").code == "workflow.role")
            #expect(try await client.call(.get, "/v1/households/\(target.id!)", as: "citizen").status == .forbidden)
            #expect(try await client.call(.get, "/v1/changes", as: "citizen").status == .forbidden)
            // Another citizen: the contest does not exist for it, nor its evidence.
            let other = try await client.call(.get, "/v1/requests/\(id)", as: "otherCitizen", headers: Self.fixedID)
            let missing = try await client.call(.get, "/v1/requests/987654", as: "otherCitizen", headers: Self.fixedID)
            #expect(Self.sameAnswer(other, "\(id)", missing, "987654"), "\(other.body)")
            #expect(try await client.call(.get, "/v1/requests", as: "otherCitizen").json["total"] as? Int == 0)
            let absentDigest = String(repeating: "0", count: 64)
            let foreign = try await client.call(.get, "/v1/evidence/\(digest)", as: "otherCitizen", headers: Self.fixedID)
            let never = try await client.call(.get, "/v1/evidence/\(absentDigest)", as: "otherCitizen", headers: Self.fixedID)
            #expect(foreign.status == .notFound)
            #expect(Self.sameAnswer(foreign, digest, never, absentDigest), "\(foreign.body)")
            // The citizen reads its own evidence back; the kabupaten sees the contest in desa B.
            #expect(try await client.call(.get, "/v1/evidence/\(digest)", as: "citizen").status == .ok)
            let kabupaten = try await client.call(.get, "/v1/requests?desa=\(fixture.desaB.dotted)&type=sanggah", as: "verifikator")
            #expect((kabupaten.json["requests"] as? [[String: Any]])?.first?["rumah_tangga_id"] as? Int == Int(target.id!.rawValue))
            // A citizen verifies nothing.
            #expect(try await client.call(.post, "/v1/requests/\(id)/verify", as: "citizen").code == "workflow.role")
        }
    }

    @Test func uploadsAreCheckedForTypeAndSize() async throws {
        let fixture = try Self.fixture(households: 30)
        try await fixture.store.write(actor: "test") { tx in try tx.evidence.setSizeLimit(2048) }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 7, count: 100)
        let pdf: [UInt8] = Array("%PDF-1.7\n".utf8) + [UInt8](repeating: 0x20, count: 100)
        try await fixture.test { client in
            for (bytes, type) in [(Self.jpeg(3), "image/jpeg"), (png, "image/png"), (pdf, "application/pdf; charset=binary")] {
                let answer = try await client.send(.post, "/v1/evidence", as: "desaA", bytes: bytes, contentType: type)
                #expect(answer.status == .created, "\(type): \(answer.body)")
            }
            // The declared type must be an evidence type and the bytes' own.
            for (bytes, type) in [(Self.jpeg(3), "text/plain"), (Self.jpeg(3), "image/png"), (png, "application/pdf")] {
                let answer = try await client.send(.post, "/v1/evidence", as: "desaA", bytes: bytes, contentType: type)
                #expect(answer.status == .unsupportedMediaType, "\(type): \(answer.body)")
                #expect(answer.code == "evidence.mediaType")
                #expect(answer.contentType == "application/problem+json")
            }
            let noType = try await client.send(.post, "/v1/evidence", as: "desaA", bytes: Self.jpeg(3), contentType: nil)
            #expect(noType.status == .unsupportedMediaType)
            let gif = try await client.send(.post, "/v1/evidence", as: "desaA", bytes: Array("GIF89a..".utf8), contentType: "image/jpeg")
            #expect(gif.code == "evidence.type")
            // The store's limit is the body limit.
            let large = try await client.send(.post, "/v1/evidence", as: "desaA", bytes: Self.jpeg(4, size: 2049), contentType: "image/jpeg")
            #expect(large.status == .contentTooLarge, "\(large.body)")
            #expect(large.code == "evidence.tooLarge")
            #expect(try await client.send(.post, "/v1/evidence", as: "desaA", bytes: Self.jpeg(4, size: 2048), contentType: "image/jpeg").status == .created)
            // Roles that propose nothing upload nothing.
            let viewer = try await client.send(.post, "/v1/evidence", as: "viewerA", bytes: Self.jpeg(5), contentType: "image/jpeg")
            #expect(viewer.status == .forbidden)
            #expect(viewer.code == "workflow.role")
            #expect(try await client.call(.get, "/v1/evidence/not-a-digest", as: "desaA").status == .badRequest)
        }
        // Refused uploads leave nothing behind; the accepted four are stored once each.
        let incoming = (fixture.store.evidence.directory as NSString).appendingPathComponent(".incoming")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []).isEmpty)
        // Stored as PREFIX/REST of the digest's hex: 2 + 62 characters.
        let stored = FileManager.default.enumerator(atPath: fixture.store.evidence.directory)?.allObjects.compactMap { $0 as? String }
            .filter { $0.count == 65 && !$0.hasPrefix(".") } ?? []
        #expect(stored.count == 4, "\(stored)")
    }

    @Test func listFiltersPageWithTheTotal() async throws {
        let fixture = try Self.fixture(households: 600)
        // The desa with the most households, and its operator.
        let (desa, inDesa) = try #require(Dictionary(grouping: fixture.households, by: \.wilayah).max { $0.value.count < $1.value.count })
        let households = Array(inDesa.prefix(7))
        try #require(households.count >= 5, "the fixture's busiest desa has \(households.count) households")
        fixture.secrets["busy"] = try await fixture.store.write(actor: "test") { tx in try tx.issueToken(actor: "desa:busy", role: .desaOperator, scope: AccessScope(desa)) }.secret
        try await fixture.test { client in
            var ids: [Int] = []
            for (index, household) in households.enumerated() {
                let answer = try await client.call(.post, "/v1/requests\(index < 2 ? "?draft=true" : "")", as: "busy", body: Self.keluar(household))
                ids.append(try #require(answer.json["id"] as? Int, "\(answer.body)"))
            }
            var seen: [Int] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "/v1/requests?desa=\(desa.dotted)&state=diajukan&limit=2" + (cursor.map { "&cursor=\($0)" } ?? ""), as: "verifikator")
                #expect(page.json["total"] as? Int == households.count - 2)
                seen += (page.json["requests"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == Array(ids.dropFirst(2)))
            let open = try await client.call(.get, "/v1/requests?desa=\(desa.dotted)&state=open", as: "verifikator")
            #expect(open.json["total"] as? Int == households.count)
            let drafts = try await client.call(.get, "/v1/requests?state=draft,ditolak&type=keluar", as: "verifikator")
            #expect((drafts.json["requests"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == Array(ids.prefix(2)))
            #expect(drafts.json["total"] as? Int == 2)
            let byHousehold = try await client.call(.get, "/v1/requests?household=\(households[3].id!)", as: "verifikator")
            #expect(byHousehold.json["total"] as? Int == 1)
            #expect(try await client.call(.get, "/v1/requests?period=2026-11", as: "verifikator").json["total"] as? Int == 0)
            for bad in ["state=dibuang", "type=x", "period=2026-13", "desa=99", "cursor=zz", "limit=0", "household=-1"] {
                let answer = try await client.call(.get, "/v1/requests?\(bad)", as: "verifikator")
                #expect(answer.status == .badRequest, "\(bad): \(answer.body)")
            }
            #expect(try await client.call(.get, "/v1/requests/abc", as: "verifikator").status == .badRequest)
            #expect(try await client.call(.post, "/v1/requests/batch/create", as: "kepala", body: "{}").status == .badRequest)
        }
    }
}

extension APIFixture.Client {
    /// Sends raw bytes with `contentType` (nil: no Content-Type header).
    func send(_ method: HTTPRequest.Method, _ uri: String, as token: String, bytes: [UInt8], contentType: String?, headers extra: HTTPFields = [:]) async throws -> Answer {
        var headers = extra
        headers[.authorization] = "Bearer \(fixture.secrets[token] ?? token)"
        if let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: bytes)) { response in
            Answer(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }
}
