import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Lumbung
@testable import LumbungHTTP
import Testing

/// Each of Lumbung's middleware runs once per request, whether the API is served by `router()`
/// or mounted with `addRoutes` in another application's router.
@Suite struct MiddlewareOnceTests {
    /// Counts, per request, how often the request id and the token were put into `access`.
    final class AccessWrites: @unchecked Sendable {
        private let lock = NSLock()
        private var counts = (requestID: 0, token: 0)

        func record(old: RequestAccess, new: RequestAccess) {
            lock.withLock {
                if (old.token == nil) != (new.token == nil) { counts.token += 1 } else { counts.requestID += 1 }
            }
        }

        var requestID: Int { lock.withLock { counts.requestID } }
        var token: Int { lock.withLock { counts.token } }
    }

    struct CountingContext: LumbungRequestContext {
        var coreContext: CoreRequestContextStorage
        let writes = AccessWrites()
        private var stored = RequestAccess()
        var access: RequestAccess {
            get { stored }
            set {
                writes.record(old: stored, new: newValue)
                stored = newValue
            }
        }
        init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
    }

    /// The outermost middleware: reports the counts in response headers.
    struct ReportWrites: RouterMiddleware {
        typealias Context = CountingContext
        static let requestIDWrites = HTTPField.Name("X-Test-Request-Id-Writes")!
        static let tokenWrites = HTTPField.Name("X-Test-Token-Writes")!

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var response: Response
            do {
                response = try await next(request, context)
            } catch let error as any HTTPResponseError {
                response = try error.response(from: request, context: context)
            }
            response.headers[Self.requestIDWrites] = String(context.writes.requestID)
            response.headers[Self.tokenWrites] = String(context.writes.token)
            return response
        }
    }

    /// (path, request-id writes, token writes) for requests under `prefix`.
    static func cases(_ fixture: APIFixture, prefix: String) -> [(String, Int, Int)] {
        let nik = fixture.households[0].members.compactMap { $0.nik.nik?.rawValueString }[0]
        return [
            ("\(prefix)/health", 1, 0),
            ("\(prefix)/v1/stats", 1, 1),
            ("\(prefix)/v1/persons/\(nik)", 1, 1),
            ("\(prefix)/v1/persons/3216014101900999", 1, 1),  // 404 from the route
            ("\(prefix)/v1/households?limit=0", 1, 1),  // 400 from the route
        ]
    }

    static func check(_ client: some TestClientProtocol, _ cases: [(String, Int, Int)], secret: String) async throws {
        for (path, requestIDWrites, tokenWrites) in cases {
            try await client.execute(uri: path, method: .get, headers: [.authorization: "Bearer \(secret)"]) { response in
                #expect(response.headers[ReportWrites.requestIDWrites] == String(requestIDWrites), "\(path): RequestIDMiddleware runs once")
                #expect(response.headers[ReportWrites.tokenWrites] == String(tokenWrites), "\(path): AuthenticationMiddleware runs once")
                #expect(response.headers[requestIDField]?.isEmpty == false, "\(path)")
            }
        }
        // A client's id comes back as sent, in the header and in a problem body.
        try await client.execute(uri: cases[3].0, method: .get, headers: [.authorization: "Bearer \(secret)", requestIDField: "trace-7"]) { response in
            #expect(response.status == .notFound)
            #expect(response.headers[requestIDField] == "trace-7")
            #expect(String(buffer: response.body).contains(#""request_id":"trace-7""#))
        }
    }

    @Test func onceWithTheAPIsRouter() async throws {
        let fixture = try APIFixture(households: 10)
        let router = Router(context: CountingContext.self)
        router.add(middleware: ReportWrites())
        LumbungAPI<CountingContext>(store: fixture.store).install(on: router, logLevel: .debug)
        try await Application(router: router).test(.router) { client in
            try await Self.check(client, Self.cases(fixture, prefix: ""), secret: fixture.secrets["adminAll"]!)
            // An unknown route is still a problem with an id, given once.
            try await client.execute(uri: "/nope", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[ReportWrites.requestIDWrites] == "1")
            }
        }
    }

    @Test func onceWhenMountedInAnotherRouter() async throws {
        let fixture = try APIFixture(households: 10)
        let router = Router(context: CountingContext.self)
        router.add(middleware: ReportWrites())
        LumbungAPI<CountingContext>(store: fixture.store).addRoutes(to: router.group("lumbung"))
        try await Application(router: router).test(.router) { client in
            try await Self.check(client, Self.cases(fixture, prefix: "/lumbung"), secret: fixture.secrets["adminAll"]!)
        }
    }
}
