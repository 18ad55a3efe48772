import Foundation
import Testing
import Lumbung

/// The decree through the built binary: `decree import` (refusals, a killed import) and the
/// README's worked example from a proposal to the period's decree.
@Suite("CLI decree")
struct CLIDecreeTests {
    /// A 1×1 JFIF JPEG (what a phone's house photo is, in small).
    static let jpeg: [UInt8] = Array(Data(base64Encoded:
        "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=")!) + [0xFF, 0xD9]

    static func statuses(_ store: Store, _ households: [Household]) throws -> [HouseholdStatus] {
        try store.read { tx in try households.map { try tx.household(id: $0.id!)!.status } }
    }

    @Test func aDecreeImportSetsItsHouseholdsAndARefusalWritesNothing() throws {
        let directory = TemporaryDirectory("lumbung-decree-cli")
        let (store, listed, desa) = try CLIRequestTests.store(directory, count: 40)
        let path = directory.sub("store")
        let inDesa = listed.filter { $0.wilayah == desa }
        let elsewhere = listed.first { $0.wilayah != desa }!
        // Three proposals of the desa wait for the decree (an admin's register import sets them).
        try store.write { tx in
            for household in inDesa.prefix(3) { var h = household; h.status = .usulan; _ = try tx.put(h, nikPolicy: .keepFlagged) }
        }
        let csv = directory.sub("sk.csv")
        try ("nama,nomor_kk\n" + inDesa.prefix(2).map { "x,\($0.nomorKK.text)" }.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let admin = ["--as", "admin", "--actor", "kadis", "--scope", desa.dotted]
        let sk = ["--period", "2026-11", "--sk-number", "400.9/77/Dinsos", "--sk-date", "2026-11-20"]
        let done = try CLITests.run(["decree", "import", csv, "--complete", "--json"] + sk + admin, store: path, in: directory)
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains(#""nomor":"400.9/77/Dinsos""#), "\(done.stdout)")
        // Listed → ditetapkan; the desa's other ditetapkan → terverifikasi; the third proposal and other desa as they were.
        let after = try Self.statuses(store, inDesa)
        #expect(after.prefix(2).allSatisfy { $0 == .ditetapkan } && after[2] == .usulan)
        #expect(after.dropFirst(3).allSatisfy { $0 == .terverifikasi })
        #expect(try Self.statuses(store, [elsewhere]) == [.ditetapkan])
        let journal = try store.read { tx in try tx.changes(after: 0, limit: 100_000) }
        #expect(journal.contains { $0.action == .event && $0.actor == "kadis" && $0.note.contains("decree import: SK 400.9/77/Dinsos (2026-11-20) for 2026-11") })

        // Refusals: exit 3, decree.invalid naming line, field, value and rule; nothing written.
        let before = try store.read { tx in (try tx.changes(after: 0, limit: 100_000).count, try Self.statuses(store, listed)) }
        let cases: [(String, String, [String])] = [
            ("rumah_tangga_id\n\(inDesa[2].id!)\n999999\n", "line 3: rumah_tangga_id", ["999999", "no household"]),
            ("rumah_tangga_id\n\(inDesa[2].id!)\n\(elsewhere.id!)\n", "line 3: rumah_tangga_id", ["\(elsewhere.id!)", "scope \(desa.dotted)"]),
            ("nomor_kk\n\(inDesa[2].nomorKK.text)\n12345\n", "line 3: nomor_kk", ["***45", "16 digits"]),
            ("nik\n1\n", "sk-2.csv line 1", ["rumah_tangga_id or nomor_kk"]),
        ]
        for (text, field, words) in cases {
            let file = directory.sub("sk-2.csv")
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let refused = try CLITests.run(["decree", "import", file, "--period", "2026-11", "--sk-number", "SK-2", "--sk-date", "2026-11-21"] + admin,
                                           store: path, in: directory)
            #expect(refused.status == 3 && refused.stderr.contains("decree.invalid") && refused.stderr.contains(field), "\(refused.stderr)")
            for word in words { #expect(refused.stderr.contains(word), "\(word): \(refused.stderr)") }
            let now = try store.read { tx in (try tx.changes(after: 0, limit: 100_000).count, try Self.statuses(store, listed)) }
            #expect(now.0 == before.0 && now.1 == before.1, "\(text): nothing written")
        }
        // The same SK twice, a JSON list, and a non-admin.
        let again = try CLITests.run(["decree", "import", csv] + sk + admin, store: path, in: directory)
        #expect(again.status == 3 && again.stderr.contains("already imported"), "\(again.stderr)")
        let json = directory.sub("sk.json")
        try "[\(inDesa[2].id!)]".write(toFile: json, atomically: true, encoding: .utf8)
        let viaJSON = try CLITests.run(["decree", "import", json, "--period", "2026-11", "--sk-number", "SK-3", "--sk-date", "2026-11-22"] + admin, store: path, in: directory)
        #expect(viaJSON.status == 0 && viaJSON.stdout.contains("1 households set ditetapkan"), "\(viaJSON.stdout) \(viaJSON.stderr)")
        let notAdmin = try CLITests.run(["decree", "import", json, "--period", "2026-11", "--sk-number", "SK-4", "--sk-date", "2026-11-22", "--as", "kepala_opd", "--scope", "32.16"], store: path, in: directory)
        #expect(notAdmin.status == 3 && notAdmin.stderr.contains("workflow.role"), "\(notAdmin.stderr)")
        #expect(try store.check().isClean)
    }

    /// A decree import killed part-way (the whole kabupaten's SK, --complete over 3,000
    /// households): the store is as before, or as after, never between.
    @Test func aKilledDecreeImportLeavesTheStoreWhole() throws {
        _ = try #require(CLITests.binary, "build the lumbung product first (swift build)")
        for delay in [0.2, 0.8, 3.0] {
            let directory = TemporaryDirectory("lumbung-decree-kill")
            let (store, listed, _) = try CLIRequestTests.store(directory, count: 3_000)
            let csv = directory.sub("sk.csv")
            try "rumah_tangga_id\n\(listed[0].id!)\n".write(toFile: csv, atomically: true, encoding: .utf8)
            try CLITests.runKilled(["decree", "import", csv, "--complete", "--period", "2026-11", "--sk-number", "SK-1", "--sk-date", "2026-11-20",
                                    "--store", directory.sub("store")], after: delay)
            let statuses = try Self.statuses(store, Array(listed.dropFirst()))
            let imports = try store.read { tx in try tx.decreeImports(period: try Period(parsing: "2026-11")) }
            let allDone = statuses.allSatisfy { $0 == .terverifikasi }, noneDone = statuses.allSatisfy { $0 == .ditetapkan }
            #expect(allDone || noneDone, "killed at \(delay) s: \(Set(statuses))")
            #expect(imports.count == (allDone ? 1 : 0))
            #expect(try store.check().isClean)
        }
    }

    /// README's worked example, proposal to decree, through the binary: a desa operator's
    /// re-proposal with real JPEGs attached, verified, approved, previewed, applied in its
    /// period, and the period's snapshot manifest counting it; `check` finds nothing. The
    /// period is the one the approval falls in (the store's cut-off rule on the test's clock).
    @Test func theReadmesWorkedExampleRunsFromProposalToDecree() throws {
        let directory = TemporaryDirectory("lumbung-worked-example")
        let (store, listed, desa) = try CLIRequestTests.store(directory, count: 40)
        let path = directory.sub("store")
        let target = listed.first { $0.wilayah == desa }!
        try store.write { tx in var h = target; h.status = .tidakLayak(.tidakDitemukan); _ = try tx.put(h, nikPolicy: .keepFlagged) }
        func run(_ arguments: [String], input: String? = nil) throws -> CLITests.Result {
            let result = try CLITests.run(arguments, store: path, input: input, in: directory)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result
        }
        func status() throws -> HouseholdStatus { try Self.statuses(store, [target])[0] }
        let token = try run(["token", "create", "--actor", "desa:2001", "--role", "desa_operator", "--scope", desa.dotted]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let desaToken = ["--token", token]
        let proposal = #"{"jenis":"usul_ulang","rumah_tangga_id":\#(target.id!),"berita_acara":{"nomor":"BA-07/2026","tanggal":"2026-11-02"}}"#
        let draft = try run(["request", "submit", "--draft"] + desaToken, input: proposal)
        #expect(draft.stdout.contains("usul_ulang") && draft.stdout.contains("draft"), "\(draft.stdout)")
        for (name, kind, salt) in [("rumah.jpg", "foto_rumah", UInt8(1)), ("ktp.jpg", "ktp", 2)] {
            var bytes = Self.jpeg
            bytes.insert(contentsOf: [0xFF, 0xFE, 0x00, 0x03, salt], at: 2)  // a JPEG comment: two files, two digests
            try Data(bytes).write(to: URL(fileURLWithPath: directory.sub(name)))
            _ = try run(["request", "attach", "1", directory.sub(name), "--kind", kind] + desaToken)
        }
        _ = try run(["request", "submit", "--id", "1"] + desaToken)
        #expect(try status() == .usulan, "a submitted re-proposal shows on the household")
        _ = try run(["request", "verify", "--desa", desa.dotted, "--as", "verifikator", "--actor", "verif:ani"])
        #expect(try status() == .terverifikasi)
        let period = Period.containing(Date(), cutoff: try store.read { tx in try tx.cutoffDay() })
        _ = try run(["request", "approve", "--desa", desa.dotted, "--as", "kepala_opd", "--actor", "kadis"])
        let preview = try run(["request", "show", "1", "--preview"])
        #expect(preview.stdout.contains("status: terverifikasi → ditetapkan"), "\(preview.stdout)")
        let open = try run(["period", "status", "--json"])
        #expect(open.stdout.contains(desa.dotted) && open.stdout.contains(#""disetujui":1"#), "\(open.stdout)")
        _ = try run(["request", "apply", "--period", period.description, "--as", "kepala_opd", "--actor", "kadis"])
        #expect(try status() == .ditetapkan)
        let gc = try run(["gc", "--dry-run"])
        #expect(gc.stdout.contains("would remove: 0 attachment(s)") && gc.stdout.contains("kept: 2 referenced"), "the request's photos are kept: \(gc.stdout)")
        _ = try run(["snapshot", "create", period.description])
        let manifest = try store.snapshots.manifest(try SnapshotName(period.description))
        let decree = try #require(manifest.decree)
        #expect(decree.total == 1 && decree.jenis == ["usul_ulang": 1] && decree.status == ["diterapkan": 1] && decree.ditetapkan == 1, "\(decree)")
        #expect(decree.desa.map(\.wilayah) == [desa.dotted])
        let check = try run(["check"])
        #expect(check.stdout.contains("issues: 0"), "\(check.stdout)")
        #expect(try store.check().isClean)
    }
}
