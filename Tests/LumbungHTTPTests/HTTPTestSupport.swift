import Foundation
@_exported import LumbungTestSupport
import Hummingbird
import Logging
import HummingbirdTesting
import Lumbung
import LumbungHTTP
import LumbungSynthetic
import Metrics
import Prometheus
import NIOCore
import Testing


/// A store of synthetic households in Kabupaten Bekasi and tokens for two desa in different
/// kecamatan (A and B), their kabupaten and the whole store.
final class APIFixture: @unchecked Sendable {
    let directory = TemporaryDirectory("lumbung-http-test")
    let store: Store
    let households: [Household]
    /// Desa A and desa B: the first household's desa, and a desa of another kecamatan.
    let desaA: KodeWilayah
    let desaB: KodeWilayah
    var inA: [Household] { households.filter { desaA.contains($0.wilayah) } }
    var inB: [Household] { households.filter { desaB.contains($0.wilayah) } }

    /// Secrets by name: viewerA, operatorA, operatorB, adminKabupaten, adminAll, revoked.
    var secrets: [String: String] = [:]

    /// Where the API under test runs point look-ups.
    let readExecution: StoreGateway.ReadExecution

    init(households count: Int = 300, configuration: LumbungAPI<LumbungBasicRequestContext>.Configuration = .init(), readExecution: StoreGateway.ReadExecution = .inline) throws {
        self.readExecution = readExecution
        var configuration = configuration
        configuration.metricsRegistry = TestMetrics.registry
        store = try Store(path: directory.sub("store"))
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 7)
        try store.write(actor: "fixture") { tx in
            for household in generator.households(count: count) { try tx.put(household) }
        }
        households = try store.read { tx in
            var all: [Household] = []
            try tx.forEachHousehold { all.append($0) }
            return all
        }
        let first = households[0].wilayah
        desaA = first
        desaB = households.first { $0.wilayah.packed / 10_000 != first.packed / 10_000 }!.wilayah
        self.configuration = configuration
        func issue(_ name: String, _ role: AccessRole, _ scope: AccessScope) throws {
            secrets[name] = try store.write { tx in try tx.issueToken(actor: name, role: role, scope: scope) }.secret
        }
        try issue("viewerA", .viewer, AccessScope(desaA))
        try issue("operatorA", .operator, AccessScope(desaA))
        try issue("operatorB", .operator, AccessScope(desaB))
        try issue("adminKabupaten", .admin, AccessScope(try KodeWilayah("32.16")))
        try issue("adminAll", .admin, .everything)
        try issue("revoked", .admin, .everything)
        let revokedID = String(secrets["revoked"]!.dropFirst(4).prefix(12))
        try store.write { tx in try tx.revokeToken(id: revokedID) }
    }

    let configuration: LumbungAPI<LumbungBasicRequestContext>.Configuration

    var application: some ApplicationProtocol {
        let api = LumbungAPI<LumbungBasicRequestContext>(gateway: StoreGateway(store: store, readExecution: readExecution), configuration: configuration)
        return Application(router: api.router(logLevel: .debug))
    }

    /// The application as `lumbung serve` runs it: with the persons fast path in each
    /// connection's pipeline (when look-ups run inline).
    var applicationWithFastPath: some ApplicationProtocol {
        let api = LumbungAPI<LumbungBasicRequestContext>(gateway: StoreGateway(store: store, readExecution: readExecution), configuration: configuration)
        var logger = Logger(label: "lumbung.test")
        logger.logLevel = .warning
        let fastPath = api.personLookupFastPath(logger: logger, serverName: "lumbung")
        return Application(
            router: api.router(logLevel: .debug),
            server: .http1(configuration: .init(additionalChannelHandlers: fastPath.handlers())),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "lumbung"),
            logger: logger)
    }

    /// Runs `body` against the router in process.
    func test<R>(_ body: @escaping @Sendable (Client) async throws -> R) async throws -> R {
        try await application.test(.router) { client in try await body(Client(client: client, fixture: self)) }
    }

    struct Client: Sendable {
        let client: any TestClientProtocol
        let fixture: APIFixture

        struct Answer {
            let status: HTTPResponse.Status
            let headers: HTTPFields
            let body: String
            var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
            /// The problem's stable code.
            var code: String? { json["code"] as? String }
            var contentType: String? { headers[.contentType] }
        }

        /// Calls the API as the token named `as` (nil: no Authorization header).
        func call(_ method: HTTPRequest.Method, _ uri: String, as token: String? = "adminAll", body: String? = nil, headers extra: HTTPFields = [:]) async throws -> Answer {
            var headers = extra
            if let token { headers[.authorization] = "Bearer \(fixture.secrets[token] ?? token)" }
            if body != nil { headers[.contentType] = "application/json" }
            return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
                Answer(status: response.status, headers: response.headers, body: String(buffer: response.body))
            }
        }
    }
}

extension Household {
    var json: String { HouseholdJSON.string(self) }
}

/// swift-metrics is bootstrapped once per process.
enum TestMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory.lumbung(registry: registry))
        return registry
    }()
}
