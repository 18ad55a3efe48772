import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Lumbung
@testable import LumbungHTTP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The persons fast path answers exactly as the router does, and leaves every other case, and
/// every request behind one still with the router, to the router.
@Suite struct FastPathTests {
    @Test func answersLikeTheRouter() async throws {
        let fixture = try APIFixture(households: 40)
        let household = fixture.inA[0]
        let niks = household.members.compactMap { $0.nik.nik?.rawValueString }
        let outside = fixture.inB[0].members.compactMap { $0.nik.nik?.rawValueString }[0]
        var cases: [(String, String?, HTTPFields)] = niks.map { nik -> (String, String?, HTTPFields) in ("/v1/persons/\(nik)", "viewerA", [:]) }
        cases += [
            ("/v1/persons/\(niks[0])", "adminAll", [:]),
            ("/v1/persons/\(outside)", "viewerA", [:]),  // out of scope: 404
            ("/v1/persons/3216014101900999", "adminAll", [:]),  // no such member: 404
            ("/v1/persons/12345", "adminAll", [:]),  // not a NIK: 400
            ("/v1/persons/\(niks[0])", nil, [:]),  // no token: 401
            ("/v1/persons/\(niks[0])", "revoked", [:]),  // revoked: 401
            ("/v1/persons/\(niks[0])", "not-a-token", [:]),  // unknown: 401
            ("/v1/persons/\(niks[0])?x=1", "adminAll", [:]),  // a query: 400
            ("/v1/persons/\(niks[0])", "adminAll", [.connection: "close"]),
        ]
        let requests = cases
        let expected = try await fixture.test { client in
            var answers: [(HTTPResponse.Status, String?, String)] = []
            for (uri, token, headers) in requests {
                let answer = try await client.call(.get, uri, as: token, headers: headers)
                answers.append((answer.status, answer.contentType, answer.body))
            }
            return answers
        }
        try await fixture.applicationWithFastPath.test(.live) { client in
            let live = APIFixture.Client(client: client, fixture: fixture)
            let fastBefore = try await Self.count("lumbung_http_fast_path_answers", live)
            for ((uri, token, headers), (status, contentType, body)) in zip(requests, expected) {
                let answer = try await live.call(.get, uri, as: token, headers: headers)
                #expect(answer.status == status, "\(uri) as \(token ?? "nobody")")
                #expect(answer.contentType == contentType, "\(uri)")
                #expect(Self.withoutRequestID(answer.body) == Self.withoutRequestID(body), "\(uri) as \(token ?? "nobody")")
                #expect(answer.headers[.server] == "lumbung")
                #expect(answer.headers[.date] != nil)
                #expect(answer.headers[HTTPField.Name("X-Request-Id")!]?.isEmpty == false)
            }
            // The fast path answered (at least) the successful ones, one per NIK and the admin's.
            #expect(try await Self.count("lumbung_http_fast_path_answers", live) >= fastBefore + Double(niks.count + 1))
            let echoed = try await live.call(.get, "/v1/persons/\(niks[0])", headers: [HTTPField.Name("X-Request-Id")!: "trace-42"])
            #expect(echoed.headers[HTTPField.Name("X-Request-Id")!] == "trace-42")
            #expect(echoed.headers[.contentLength] == String(echoed.body.utf8.count))
        }
    }

    /// An app that mounts the API under a path gets the fast path too, named by the mounted
    /// route in metrics, and nothing answers at the root.
    @Test func answersWhereTheAPIIsMounted() async throws {
        let fixture = try APIFixture(households: 20)
        let nik = fixture.households[0].members.compactMap { $0.nik.nik?.rawValueString }[0]
        let api = LumbungAPI<LumbungBasicRequestContext>(gateway: StoreGateway(store: fixture.store), configuration: fixture.configuration)
        let router = Router(context: LumbungBasicRequestContext.self)
        api.addRoutes(to: router.group("api/lumbung"))
        var logger = Logger(label: "lumbung.test")
        logger.logLevel = .warning
        let fastPath = api.personLookupFastPath(logger: logger, mountedAt: "/api/lumbung/")
        // The fast path itself takes the mounted path and leaves the root one (other tests count
        // fast-path answers in the same registry at the same time, so ask it directly too).
        let answerer = try #require(fastPath.answerer)
        func request(_ path: String) -> HTTPRequest {
            HTTPRequest(method: .get, scheme: "http", authority: "x", path: path, headerFields: [.authorization: "Bearer \(fixture.secrets["adminAll"]!)"])
        }
        #expect(answerer.answer(request("/api/lumbung/v1/persons/\(nik)")) != nil)
        #expect(answerer.answer(request("/v1/persons/\(nik)")) == nil)
        #expect(answerer.route == "/api/lumbung/v1/persons/{nik}")
        let app = Application(
            router: router, server: .http1(configuration: .init(additionalChannelHandlers: fastPath.handlers())),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await app.test(.live) { client in
            let live = APIFixture.Client(client: client, fixture: fixture)
            func count(_ series: String) async throws -> Double {
                let text = try await live.call(.get, "/api/lumbung/metrics").body
                let line = text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
                return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
            }
            let route = #"hb_requests{http_route="/api/lumbung/v1/persons/{nik}",http_request_method="GET",http_response_status_code="200"}"#
            let fast = "lumbung_http_fast_path_answers"
            let (routeBefore, fastBefore) = (try await count(route), try await count(fast))
            for _ in 0..<3 {
                let answer = try await live.call(.get, "/api/lumbung/v1/persons/\(nik)")
                #expect(answer.status == .ok)
                #expect(answer.body.contains(#""nik":"\#(nik)""#))
            }
            #expect(try await count(route) >= routeBefore + 3)
            #expect(try await count(fast) >= fastBefore + 3, "the fast path answered them")
            #expect(try await live.call(.get, "/v1/persons/\(nik)").status == .notFound)
        }
    }

    /// The value of one series in `/metrics` (0 when absent).
    static func count(_ series: String, _ client: APIFixture.Client) async throws -> Double {
        let text = try await client.call(.get, "/metrics").body
        let line = text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    /// A problem body without its `request_id`, which differs between any two requests.
    static func withoutRequestID(_ body: String) -> String {
        body.replacingOccurrences(of: #","request_id":"[0-9a-zA-Z._-]*""#, with: "", options: .regularExpression)
    }

    /// Other tests run beside this one and also ask for persons, so the count grows by at
    /// least the five asked here.
    @Test func countsInTheRoutesMetrics() async throws {
        let fixture = try APIFixture(households: 20)
        let nik = fixture.households[0].members.compactMap { $0.nik.nik?.rawValueString }[0]
        try await fixture.applicationWithFastPath.test(.live) { client in
            let live = APIFixture.Client(client: client, fixture: fixture)
            func count(_ series: String) async throws -> Double { try await Self.count(series, live) }
            let route = #"hb_requests{http_route="/v1/persons/{nik}",http_request_method="GET",http_response_status_code="200"}"#
            let fast = "lumbung_http_fast_path_answers"
            let (routeBefore, fastBefore) = (try await count(route), try await count(fast))
            for _ in 0..<5 { #expect(try await live.call(.get, "/v1/persons/\(nik)").status == .ok) }
            #expect(try await count(route) >= routeBefore + 5)
            #expect(try await count(fast) >= fastBefore + 5, "the fast path answered them")

        }
    }

    /// Two requests sent at once on one connection (HTTP pipelining): a stats request the router
    /// answers, then a persons request. The persons answer must come second, so the fast path
    /// leaves it to the router while the first is still there.
    @Test func pipelinedAnswersKeepTheirOrder() async throws {
        let fixture = try APIFixture(households: 60)
        let nik = fixture.households[0].members.compactMap { $0.nik.nik?.rawValueString }[0]
        let secret = fixture.secrets["adminAll"]!
        try await fixture.applicationWithFastPath.test(.live) { client in
            let port = try #require(client.port)
            let request = "GET /v1/stats HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(secret)\r\n\r\n"
                + "GET /v1/persons/\(nik) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(secret)\r\n\r\n"
                + "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            let reply = try await RawConnection.exchange(port: port, request)
            let stats = try #require(reply.range(of: "\"households\""))
            let person = try #require(reply.range(of: "\"anggota\""))
            let health = try #require(reply.range(of: "\"status\":\"ok\""))
            #expect(stats.lowerBound < person.lowerBound && person.lowerBound < health.lowerBound, "\(reply.prefix(300))")
            #expect(reply.components(separatedBy: "HTTP/1.1 200 OK").count == 4)
        }
    }
}
