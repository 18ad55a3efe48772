import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import LumbungSynthetic
import Testing

/// Malformed bodies, wrong types, huge numbers and strings, deep nesting, broken UTF-8 and path
/// tricks: every answer is a 4xx problem, never a 5xx, and the server and store stay whole.
@Suite struct FuzzTests {
    /// Mutations of a valid household body, drawn from a seeded generator.
    static func mutations(of valid: String, count: Int, seed: UInt64) -> [[UInt8]] {
        var random = SplitMix64(seed: seed)
        let bytes = Array(valid.utf8)
        let replacements: [String] = [
            "null", "true", "[]", "{}", "-0", "1e400", "-1e400", "99999999999999999999999999999", "1.5",
            "\"\"", "\"\\u0000\"", "\"\\ud800\"", "\"" + String(repeating: "9", count: 5000) + "\"",
            "[" + String(repeating: "[", count: 5000), String(repeating: "{\"a\":", count: 3000) + "1",
            "\"../../etc/passwd\"", "\"32.16.01.2001\"", "\"3216019999990000\"", "NaN", "Infinity", "0x10",
        ]
        var out: [[UInt8]] = []
        for index in 0..<count {
            var body = bytes
            switch index % 8 {
            case 0: // truncated
                body = Array(body.prefix(Int.random(in: 0..<body.count, using: &random)))
            case 1: // random bytes, some invalid UTF-8
                body = (0..<Int.random(in: 1...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 2, 3: // a value swapped for something of another type or size
                let colons = body.indices.filter { body[$0] == UInt8(ascii: ":") }
                if let colon = colons.randomElement(using: &random) {
                    var end = colon + 1
                    var depth = 0, inString = false
                    while end < body.count {
                        let byte = body[end]
                        if inString { if byte == UInt8(ascii: "\"") && body[end - 1] != UInt8(ascii: "\\") { inString = false } }
                        else if byte == UInt8(ascii: "\"") { inString = true }
                        else if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { depth += 1 }
                        else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") { if depth == 0 { break }; depth -= 1 }
                        else if byte == UInt8(ascii: ","), depth == 0 { break }
                        end += 1
                    }
                    body.replaceSubrange((colon + 1)..<end, with: Array(replacements.randomElement(using: &random)!.utf8))
                }
            case 4: // deep nesting
                let depth = Int.random(in: 10...20_000, using: &random)
                body = Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
            case 5: // a byte flipped
                let at = Int.random(in: 0..<body.count, using: &random)
                body[at] = UInt8.random(in: 0...255, using: &random)
            case 6: // a duplicate key, or an unknown one
                body.insert(contentsOf: Array(#""nomor_kk":"1","zzz":[1,{"b":null}],"#.utf8), at: 1)
            default: // a huge string field
                body = Array(#"{"alamat":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: Int.random(in: 1...40_000, using: &random)) + Array(#""}"#.utf8)
            }
            out.append(body)
        }
        return out
    }

    @Test func malformedBodiesNeverGive5xx() async throws {
        let fixture = try APIFixture(households: 40, configuration: {
            var configuration = LumbungAPI<LumbungBasicRequestContext>.Configuration()
            configuration.bodyLimit = 32 * 1024
            return configuration
        }())
        let target = fixture.inA.first!
        let valid = fixture.households[7].json
        let nik = target.members.compactMap(\.nik.nik).first!.rawValueString
        let before = try await fixture.store.read { tx in try tx.lastSequence() }
        let bodies = Self.mutations(of: valid, count: 400, seed: 20261123)
        let dciBodies = Self.mutations(of: DCITests.idTypeValueRequest(type: "NIK", value: nik), count: 160, seed: 77)
        try await fixture.test { client in
            var statuses: [Int: Int] = [:]
            for (index, body) in bodies.enumerated() {
                let routes: [(HTTPRequest.Method, String)] = [
                    (.post, "/v1/households"), (.put, "/v1/households/\(target.id!)"),
                    (.post, "/v1/households/\(target.id!)/members/\(nik)/move"),
                ]
                let (method, uri) = routes[index % routes.count]
                let answer = try await client.callBytes(method, uri, as: "operatorA", body: body)
                statuses[answer.status.code, default: 0] += 1
                #expect(answer.status.code < 500, "\(method) \(uri) with \(String(decoding: body.prefix(200), as: UTF8.self)): \(answer.body)")
                if answer.status.code >= 400 {
                    #expect(answer.contentType == "application/problem+json", "\(answer.body)")
                }
            }
            for body in dciBodies {
                let answer = try await client.callBytes(.post, "/registry/sync/search", as: "viewerA", body: body)
                #expect(answer.status.code < 500, "DCI with \(String(decoding: body.prefix(200), as: UTF8.self)): \(answer.body)")
            }
            // Path and query tricks.
            let paths = [
                "/v1/households/%2e%2e%2f%2e%2e", "/v1/persons/..%2F..%2Fetc%2Fpasswd", "/v1/persons/" + String(repeating: "9", count: 5000),
                "/v1/households?wilayah=" + String(repeating: "3", count: 3000), "/v1/households?limit=-99999999999999999999",
                "/v1/households?cursor=" + String(repeating: "A", count: 600), "/v1/households?cursor=%00%ff", "/v1/stats?wilayah=%00",
                "/v1/snapshots/..%2F..%2F/manifest", "/v1/snapshots/2026-10%00/stats", "/v1/changes?since=99999999999999999999999",
                "/v1/households/1/members/%2e%2e/move", "/v1/households/1?%zz=1",
            ]
            for path in paths {
                let answer = try await client.call(.get, path, as: "adminAll")
                #expect(answer.status.code < 500 && answer.status.code >= 400, "\(path): \(answer.status) \(answer.body.prefix(300))")
            }
            #expect(try await client.call(.get, "/health", as: nil).status == .ok)
            #expect(statuses.keys.allSatisfy { $0 < 500 }, "\(statuses)")
        }
        // Only valid writes may have landed; the store is consistent either way.
        let report = try fixture.store.check()
        #expect(report.isClean, "\(report.issues)")
        let after = try await fixture.store.read { tx in try tx.changes(after: before, limit: 100_000) }
        #expect(after.allSatisfy { $0.actor.hasPrefix("operatorA request=") })
    }
}

extension APIFixture.Client {
    /// Calls the API with raw body bytes.
    func callBytes(_ method: HTTPRequest.Method, _ uri: String, as token: String?, body: [UInt8]) async throws -> Answer {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(fixture.secrets[token] ?? token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: body)) { response in
            Answer(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }
}
