import Testing

/// Konsol Lumbung's Usulan page in a real browser: `tools/console-browser-usulan.py` against a
/// live `lumbung serve --console` (``ConsoleBrowser``), with a desa operator, a verifikator and a
/// kepala OPD: a proposal with a house photo and a KTP from draft to an applied household on the
/// Cari card, a rejection with a note, a desa's batch, scope, the cut-off and the origin (see the
/// script).
@Suite struct ConsoleUsulanBrowserTests {
    @Test func theUsulanPageWorksInABrowser() async throws {
        try await ConsoleBrowser.shared.run(
            script: "console-browser-usulan.py", roles: ["verifikator", "kepala_opd"],
            screenshots: ["usulan-desa", "usulan-form", "usulan-verifikator", "usulan-evidence", "usulan-kepala", "usulan-applied-card", "usulan-phone"])
    }
}
