import Foundation
import Hummingbird
import HummingbirdTesting
import LumbungHTTP
import Testing

/// `/console/` (`lumbung serve --console`): off by default; on, the embedded files with
/// `Content-Security-Policy: default-src 'self'` on every answer, every file the page loads
/// present, nothing loaded from another origin, and the whole set within the first-load budget.
@Suite struct ConsoleRouteTests {
    static let policy = "default-src 'self'"
    /// The issue's first-load budget, compressed; the files are held to it uncompressed.
    static let firstLoadBudget = 150 * 1024

    static func fixture(console: Bool) throws -> APIFixture {
        var configuration = LumbungAPI<LumbungBasicRequestContext>.Configuration()
        configuration.console = console
        return try APIFixture(households: 5, configuration: configuration)
    }

    @Test func theConsoleIsOffByDefault() async throws {
        let fixture = try APIFixture(households: 5)
        try await fixture.application.test(.router) { client in
            for uri in ["/console/", "/console", "/console/app.css"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(response.headers[.contentSecurityPolicy] == nil)
                }
            }
        }
    }

    @Test func everyFileThePageLoadsIsServedWithThePolicy() async throws {
        let fixture = try Self.fixture(console: true)
        try await fixture.application.test(.router) { client in
            try await client.execute(uri: "/console", method: .get) { response in
                #expect(response.status == .movedPermanently)
                #expect(response.headers[.location] == "/console/")
                #expect(response.headers[.contentSecurityPolicy] == Self.policy)
            }
            // Walk from index.html through its stylesheet, scripts and module imports.
            var pending = ["index.html"]
            var seen: [String: Int] = [:]
            while let path = pending.popLast() {
                guard seen[path] == nil else { continue }
                let uri = path == "index.html" ? "/console/" : "/console/\(path)"
                let text = try await client.execute(uri: uri, method: .get) { response -> String in
                    #expect(response.status == .ok, "\(uri)")
                    #expect(response.headers[.contentSecurityPolicy] == Self.policy, "\(uri)")
                    let expected = path.hasSuffix(".js") ? "text/javascript" : path.hasSuffix(".css") ? "text/css" : path.hasSuffix(".svg") ? "image/svg+xml" : "text/html"
                    #expect(response.headers[.contentType]?.hasPrefix(expected) == true, "\(uri): \(response.headers[.contentType] ?? "")")
                    return String(buffer: response.body)
                }
                seen[path] = text.utf8.count
                // An SVG's namespace is a name, not a request.
                let requests = text.replacingOccurrences(of: #"xmlns="http://www.w3.org/2000/svg""#, with: "")
                #expect(!requests.contains("http://") && !requests.contains("https://"), "\(path) names no other origin")
                #expect(!text.contains("<script>") && !text.contains("style="), "\(path): no inline script or style")
                let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) + "/" : ""
                for match in text.matches(of: /(?:src|href)="([^"#:]+)"|from "\.\/([^"]+)"/) {
                    if let reference = match.1 { pending.append(String(reference)) }
                    if let module = match.2 { pending.append(directory + String(module)) }
                }
            }
            #expect(seen.keys.contains("js/app.js") && seen.keys.contains("app.css") && seen.keys.contains("js/cari.js") && seen.keys.contains("js/wilayah.js") && seen.keys.contains("favicon.svg"), "\(seen.keys.sorted())")
            let total = seen.values.reduce(0, +)
            #expect(total <= Self.firstLoadBudget, "the first load is \(total) bytes uncompressed")
        }
    }

    @Test func anUnknownFileIsAProblemWithThePolicy() async throws {
        let fixture = try Self.fixture(console: true)
        try await fixture.application.test(.router) { client in
            try await client.execute(uri: "/console/js/nope.js", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.headers[.contentSecurityPolicy] == Self.policy)
                #expect(String(buffer: response.body).contains("the console has no such file"))
            }
            // The API beside it is untouched: still behind its token.
            try await client.execute(uri: "/v1/stats", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.contentSecurityPolicy] == nil)
            }
        }
    }
}
