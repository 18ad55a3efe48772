import Testing

/// Konsol Lumbung in a real browser: `tools/console-browser-test.py` drives Debian's headless
/// Chromium with Selenium (`tools/setup.sh test` installs both) against a live
/// `lumbung serve --console` (``ConsoleBrowser``): sign-in, the Cari and Wilayah pages, scope,
/// origin, first-load and slow-link checks (see the script).
@Suite struct ConsoleBrowserTests {
    @Test func theConsoleWorksInABrowser() async throws {
        try await ConsoleBrowser.shared.run(
            script: "console-browser-test.py",
            screenshots: ["sign-in", "cari", "cari-nik", "cari-kk", "cari-phone", "cari-desa-not-found", "wilayah", "wilayah-desa", "wilayah-desa-token"])
    }
}
