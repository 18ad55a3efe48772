import Foundation
import Testing

/// schemathesis (PyPI; `tools/setup.sh` installs it) against the real `lumbung serve` and the
/// `/openapi.yaml` it serves: every check, a bounded number of examples, a fixed seed. The
/// server must answer no 5xx and nothing the document does not allow, and must refuse what the
/// document forbids. `tools/schemathesis.toml` holds the run's settings and the few
/// exceptions, each with its reason.
@Suite struct SchemathesisTests {
    /// The `schemathesis` executable: on the PATH, else where pip puts python3's scripts.
    static var executable: String? {
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        if let scripts = try? LiveServerTests.run(
            "/usr/bin/env", ["python3", "-c", "import sysconfig; print(sysconfig.get_path('scripts'))"],
            in: TemporaryDirectory("lumbung-python"), seconds: 30).stdout.trimmingCharacters(in: .whitespacesAndNewlines) {
            directories.append(scripts)
        }
        return directories.map { "\($0)/schemathesis" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `tools/schemathesis.toml` in the package.
    static let configuration = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/schemathesis.toml").path

    /// Whether schemathesis's output shows runtime errors, all of them the CPython crash, and no
    /// failure.
    static func onlyToolCrashes(in output: String) -> Bool {
        output.contains("AST constructor recursion depth mismatch") && !output.contains("Failures:")
            && output.components(separatedBy: "Runtime Error\n").count - 1 == output.components(separatedBy: "SystemError: AST constructor recursion depth mismatch").count - 1
    }

    @Test func theServerKeepsToItsOpenAPIDocument() async throws {
        let schemathesis = try #require(Self.executable, "schemathesis is not installed: run tools/setup.sh")
        let server = try LiveServer(households: 120)
        // A snapshot, so the snapshot routes answer with data as well as 404s.
        let snapshot = try LiveServerTests.run(server.binary, ["snapshot", "create", "2026-01", "--store", server.store], in: server.directory)
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        let junit = server.directory.sub("schemathesis.xml")
        func runSchemathesis() throws -> LiveServerTests.Output {
            try LiveServerTests.run(schemathesis, [
                "--config-file", Self.configuration, "--no-color",
                "run", "\(server.url)/openapi.yaml", "--url", server.url,
                "--header", "Authorization: Bearer \(server.secret)",
                "--checks", "all",
                "--report", "junit", "--report-junit-path", junit,
            ], in: server.directory, seconds: 300)
        }
        var run = try runSchemathesis()
        // Python 3.11's parser may crash inside Hypothesis while it describes a strategy
        // (`SystemError: AST constructor recursion depth mismatch`, seen with 3.11.7): a fault of
        // the tool, reported as an error of an operation, never as a failure of the server. Only
        // that is run again, once.
        if run.status != 0, Self.onlyToolCrashes(in: run.stdout) {
            run = try runSchemathesis()
        }
        let summary = run.stdout.split(separator: "\n").suffix(80).joined(separator: "\n")
        #expect(run.status == 0, "schemathesis failed:\n\(summary)\n\(run.stderr.suffix(2000))")
        let report = (try? String(contentsOfFile: junit, encoding: .utf8)) ?? ""
        #expect(report.contains("<testsuite"), "the JUnit report was written")
        #expect(!report.contains("<failure") && !report.contains("<error"), "\(report.prefix(4000))")
        #expect(!server.log.contains("request failed"), "no request failed on the server: \(server.log.suffix(2000))")
    }

    /// A snapshot's manifest, for the whole store and for a desa token (which sees no store-wide
    /// digests), checked by Python's `jsonschema` (schemathesis's own dependency) against the
    /// `SnapshotManifest` schema of the `/openapi.yaml` the server serves.
    @Test func aManifestKeepsToItsSchemaForTheWholeStoreAndForADesa() async throws {
        let server = try LiveServer(households: 60)
        defer { server.stop() }
        let snapshot = try LiveServerTests.run(server.binary, ["snapshot", "create", "2026-01", "--store", server.store], in: server.directory)
        #expect(snapshot.status == 0, "\(snapshot.stderr)")
        let (status, page) = try LiveServerTests.curl("\(server.url)/v1/households?limit=1", token: server.secret, in: server.directory)
        #expect(status == 200)
        let desa = try #require(page.firstMatch(of: /"kode_wilayah":"([0-9.]+)"/)?.1)
        let created = try LiveServerTests.run(server.binary, ["token", "create", "--actor", "desa:1", "--role", "desa_operator", "--scope", String(desa), "--store", server.store], in: server.directory)
        let desaToken = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.status == 0 && desaToken.hasPrefix("lmb_"), "\(created.stderr)")

        let document = server.directory.sub("openapi.yaml")
        let (documentStatus, yaml) = try LiveServerTests.curl("\(server.url)/openapi.yaml", token: server.secret, in: server.directory)
        #expect(documentStatus == 200)
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: document))
        var manifests: [String] = []
        for token in [server.secret, desaToken] {
            let (code, body) = try LiveServerTests.curl("\(server.url)/v1/snapshots/2026-01/manifest", token: token, in: server.directory)
            #expect(code == 200, "\(body)")
            let path = server.directory.sub("manifest-\(manifests.count).json")
            try Data(body.utf8).write(to: URL(fileURLWithPath: path))
            manifests.append(path)
        }
        let script = """
            import json, sys, yaml, jsonschema
            document = yaml.safe_load(open(sys.argv[1]))
            schema = dict(document, **{"$ref": "#/components/schemas/SnapshotManifest"})
            validator = jsonschema.Draft202012Validator(schema)
            for path in sys.argv[2:]:
                manifest = json.load(open(path))
                for error in validator.iter_errors(manifest):
                    print(path, "/".join(map(str, error.absolute_path)), error.message)
                print(path, "keys", ",".join(sorted(manifest)))
            """
        let checked = try LiveServerTests.run("/usr/bin/env", ["python3", "-c", script, document] + manifests, in: server.directory)
        #expect(checked.status == 0, "\(checked.stderr)")
        let lines = checked.stdout.split(separator: "\n")
        #expect(lines.count == 2, "no schema errors: \(checked.stdout)")
        #expect(lines[0].hasSuffix("keys content_digest,counts,created_at,decree,files,format,households,journal_sequence,members,period,schema_version"), "\(lines)")
        #expect(lines.count < 2 || lines[1].hasSuffix("keys counts,created_at,decree,format,households,members,period,schema_version"), "a desa sees no store-wide digest: \(lines)")
    }
}
