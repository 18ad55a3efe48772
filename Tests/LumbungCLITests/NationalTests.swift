import Foundation
import Lumbung
import LumbungSynthetic
import Testing

/// The national roll-up through the real binary: many kabupaten from the generator, the DuckDB
/// query set over their snapshot packages, and `lumbung publish` into a real PostgreSQL 15.
@Suite(.serialized) struct NationalTests {
    static let period = "2026-11"
    /// The package root, for tools/national.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A store of one generated kabupaten with a snapshot of `period`.
    static func kabupatenStore(_ code: String, households: Int, in directory: TemporaryDirectory) throws -> String {
        let store = directory.sub("store-\(code)")
        let generate = try CLITests.run(["generate", "--kabupaten", code, "--households", String(households), "--seed", "3"], store: store, in: directory)
        try #require(generate.status == 0, "\(generate.stderr)")
        return store
    }

    static func snapshot(_ store: String, replacing: Bool = false, in directory: TemporaryDirectory) throws -> SnapshotManifest {
        let arguments = ["snapshot", "create", period] + (replacing ? ["--replace", "--reason", "test"] : [])
        let create = try CLITests.run(arguments, store: store, in: directory)
        try #require(create.status == 0, "\(create.stderr)")
        return try manifest(store)
    }

    static func manifest(_ store: String) throws -> SnapshotManifest {
        let path = "\(store)/snapshots/\(period)/manifest.json"
        return try SnapshotManifest.decode(try Data(contentsOf: URL(fileURLWithPath: path)), name: period)
    }

    // MARK: Generator

    @Test func generateOverAProvinceLoadsUniqueIdentitiesIntoOneStore() throws {
        let directory = TemporaryDirectory("lumbung-national")
        let store = directory.sub("jabar")
        // The store refuses a repeated NIK or Nomor KK, so a complete bulk load proves uniqueness.
        let result = try CLITests.run(["generate", "--wilayah", "32", "--households", "3000", "--seed", "4"], store: store, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("27 kabupaten/kota"), "\(result.stderr)")
        let manifest = try Self.snapshot(store, in: directory)
        #expect(manifest.households == 3000)
        let kabupaten = manifest.counts.filter { $0.level == "kabupaten" }
        #expect(kabupaten.count == 27)
        #expect(kabupaten.allSatisfy { $0.wilayah!.hasPrefix("32.") })
        // Kabupaten Bogor (32.01) is the most populous: it gets the largest share.
        #expect(kabupaten.max { $0.total.households < $1.total.households }?.wilayah == "32.01")
        // The same region, seed and count give the same bytes.
        let first = try CLITests.run(["generate", "--wilayah", "32", "--households", "500", "--out", "-", "--format", "csv"], in: directory)
        let second = try CLITests.run(["generate", "--wilayah", "32", "--households", "500", "--out", "-", "--format", "csv"], in: directory)
        #expect(first.status == 0 && first.stdout == second.stdout && !first.stdout.isEmpty)
        // A kecamatan is not a region to spread over; --kabupaten and --wilayah together are refused.
        #expect(try CLITests.run(["generate", "--wilayah", "32.16.01", "--households", "5"], store: directory.sub("x"), in: directory).status == 3)
        #expect(try CLITests.run(["generate", "--wilayah", "32", "--kabupaten", "32.16"], store: directory.sub("y"), in: directory).status == 2)
        // The limit is each kabupaten's, so a region's total is bounded by its most populous
        // kabupaten: the nation takes 95M, a kabupaten no more than its NIK scheme keeps unique.
        for (wilayah, limit) in [("32.16", SyntheticKabupaten.uniqueHouseholdLimit), ("ID", try SyntheticRegion.householdLimit(for: nil))] {
            let refused = try CLITests.run(["generate", "--wilayah", wilayah, "--households", String(limit + 1)], store: directory.sub("z"), in: directory)
            #expect(refused.status == 2 && refused.stderr.contains("at most \(limit)"), "\(refused.stderr)")
        }
        #expect(try SyntheticRegion.householdLimit(for: nil) > 95_000_000)
    }

    // MARK: DuckDB

    @Test func duckDBQuerySetAgreesWithTheManifestsAndFindsDataGanda() throws {
        let directory = TemporaryDirectory("lumbung-national")
        let stores = [
            try Self.kabupatenStore("32.16", households: 300, in: directory),
            try Self.kabupatenStore("32.73", households: 200, in: directory),
            try Self.kabupatenStore("11.01", households: 150, in: directory),
        ]
        // Plant data ganda: household 1 of Bekasi, moved into a Kota Bandung desa, also stored there.
        let export = try CLITests.run(["export", "--format", "jsonl", "--out", "-"], store: stores[0], in: directory)
        try #require(export.status == 0, "\(export.stderr)")
        var planted = try #require(try JSONSerialization.jsonObject(with: Data(export.lines[0].utf8)) as? [String: Any])
        let bandungLine = try CLITests.run(["export", "--format", "jsonl", "--out", "-"], store: stores[1], in: directory).lines[0]
        let bandung = try #require(try JSONSerialization.jsonObject(with: Data(bandungLine.utf8)) as? [String: Any])
        try #require(planted["kode_wilayah"] != nil && planted["id"] != nil)
        planted["kode_wilayah"] = bandung["kode_wilayah"]
        planted.removeValue(forKey: "id")
        planted["status"] = "usulan"  // a direct write inserts usulan; the status follows change requests
        planted.removeValue(forKey: "alasan_tidak_layak")
        let plantedNIKs = try #require(planted["anggota"] as? [[String: Any]]).compactMap { $0["nik"] as? String }.sorted()
        try #require(!plantedNIKs.isEmpty)
        let file = directory.sub("planted.json")
        try JSONSerialization.data(withJSONObject: planted).write(to: URL(fileURLWithPath: file))
        let put = try CLITests.run(["put", file], store: stores[1], in: directory)
        try #require(put.status == 0, "\(put.stderr)")

        var manifests: [SnapshotManifest] = []
        var packages: [String] = []
        for store in stores {
            manifests.append(try Self.snapshot(store, in: directory))
            let package = store + "-package"
            let result = try CLITests.run(["snapshot", "export", Self.period, "--out", package], store: store, in: directory)
            try #require(result.status == 0, "\(result.stderr)")
            packages.append(package)
        }

        // DuckDB is required: make test installs it (tools/setup.sh test). A missing module fails here (exit 1), not skips.
        let runner = Process()
        runner.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        runner.arguments = ["python3", "\(Self.root)/tools/national/national.py", "--json"] + packages
        let pipe = Pipe(), errors = Pipe()
        runner.standardOutput = pipe
        runner.standardError = errors
        try runner.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        runner.waitUntilExit()
        try #require(runner.terminationStatus == 0, "the DuckDB query set failed (pip install duckdb): \(errorText)")
        let results = try #require(try JSONSerialization.jsonObject(with: output) as? [String: [[String: Any]]])

        struct Pair: Equatable { var households = 0, members = 0 }
        /// A query's rows as key → (households, members).
        func table(_ name: String) throws -> [String: Pair] {
            let rows = try #require(results[name], "no \(name) in the output")
            var table: [String: Pair] = [:]
            for row in rows {
                let key = try #require(row["key"].map { "\($0)" })
                table[key] = Pair(households: (row["households"] as! NSNumber).intValue, members: (row["members"] as! NSNumber).intValue)
            }
            return table
        }
        /// The manifests' maps summed over the shards.
        func summed(_ pick: (SnapshotManifest) -> [String: SnapshotManifest.CountPair]) -> [String: Pair] {
            var total: [String: Pair] = [:]
            for manifest in manifests {
                for (key, pair) in pick(manifest) {
                    total[key, default: Pair()].households += pair.households
                    total[key, default: Pair()].members += pair.members
                }
            }
            return total
        }
        func regions(_ level: String) -> (SnapshotManifest) -> [String: SnapshotManifest.CountPair] {
            { manifest in Dictionary(uniqueKeysWithValues: manifest.counts.filter { $0.level == level }.map { ($0.wilayah!, $0.total) }) }
        }
        let whole = { (manifest: SnapshotManifest) in manifest.counts(wilayah: nil)! }

        let households = manifests.map(\.households).reduce(0, +), members = manifests.map(\.members).reduce(0, +)
        let national = try table("national")
        #expect(national == ["nasional": Pair(households: households, members: members)])
        #expect(households == 651)
        #expect(try table("by_provinsi") == summed(regions("provinsi")))
        #expect(try table("by_provinsi").keys.sorted() == ["11", "32"])
        #expect(try table("by_kabupaten") == summed(regions("kabupaten")))
        #expect(try table("by_status") == summed { whole($0).status })
        #expect(try table("by_program") == summed { whole($0).program })
        #expect(try table("by_desil") == summed { whole($0).desil })

        let ganda = try #require(results["data_ganda"])
        #expect(ganda.map { $0["nik"] as? String ?? "" } == plantedNIKs, "exactly the planted household's NIKs are in two kabupaten")
        #expect(ganda.allSatisfy { $0["kabupaten"] as? String == "32.16 32.73" })
    }

    // MARK: Bench

    @Test func getLatencyLooksUpEachNIKAndReportsPercentiles() throws {
        let directory = TemporaryDirectory("lumbung-national")
        let store = try Self.kabupatenStore("32.16", households: 50, in: directory)
        let exported = try CLITests.run(["export", "--out", "-", "--format", "csv"], store: store, in: directory)
        let rows = exported.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let column = try #require(rows.first?.firstIndex(of: "anggota.nik"))
        let niks = rows.dropFirst().compactMap { $0.count > column && $0[column].count == 16 ? String($0[column]) : nil }
        try #require(niks.count >= 100)
        // The generator writes a few NIKs that break a rule (kept flagged): they are counted, not looked up.
        let valid = niks.filter { (try? NIK($0)) != nil }
        // Each stored NIK once, and one NIK no member holds.
        let absent = "3216010101019999"
        #expect(!niks.contains(absent))
        let file = directory.sub("niks.txt")
        try (niks + [absent]).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try CLITests.run(["get", "--latency", file], store: store, in: directory)
        try #require(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("lookups \(valid.count + 1), found \(valid.count), p50 "), "\(result.stdout)")
        #expect(valid.count == niks.count || result.stdout.contains(", invalid \(niks.count - valid.count) (not looked up)"), "\(result.stdout)")
        let micros = result.stdout.split(separator: ",").dropFirst(2).prefix(4).map { Double($0.split(separator: " ")[1])! }
        #expect(micros.count == 4 && micros == micros.sorted() && micros[0] > 0, "p50 ≤ p90 ≤ p99 ≤ max: \(result.stdout)")
        // A NIK that breaks a rule is counted, as `match` does, and not looked up.
        try (niks.prefix(2) + ["3216999999999", "3216019999990001"]).joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let invalid = try CLITests.run(["get", "--latency", file], store: store, in: directory)
        #expect(invalid.status == 0 && invalid.stdout.hasPrefix("lookups 2, found 2, ") && invalid.stdout.contains(", invalid 2 (not looked up)"), "\(invalid.stdout) \(invalid.stderr)")
    }

    /// tools/bench-national.sh at a small N with the built binary: every step runs and is timed.
    @Test func benchNationalRunsEveryStepAtASmallN() throws {
        let directory = TemporaryDirectory("lumbung-national")
        let binary = try #require(lumbungBinary)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.root + "/tools/bench-national.sh"]
        process.environment = ProcessInfo.processInfo.environment.merging([
            "LUMBUNG_BIN": binary, "LUMBUNG_BENCH_HOUSEHOLDS": "2000", "LUMBUNG_BENCH_DIR": directory.sub("bench"),
            "LUMBUNG_BENCH_MATCH": "3000", "LUMBUNG_BENCH_LOOKUPS": "500",
            "LUMBUNG_BENCH_COLD": "0", // dropping the page cache would slow the whole machine
        ]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        let steps = try String(contentsOfFile: directory.sub("bench") + "/steps.tsv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        let labels = steps.map(\.[0])
        for label in ["bulk load", "check", "snapshot create 2026-10", "snapshot verify 2026-10", "snapshot create 2026-11",
                      "snapshot diff", "export", "match of 3000 NIKs", "NIK lookups, warm",
                      "CSV import of N into an empty store", "CSV import of N into the store holding N"] {
            #expect(labels.contains { $0.hasPrefix(label) }, "\(label) missing: \(text)")
        }
        // label, wall, CPU, peak RSS, peak anonymous memory (sampled, so a short step may show 0)
        #expect(steps.allSatisfy { $0.count == 5 && Double($0[1]) != nil && Double($0[3])! > 0 && Double($0[4]) != nil }, "a step failed: \(text)")
        #expect(text.contains("store size: "), "\(text)")
        #expect(text.contains("warm: lookups 500, found 500"), "\(text)")
        #expect(text.contains("4000 households read") || text.contains("2000 households read"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: directory.sub("bench") + "/store"), "big files are removed")
    }

    // MARK: PostgreSQL

    /// Households, members and the recorded digest of one (kabupaten, period) in PostgreSQL.
    static func published(_ cluster: PostgresCluster, _ kabupaten: String) throws -> (households: Int, members: Int, digest: String) {
        let households = try cluster.query("SELECT count(*) FROM lumbung_household WHERE kabupaten = '\(kabupaten)' AND period = '\(period)'")
        let members = try cluster.query("SELECT count(*) FROM lumbung_member WHERE kabupaten = '\(kabupaten)' AND period = '\(period)'")
        let digest = try cluster.query("SELECT content_digest FROM lumbung_publication WHERE kabupaten = '\(kabupaten)' AND period = '\(period)'")
        return (Int(households) ?? -1, Int(members) ?? -1, digest)
    }

    @Test func publishIntoPostgresAgreesWithTheManifestAndARerunReplaces() throws {
        let cluster = try PostgresCluster()
        let directory = TemporaryDirectory("lumbung-national")
        let bekasi = try Self.kabupatenStore("32.16", households: 400, in: directory)
        let aceh = try Self.kabupatenStore("11.01", households: 150, in: directory)
        let manifests = [try Self.snapshot(bekasi, in: directory), try Self.snapshot(aceh, in: directory)]
        for (store, manifest) in zip([bekasi, aceh], manifests) {
            let result = try CLITests.run(["publish", "--postgres", cluster.url, Self.period], store: store, in: directory)
            try #require(result.status == 0, "\(result.stderr)")
            let kabupaten = manifest.counts.first { $0.level == "kabupaten" }!.wilayah!
            #expect(result.stdout.contains("\(kabupaten)\t\(Self.period)\t\(manifest.households) households\t\(manifest.members) members"), "\(result.stdout)")
            let published = try Self.published(cluster, kabupaten)
            #expect(published.households == manifest.households && published.members == manifest.members)
            #expect(published.digest == manifest.contentDigest)
        }
        // National queries across the partitions agree with the manifests.
        let byStatus = try cluster.query("SELECT status || coalesce(':' || alasan_tidak_layak, ''), count(*) FROM lumbung_household WHERE period = '\(Self.period)' GROUP BY 1 ORDER BY 1")
        var expected: [String: Int] = [:]
        for manifest in manifests { for (key, pair) in manifest.counts(wilayah: nil)!.status { expected[key, default: 0] += pair.households } }
        #expect(byStatus == expected.keys.sorted().map { "\($0)|\(expected[$0]!)" }.joined(separator: "\n"))
        let pkh = try cluster.query("SELECT count(*) FROM lumbung_household WHERE 'PKH' = ANY(program)")
        #expect(Int(pkh) == manifests.reduce(0) { $0 + ($1.counts(wilayah: nil)!.program["PKH"]?.households ?? 0) })
        // A member row round-trips: the NIK, name and household of Bekasi's household 1.
        let get = try CLITests.run(["get", "--id", "1", "--json"], store: bekasi, in: directory)
        let household = try #require(try JSONSerialization.jsonObject(with: Data(get.stdout.utf8)) as? [String: Any])
        let head = try #require((household["anggota"] as? [[String: Any]])?.first)
        let row = try cluster.query("SELECT nik, nama FROM lumbung_member WHERE kabupaten = '32.16' AND household_id = 1 AND urutan = 0")
        #expect(row == "\(head["nik"] as! String)|\(head["nama"] as! String)")

        // A rerun is idempotent: the partition is replaced, not appended to.
        let rerun = try CLITests.run(["publish", "--postgres", cluster.url, Self.period], store: bekasi, in: directory)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try Self.published(cluster, "32.16").households == manifests[0].households)
        #expect(try cluster.query("SELECT count(*) FROM lumbung_publication") == "2")
        // A snapshot that does not exist, or a server that is not there, fails and changes nothing.
        #expect(try CLITests.run(["publish", "--postgres", cluster.url, "2026-01"], store: bekasi, in: directory).status == 4)
        let refused = try CLITests.run(["publish", "--postgres", "postgresql://nobody@/x?host=\(directory.path)&port=1", Self.period], store: bekasi, in: directory)
        #expect(refused.status == 1 && refused.stderr.contains("publish.postgres"), "\(refused.stderr)")
    }

    /// Text that COPY and JSON must escape, and text they must not touch.
    static let awkward = ["\t", "\n", "\r", "\\", "\\N", "\"", "'", "{", "}", ",", "NULL", "é", "日本", "\u{1}", "\u{1F}", "Jl. ", "a", "0"]

    /// `prefix` and one to six random pieces of ``awkward`` (only printable ones if `printable`).
    static func awkwardText(_ random: inout SplitMix64, prefix: String, printable: Bool = false) -> String {
        let pieces = printable ? awkward.filter { $0.unicodeScalars.allSatisfy { $0.value >= 0x20 } } : awkward
        return prefix + (0..<Int.random(in: 1...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    /// The columns of `table` from PostgreSQL as JSON objects, ordered.
    static func publishedRows(_ cluster: PostgresCluster, _ table: String, _ order: String) throws -> [[String: Any]] {
        let json = try cluster.query("SELECT coalesce(json_agg(t ORDER BY \(order)), '[]') FROM \(table) t WHERE period = '\(period)'")
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    }

    /// Property: every published household and member row holds what the store's JSON holds,
    /// for households rewritten with random text COPY and JSON must escape, source ids, desil
    /// versions and Dukcapil results; parents made by an older `lumbung` get the new columns.
    @Test func publishedRowsHoldTheStoresHouseholdsWhateverTheirText() throws {
        let cluster = try PostgresCluster()
        let directory = TemporaryDirectory("lumbung-national")
        // The parents as the first `publish` made them, before id_sumber, desil_versi and Dukcapil.
        try cluster.query("""
            CREATE TABLE lumbung_household (kabupaten text NOT NULL, period text NOT NULL, id bigint NOT NULL, nomor_kk text NOT NULL,
              kode_wilayah text NOT NULL, alamat text NOT NULL, rt integer, rw integer, status text NOT NULL, alasan_tidak_layak text,
              desil smallint, program text[] NOT NULL, diperbarui timestamptz, atribut jsonb NOT NULL,
              PRIMARY KEY (kabupaten, period, id)) PARTITION BY LIST (kabupaten);
            CREATE TABLE lumbung_member (kabupaten text NOT NULL, period text NOT NULL, household_id bigint NOT NULL, urutan smallint NOT NULL,
              nik text, status_nik text NOT NULL, nama text NOT NULL, jenis_kelamin text NOT NULL, tanggal_lahir date, hubungan text NOT NULL,
              keberadaan text NOT NULL, status_kawin text, pendidikan text, pekerjaan text, disabilitas text, atribut jsonb NOT NULL)
              PARTITION BY LIST (kabupaten);
            """)
        let store = try Self.kabupatenStore("32.16", households: 80, in: directory)
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = SplitMix64(seed: seed)
        let found = try CLITests.run(["find", "--json", "--limit", "1000"], store: store, in: directory)
        var rewritten: [String] = []
        for line in found.stdout.split(separator: "\n") {
            var household = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            household["alamat"] = Self.awkwardText(&random, prefix: "Jl. ")
            if Bool.random(using: &random) { household["id_sumber"] = Self.awkwardText(&random, prefix: "S\(household["id"]!)-", printable: true) }
            if household["desil"] is Int, Bool.random(using: &random) { household["desil_versi"] = "2026-01-\(Int.random(in: 10...28, using: &random))" }
            var attributes = household["atribut"] as? [String: Any] ?? [:]
            attributes["catatan"] = Self.awkwardText(&random, prefix: "")
            household["atribut"] = attributes
            var members = try #require(household["anggota"] as? [[String: Any]])
            for index in members.indices {
                members[index]["nama"] = Self.awkwardText(&random, prefix: "N").replacingOccurrences(of: "\n", with: " ")
                members[index]["atribut"] = ["ket": Self.awkwardText(&random, prefix: "")]
                switch Int.random(in: 0..<3, using: &random) {
                case 0: members[index]["status_dukcapil"] = "padan"
                case 1: members[index]["status_dukcapil"] = "tidak_padan"; members[index]["alasan_dukcapil"] = "NIK TIDAK DITEMUKAN"
                default: break
                }
            }
            household["anggota"] = members
            rewritten.append(String(decoding: try JSONSerialization.data(withJSONObject: household), as: UTF8.self))
        }
        try #require(rewritten.count == 80)
        let file = directory.sub("rewritten.jsonl")
        try rewritten.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let update = try CLITests.run(["import", file, "--match-by", "id", "--on-existing", "update"], store: store, in: directory)
        try #require(update.status == 0 && (update.stdout + update.stderr).contains("80 updated"), "seed \(seed): \(update.stdout) \(update.stderr)")
        _ = try Self.snapshot(store, in: directory)
        let publish = try CLITests.run(["publish", "--postgres", cluster.url, Self.period], store: store, in: directory)
        try #require(publish.status == 0, "seed \(seed): \(publish.stderr)")

        // The model: the store's own JSON of each household.
        let stored = try CLITests.run(["find", "--json", "--limit", "1000"], store: store, in: directory).stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }.sorted { ($0["id"] as! Int) < ($1["id"] as! Int) }
        let households = try Self.publishedRows(cluster, "lumbung_household", "id")
        let members = try Self.publishedRows(cluster, "lumbung_member", "household_id, urutan")
        try #require(households.count == stored.count && members.count == stored.reduce(0) { $0 + ($1["anggota"] as! [Any]).count })
        // Equal as JSON: absent and null alike, object keys in any order.
        func same(_ a: Any?, _ b: Any?) -> Bool {
            func json(_ value: Any?) -> Data? {
                try? JSONSerialization.data(withJSONObject: [value ?? NSNull()], options: .sortedKeys)
            }
            return json(a) == json(b)
        }
        var memberRow = 0
        for (model, row) in zip(stored, households) {
            let id = model["id"] as! Int
            #expect(row["id"] as? Int == id)
            for field in ["nomor_kk", "id_sumber", "kode_wilayah", "alamat", "rt", "rw", "status", "alasan_tidak_layak", "desil", "desil_versi", "atribut"] {
                #expect(same(row[field], model[field]), "seed \(seed), household \(id), \(field): \(row[field] ?? "nil") ≠ \(model[field] ?? "nil")")
            }
            #expect(same(row["program"], model["program"]), "seed \(seed), household \(id), program")
            for (urutan, member) in (model["anggota"] as! [[String: Any]]).enumerated() {
                let published = members[memberRow]
                memberRow += 1
                #expect(published["household_id"] as? Int == id && published["urutan"] as? Int == urutan)
                for field in ["nik", "status_nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan", "keberadaan", "status_kawin",
                              "pendidikan", "pekerjaan", "disabilitas", "alasan_dukcapil", "atribut"] {
                    #expect(same(published[field], member[field]), "seed \(seed), household \(id) member \(urutan), \(field): \(published[field] ?? "nil") ≠ \(member[field] ?? "nil")")
                }
                #expect(published["status_dukcapil"] as? String == (member["status_dukcapil"] as? String ?? "belum_dipadankan"))
            }
        }
        // Both values of each new column occur, so the comparison above covers them.
        #expect(try cluster.query("SELECT count(DISTINCT id_sumber IS NULL) + count(DISTINCT desil_versi IS NULL) FROM lumbung_household") == "4")
        #expect(try cluster.query("SELECT count(DISTINCT status_dukcapil) FROM lumbung_member") == "3")
    }

    @Test func aKilledPublishLeavesThePreviousPartition() throws {
        let cluster = try PostgresCluster()
        let directory = TemporaryDirectory("lumbung-national")
        let store = try Self.kabupatenStore("32.16", households: 20_000, in: directory)
        let before = try Self.snapshot(store, in: directory)
        let first = try CLITests.run(["publish", "--postgres", cluster.url, Self.period], store: store, in: directory)
        try #require(first.status == 0, "\(first.stderr)")

        // A new snapshot of the period, one household fewer.
        #expect(try CLITests.run(["delete", "--id", "7"], store: store, in: directory).status == 0)
        let after = try Self.snapshot(store, replacing: true, in: directory)
        #expect(after.households == before.households - 1 && after.contentDigest != before.contentDigest)

        // Start publishing it and SIGKILL the process while its COPY runs.
        let binary = try #require(lumbungBinary)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["publish", "--postgres", cluster.url, Self.period, "--store", store]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var killedDuringCopy = false
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline {
            let copying = try cluster.query("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY %_load%' AND state = 'active'")
            if copying != "0" {
                kill(process.processIdentifier, SIGKILL)
                killedDuringCopy = true
                break
            }
            usleep(5_000)
        }
        waitBounded(process, arguments: process.arguments ?? [])
        try #require(killedDuringCopy, "the publish ended before it could be killed mid-COPY")
        #expect(process.terminationReason == .uncaughtSignal)

        // The server rolls the dead session's transaction back: the previous partition stands.
        let deadlineGone = Date().addingTimeInterval(30)
        while try cluster.query("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY %'  AND pid <> pg_backend_pid()") != "0", Date() < deadlineGone {
            usleep(50_000)
        }
        let standing = try Self.published(cluster, "32.16")
        #expect(standing.households == before.households && standing.members == before.members)
        #expect(standing.digest == before.contentDigest)
        #expect(try cluster.query("SELECT count(*) FROM pg_tables WHERE tablename LIKE '%\\_load'") == "0", "no staging table is left")

        // A rerun succeeds and replaces it.
        let rerun = try CLITests.run(["publish", "--postgres", cluster.url, Self.period], store: store, in: directory)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let replaced = try Self.published(cluster, "32.16")
        #expect(replaced.households == after.households && replaced.members == after.members)
        #expect(replaced.digest == after.contentDigest)
        #expect(try cluster.query("SELECT count(*) FROM lumbung_household WHERE id = 7") == "0")
    }
}
