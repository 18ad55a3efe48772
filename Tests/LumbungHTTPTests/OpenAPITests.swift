import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import Testing

/// The OpenAPI document and the server agree: every route documented, every documented
/// operation answering, and the document served is the one in the repository.
@Suite struct OpenAPITests {
    @Test func documentAndRouterAgree() async throws {
        let fixture = try APIFixture(households: 30)
        _ = try fixture.store.snapshots.create(period: try SnapshotName("2026-10"))
        var configuration = LumbungAPI<LumbungBasicRequestContext>.Configuration()
        configuration.metricsRegistry = TestMetrics.registry
        let router = LumbungAPI<LumbungBasicRequestContext>(store: fixture.store, configuration: configuration).router()
        let routed = Set(router.routes.map { "\($0.method) \($0.path)" })
        let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
        #expect(!documented.isEmpty)
        #expect(routed.subtracting(documented).isEmpty, "routes not in openapi.yaml: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")

        let household = fixture.households[4]
        let nik = household.members.compactMap(\.nik.nik).first!.text
        try await fixture.test { client in
            for (method, template) in OpenAPIDocument.operations {
                let path = template
                    .replacingOccurrences(of: "{nik}", with: nik)
                    .replacingOccurrences(of: "{id}", with: String(household.id!.rawValue))
                    .replacingOccurrences(of: "{period}", with: "2026-10")
                let answer = try await client.call(HTTPRequest.Method(method)!, path, as: "adminAll", body: method == "GET" || method == "DELETE" ? nil : "{}")
                #expect(answer.status.code < 500, "\(method) \(path): \(answer.status)")
                #expect(answer.code != "request.notFound" && answer.status != .methodNotAllowed, "\(method) \(path) is documented but does not answer: \(answer.body.prefix(200))")
            }

            let served = try await client.call(.get, "/openapi.yaml", as: "viewerA")
            #expect(served.status == .ok)
            #expect(served.contentType?.hasPrefix("application/yaml") == true)
            let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Sources/LumbungHTTP/OpenAPI/openapi.yaml")
            let inRepository = try String(contentsOf: file, encoding: .utf8)
            #expect(served.body.trimmingCharacters(in: .newlines) == inRepository.trimmingCharacters(in: .newlines))
            #expect(served.body.hasPrefix("openapi: 3.1"))
            #expect(try await client.call(.get, "/openapi.yaml", as: nil).status == .unauthorized)
        }
    }
}
