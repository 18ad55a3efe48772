import Foundation
import Testing

/// Runs one of the console's browser scripts (`tools/console-browser-*.py`, sharing
/// `tools/console_browser.py`) against a live `lumbung serve --console` on a generated store,
/// signed in as an admin and as a desa operator. One script runs at a time (this actor), so two
/// Chromiums never share the two cores and the slow-link timings stay honest. The screenshots go
/// to `.build/test-output/console/`.
actor ConsoleBrowser {
    static let shared = ConsoleBrowser()

    static let package = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let screenshots = package.appendingPathComponent(".build/test-output/console").path

    /// Starts a server of `households`, makes a desa operator's token for the desa of a household
    /// with more than one member, runs `tools/<script>` with
    /// `URL ADMIN_TOKEN DESA_TOKEN DESA OUTPUT_DIR`, and expects it to pass and to have saved
    /// each of `screenshots`.
    ///
    /// `roles` asks for more tokens, each of that role over the desa's kabupaten (the Usulan
    /// page's `verifikator` and `kepala_opd`), given to the script as `CONSOLE_TOKENS`
    /// (`role=secret,…`). `prepare`, when given, runs after the desa's token is made and before
    /// the script, with the server and the desa (e.g. to take snapshots with the CLI).
    func run(
        script: String, households: Int = 80, roles: [String] = [], screenshots names: [String],
        prepare: (@Sendable (LiveServer, String) throws -> Void)? = nil
    ) throws {
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium is not installed: run tools/setup.sh test")
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"), "chromium-driver is not installed: run tools/setup.sh test")
        let server = try LiveServer(households: households, arguments: ["--console"])
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
        try prepare?(server, desa)

        var roleTokens: [String] = []
        for role in roles {
            let kabupaten = desa.split(separator: ".").prefix(2).joined(separator: ".")
            let made = try LiveServerTests.run(server.binary, ["token", "create", "--actor", "\(role):konsol", "--role", role, "--scope", kabupaten, "--store", server.store], in: server.directory)
            #expect(made.status == 0, "\(made.stderr)")
            roleTokens.append("\(role)=\(made.stdout.trimmingCharacters(in: .whitespacesAndNewlines))")
        }

        try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)
        let path = Self.package.appendingPathComponent("tools/\(script)").path
        let run = try LiveServerTests.run(
            "/usr/bin/env", ["python3", path, server.url, server.secret, desaToken, desa, Self.screenshots],
            environment: ["CONSOLE_TOKENS": roleTokens.joined(separator: ",")], in: server.directory, seconds: 300)
        #expect(run.status == 0, "\(script) failed:\n\(run.stdout)\n\(run.stderr.suffix(3000))")
        #expect(run.stdout.contains("all passed"), "\(run.stdout)")
        for name in names {
            #expect(FileManager.default.fileExists(atPath: "\(Self.screenshots)/\(name).png"), "screenshot \(name)")
        }
        #expect(!server.log.contains("request failed"), "\(server.log.suffix(2000))")
    }
}
