import Foundation
import Hummingbird
import HummingbirdTesting
import Lumbung
import LumbungHTTP
import Testing

/// Lumbung's routes mounted in another application, with that application's own context and
/// routes, as Examples/EmbeddedServer does.
@Suite struct MountTests {
    struct AppContext: LumbungRequestContext {
        var coreContext: CoreRequestContextStorage
        var access = RequestAccess()
        init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
    }

    @Test func mountedUnderAPrefix() async throws {
        let fixture = try APIFixture(households: 10)
        let router = Router(context: AppContext.self)
        router.get("/") { _, _ in "front-end" }
        LumbungAPI<AppContext>(store: fixture.store).addRoutes(to: router.group("lumbung"))
        let app = Application(router: router)
        let secret = fixture.secrets["adminAll"]!
        let household = fixture.households[2]
        try await app.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { #expect(String(buffer: $0.body) == "front-end") }
            try await client.execute(uri: "/lumbung/health", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/lumbung/v1/stats", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/lumbung/v1/households/\(household.id!)", method: .get, headers: [.authorization: "Bearer \(secret)"]) { (response) throws in
                #expect(response.status == .ok)
                #expect(try HouseholdJSON.decode(Array(String(buffer: response.body).utf8)) == household)
            }
            try await client.execute(uri: "/lumbung/registry/sync/search", method: .post, headers: [.authorization: "Bearer \(secret)"],
                                     body: ByteBuffer(string: DCITests.idTypeValueRequest(type: "KK", value: household.nomorKK.text))) { response in
                #expect(String(buffer: response.body).contains(#""status":"succ""#))
            }
        }
    }
}
