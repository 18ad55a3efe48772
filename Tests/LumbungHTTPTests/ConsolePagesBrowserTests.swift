import Foundation
import Testing

/// Konsol Lumbung's Snapshot, Audit and Pemadanan pages and the Wilayah page's PKH counts and
/// export in a real browser: `tools/console-browser-pages.py` through ``ConsoleBrowser``, on a
/// store with two snapshots and households deleted and added between them (see the script).
@Suite struct ConsolePagesBrowserTests {
    /// The actor of the deletions between the snapshots; the script filters the audit feed by it.
    static let actor = "konsol:prepare"

    @Test func theSnapshotAuditPemadananAndWilayahPagesWorkInABrowser() async throws {
        try await ConsoleBrowser.shared.run(
            // 300 households: the desa token's desa then holds three, one of them deleted between the snapshots.
            script: "console-browser-pages.py", households: 300,
            screenshots: ["snapshot", "snapshot-diff", "audit", "audit-filtered", "pemadanan", "pemadanan-results", "wilayah-pkh",
                          "snapshot-desa", "snapshot-diff-desa", "audit-desa", "audit-filtered-desa", "pemadanan-desa", "pemadanan-results-desa",
                          "wilayah-pkh-desa"],
            prepare: Self.twoSnapshots)
    }

    /// Snapshot 2026-10; then the last household of `desa` (when it holds two or more) and two of
    /// another kecamatan deleted, six households of another kabupaten added; snapshot 2026-11.
    @Sendable static func twoSnapshots(_ server: LiveServer, desa: String) throws {
        func lumbung(_ arguments: [String]) throws {
            let run = try LiveServerTests.run(server.binary, arguments + ["--store", server.store], in: server.directory)
            #expect(run.status == 0, "lumbung \(arguments.joined(separator: " ")): \(run.stderr)")
        }
        try lumbung(["snapshot", "create", "2026-10"])
        let (status, body) = try LiveServerTests.curl("\(server.url)/v1/households?limit=1000", token: server.secret, in: server.directory)
        #expect(status == 200)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let households = try #require(page["households"] as? [[String: Any]])
        let wilayah = { (household: [String: Any]) in household["kode_wilayah"] as? String ?? "" }
        let inDesa = households.filter { wilayah($0) == desa }
        let elsewhere = households.filter { !wilayah($0).hasPrefix(String(desa.prefix(8))) }
        let deleted = (inDesa.count > 1 ? [inDesa.last!] : []) + elsewhere.prefix(2)
        for household in deleted {
            try lumbung(["delete", "--id", String(household["id"] as? Int ?? 0), "--actor", actor])
        }
        try lumbung(["generate", "--households", "6", "--kabupaten", "32.04"])
        try lumbung(["snapshot", "create", "2026-11"])
    }
}
