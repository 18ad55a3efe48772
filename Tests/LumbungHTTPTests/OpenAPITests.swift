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

            // Every documented query parameter is one the route takes (none is refused as unknown).
            let documentedParameters = Dictionary(Self.queryParameters().map { ("\($0.0) \($0.1)", Set($0.2)) }) { $1 }
            #expect(documentedParameters["GET /v1/households"] == [
                "kk", "source_id", "wilayah", "status", "program", "desil_min", "desil_max", "dukcapil", "cursor", "limit",
                "anggota", "ukuran_keluarga", "jk_kepala", "umur_kepala", "pkh_komponen", "tanggal",
            ])
            #expect(documentedParameters["GET /v1/snapshots/{period}/households"] == documentedParameters["GET /v1/households"])
            #expect(documentedParameters["GET /v1/stats"] == ["wilayah", "pkh", "tanggal"])
            #expect(documentedParameters["GET /v1/snapshots/{period}/stats"] == documentedParameters["GET /v1/stats"])
            #expect(documentedParameters["GET /v1/requests"] == ["desa", "state", "type", "period", "household", "cursor", "limit"])
            for (method, template, parameters) in Self.queryParameters() where method == "GET" {
                let path = template
                    .replacingOccurrences(of: "{nik}", with: nik)
                    .replacingOccurrences(of: "{id}", with: String(fixture.households[5].id!.rawValue))
                    .replacingOccurrences(of: "{period}", with: "2026-10")
                for parameter in parameters {
                    let answer = try await client.call(.get, "\(path)?\(parameter)=1", as: "adminAll")
                    let rule = (answer.json["errors"] as? [[String: Any]])?.first?["rule"] as? String ?? ""
                    #expect(!rule.contains("unknown query parameter"), "\(method) \(template) documents \(parameter) but refuses it")
                }
                guard template != "/health" else { continue }  // liveness probes may add anything
                let unknown = try await client.call(.get, "\(path)?undocumented_parameter=1", as: "adminAll")
                #expect(unknown.status == .badRequest, "\(template) takes a parameter the document does not name")
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

    /// The document restates the core's coded names as enums for clients; each must be the
    /// core's list exactly, so a name added or renamed in its one home fails here until the
    /// document follows.
    @Test func codedEnumsAreTheCoresNames() throws {
        func enums(_ key: String) -> [[String]] {
            let pattern = key + #": \{type: string, enum: \[([^\]]*)\]"#
            let regex = try! NSRegularExpression(pattern: pattern)
            let text = OpenAPIDocument.yaml
            return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match in
                text[Range(match.range(at: 1), in: text)!].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            }
        }
        let expected: [(String, [String])] = [
            ("hubungan", Relation.allCases.map(\.name)),
            ("jenis_kelamin", Sex.allCases.map(\.letter)),
            ("name: by, in: query, schema", SnapshotDiff.Grouping.allCases.map(\.rawValue)),
            ("RequestState", RequestState.allCases.map(\.name)),
            ("RequestType", RequestType.allCases.map(\.name)),
            ("EvidenceKind", EvidenceKind.allCases.map(\.name)),
            ("RequestAction", RequestAction.allCases.map(\.name)),
            ("peran", AccessRole.allCases.map(\.rawValue)),
            // A batch takes every action but create and submit (one proposer's, one at a time).
            ("name: action, in: path, required: true, schema", RequestAction.allCases.filter { $0 != .create && $0 != .submit }.map(\.name)),
        ]
        for (key, names) in expected {
            let found = enums(key)
            #expect(!found.isEmpty, "no enum for \(key) in openapi.yaml")
            for list in found { #expect(list == names, "openapi.yaml's \(key) enum is not the core's list") }
        }
        // status_nik is a kind, after `invalid` the rule's code, after `missing` a placeholder's reason.
        let kinds = NIKStatus.Kind.allCases.map(\.rawValue)
        #expect(kinds == ["valid", "invalid", "missing"], "a new kind needs its place in the status_nik pattern")
        let reasons = NIKPlaceholder.allCases.map(\.name).joined(separator: "|")
        #expect(OpenAPIDocument.yaml.contains("status_nik: {type: string, pattern: '^(valid|invalid:[A-Za-z.]+|missing(:(\(reasons)))?)$'"),
                "openapi.yaml's status_nik pattern is not the core's kinds and reasons")
    }

    /// The query parameters the document names for each operation: inline `{name: X, in: query`
    /// entries and references to `components/parameters` that are query parameters.
    static func queryParameters() -> [(String, String, [String])] {
        let lines = OpenAPIDocument.yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Query parameters defined under components/parameters.
        var components: [String: String] = [:]
        var current: String?
        var inComponents = false
        for line in lines {
            if line == "  parameters:" { inComponents = true; continue }
            if inComponents {
                if line.hasPrefix("  ") && !line.hasPrefix("   ") { inComponents = false; continue }
                if line.hasPrefix("    ") && !line.hasPrefix("     ") && line.hasSuffix(":") { current = String(line.dropFirst(4).dropLast()) }
                if let current, line.trimmingCharacters(in: .whitespaces) == "in: query",
                    let nameLine = lines.first(where: { $0.hasPrefix("      name: ") && lines.firstIndex(of: $0)! > lines.firstIndex(of: "    \(current):")! }) {
                    components[current] = String(nameLine.dropFirst("      name: ".count))
                }
            }
        }
        var result: [(String, String, [String])] = []
        var path: String?
        var inPaths = false
        for line in lines {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:"; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   ") { path = String(line.dropFirst(2).dropLast()); continue }
            if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path {
                let key = String(line.dropFirst(4).dropLast())
                if ["get", "put", "post", "delete"].contains(key) { result.append((key.uppercased(), path, [])) }
                continue
            }
            guard !result.isEmpty, result[result.count - 1].1 == path else { continue }
            if let range = line.range(of: #"\{name: ([A-Za-z_]+), in: query"#, options: .regularExpression) {
                let name = line[range].dropFirst("{name: ".count).prefix { $0 != "," }
                result[result.count - 1].2.append(String(name))
            } else if let range = line.range(of: #"#/components/parameters/[A-Za-z]+"#, options: .regularExpression),
                let name = components[String(line[range].dropFirst("#/components/parameters/".count))] {
                result[result.count - 1].2.append(name)
            }
        }
        return result
    }
}
