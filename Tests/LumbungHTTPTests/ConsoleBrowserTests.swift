import Foundation
import Testing

/// Konsol Lumbung in a real browser: `tools/console-browser-test.py` drives Debian's headless
/// Chromium with Selenium (`tools/setup.sh test` installs both) against a live
/// `lumbung serve --console` on a generated store, signed in as an admin and as a desa operator:
/// the Cari and Wilayah pages, scope, origin, first-load and slow-link checks (see the script).
/// The screenshots go to `.build/test-output/console/`.
@Suite struct ConsoleBrowserTests {
    static let package = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = package.appendingPathComponent("tools/console-browser-test.py").path
    static let screenshots = package.appendingPathComponent(".build/test-output/console").path

    @Test func theConsoleWorksInABrowser() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium is not installed: run tools/setup.sh test")
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "chromium-driver is not installed: run tools/setup.sh test")
        let server = try LiveServer(households: 80, arguments: ["--console"])
        defer { server.stop() }
        let (status, body) = try LiveServerTests.curl("\(server.url)/v1/households?limit=200", token: server.secret, in: server.directory)
        #expect(status == 200)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let households = try #require(page["households"] as? [[String: Any]])
        // The desa of a household with more than one member (so a NIK look-up finds a non-head).
        let chosen = try #require(households.first { ($0["anggota"] as? [Any])?.count ?? 0 > 1 })
        let desa = try #require(chosen["kode_wilayah"] as? String)
        let created = try LiveServerTests.run(server.binary, ["token", "create", "--actor", "desa:konsol", "--role", "desa_operator", "--scope", desa, "--store", server.store], in: server.directory)
        let desaToken = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.status == 0 && desaToken.hasPrefix("lmb_"), "\(created.stderr)")

        try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)
        let run = try LiveServerTests.run(
            "/usr/bin/env", ["python3", Self.script, server.url, server.secret, desaToken, desa, Self.screenshots],
            in: server.directory, seconds: 300)
        #expect(run.status == 0, "the browser checks failed:\n\(run.stdout)\n\(run.stderr.suffix(3000))")
        #expect(run.stdout.contains("all passed"), "\(run.stdout)")
        for name in ["sign-in", "cari", "cari-nik", "cari-kk", "cari-phone", "cari-desa-not-found", "wilayah", "wilayah-desa", "wilayah-desa-token"] {
            #expect(FileManager.default.fileExists(atPath: "\(Self.screenshots)/\(name).png"), "screenshot \(name)")
        }
        #expect(!server.log.contains("request failed"), "\(server.log.suffix(2000))")
    }
}
