import Foundation
import Testing
@testable import Lumbung

/// Runs a system tool (sha256sum, zstd, mdb_stat) in `directory`; returns (status, stdout).
func tool(_ name: String, _ arguments: [String], in directory: String) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite("lumbung snapshot", .serialized)
struct SnapshotCLITests {
    typealias CLI = CLITests

    @Test func createListVerifyAndATamperedFileFails() throws {
        let (directory, store) = try CLI.generatedStore()
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 0)
        let list = try CLI.run(["snapshot", "list", "--json"], store: store, in: directory)
        // The shape GET /v1/snapshots answers a whole-store token, then the incomplete ones.
        let body = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let listed = try #require(body["snapshots"] as? [[String: Any]])
        #expect(listed.count == 1 && listed[0]["period"] as? String == "2026-10" && listed[0]["households"] as? Int == 300)
        #expect((listed[0]["content_digest"] as? String)?.hasPrefix("sha256:") == true && listed[0]["journal_sequence"] is Int)
        #expect((body["incomplete"] as? [Any])?.isEmpty == true)
        let show = try CLI.run(["snapshot", "show", "2026-10", "--json"], store: store, in: directory)
        #expect(show.status == 0 && show.stdout.contains("\"content_digest\""))
        #expect(try CLI.run(["snapshot", "verify", "2026-10"], store: store, in: directory).status == 0)
        // Refused: an existing period, a bad period, --replace without a reason.
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 3)
        #expect(try CLI.run(["snapshot", "create", "../../etc"], store: store, in: directory).status == 3)
        #expect(try CLI.run(["snapshot", "create", "2026-10", "--replace"], store: store, in: directory).status == 2)
        #expect(try CLI.run(["snapshot", "verify", "2026-09"], store: store, in: directory).status == 4)
        let replaced = try CLI.run(["snapshot", "create", "2026-10", "--replace", "--reason", "koreksi"], store: store, in: directory)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        let data = store + "/snapshots/2026-10/data.mdb"
        try flipByte(data, at: 5000)
        let verify = try CLI.run(["snapshot", "verify", "2026-10"], store: store, in: directory)
        #expect(verify.status == 5)
        #expect(verify.stdout.contains("SHA-256"))
        #expect(try CLI.run(["snapshot", "export", "2026-10", "--out", directory.sub("pkg")], store: store, in: directory).status == 5)
    }

    /// `snapshot create` killed with SIGKILL once its copy has begun (and a little later): no
    /// snapshot looks complete, the store is as it was, and the leftover is pruned; or, when the
    /// process was faster than the kill, the snapshot is whole and verifies.
    @Test func aKilledCreateLeavesNoSnapshotAndTheStoreAsItWas() throws {
        let directory = TemporaryDirectory("lumbung-snapkill")
        let store = directory.sub("store")
        let generated = try CLI.run(["generate", "--households", "20000"], store: store, in: directory)
        #expect(generated.status == 0, "\(generated.stderr)")
        func fingerprint() throws -> SnapshotContent { try Store(path: store).read { tx in try tx.snapshotContent() } }
        let before = try fingerprint()
        let area = store + "/snapshots"
        for (round, delay) in [0.0, 0.25].enumerated() {
            let period = "2026-0\(round + 1)"
            let process = try CLI.start(["snapshot", "create", period, "--store", store])
            // Wait until the copy has begun: a temporary directory with some of data.mdb.
            let deadline = Date().addingTimeInterval(60)
            func copying() -> Bool {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: area)) ?? []
                return entries.contains { entry in
                    entry.hasPrefix(".tmp-\(period)")
                        && ((try? FileManager.default.attributesOfItem(atPath: "\(area)/\(entry)/data.mdb"))?[.size] as? Int ?? 0) > 0
                }
            }
            while process.isRunning && !copying() && Date() < deadline { usleep(500) }
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            let killed = process.isRunning
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let listing = try Snapshots(storePath: store).list()
            if killed && process.terminationReason == .uncaughtSignal {
                #expect(!listing.contains { $0.directoryName == period }, "round \(round): a killed create left a snapshot")
                #expect(listing.contains { $0.directoryName.hasPrefix(".tmp-\(period)") && $0.manifest == nil })
            } else {
                #expect(try Snapshots(storePath: store).verify(try SnapshotName(period)).isValid, "round \(round)")
            }
            #expect(try fingerprint() == before, "round \(round): the store changed")
        }
        #expect(try Store(path: store).check().isClean)
        // The killed processes are gone: prune removes their leftovers, and a new snapshot is whole.
        _ = try Snapshots(storePath: store).prune(keep: 5)
        #expect(try !Snapshots(storePath: store).list().contains { $0.directoryName.hasPrefix(".tmp-") })
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 0)
        #expect(try CLI.run(["snapshot", "verify", "2026-10"], store: store, in: directory).status == 0)
    }

    @Test func exportPackageVerifiesWithSha256sumAndDecompressesWithZstd() throws {
        let (directory, store) = try CLI.generatedStore()
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 0)
        let package = directory.sub("kirim")
        let result = try CLI.run(["snapshot", "export", "2026-10", "--out", package], store: store, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: package).sorted()
        #expect(files == ["SHA256SUMS", "dtks-2026-10.csv.zst", "dtks-2026-10.jsonl.zst", "manifest.json"])
        #expect(try tool("sha256sum", ["-c", "SHA256SUMS"], in: package).0 == 0)
        let (jsonStatus, jsonl) = try tool("zstd", ["-d", "-c", "dtks-2026-10.jsonl.zst"], in: package)
        #expect(jsonStatus == 0 && jsonl.split(separator: "\n").count == 300)
        let (csvStatus, csv) = try tool("zstd", ["-d", "-c", "dtks-2026-10.csv.zst"], in: package)
        let manifest = try Snapshots(storePath: store).manifest(try SnapshotName("2026-10"))
        #expect(csvStatus == 0 && csv.split(separator: "\n").count == manifest.members + 1)
        // A changed file fails the check.
        try flipByte(package + "/dtks-2026-10.csv.zst", at: 100)
        #expect(try tool("sha256sum", ["-c", "SHA256SUMS"], in: package).0 != 0)
    }

    @Test func mdbStatReadsASnapshotFile() throws {
        let (directory, store) = try CLI.generatedStore()
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 0)
        let (status, text) = try tool("mdb_stat", ["-n", "-a", "snapshots/2026-10/data.mdb"], in: store)
        #expect(status == 0)
        #expect(text.contains("Status of households") && text.contains("Entries: 300"))
    }

    @Test func getFindStatsAndExportReadASnapshot() throws {
        let (directory, store) = try CLI.generatedStore()
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 0)
        #expect(try CLI.run(["delete", "--id", "5"], store: store, in: directory).status == 0)
        #expect(try CLI.run(["get", "--id", "5"], store: store, in: directory).status == 4)
        let get = try CLI.run(["get", "--id", "5", "--json", "--snapshot", "2026-10"], store: store, in: directory)
        #expect(get.status == 0 && get.stdout.contains("\"id\""))
        let find = try CLI.run(["find", "--json", "--limit", "10000", "--snapshot", "2026-10"], store: store, in: directory)
        #expect(find.lines.count == 300)
        #expect(try CLI.run(["find", "--json", "--limit", "10000"], store: store, in: directory).lines.count == 299)
        let stats = try CLI.run(["stats", "--json", "--snapshot", "2026-10"], store: store, in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect((object["total"] as? [String: Any])?["households"] as? Int == 300)
        let file = try #require(object["file"] as? [String: Any])
        #expect((file["bytes"] as? Int ?? 0) > 0 && file["free_pages"] != nil && file["map_headroom"] != nil)
        let out = directory.sub("oktober.jsonl")
        #expect(try CLI.run(["export", "--snapshot", "2026-10", "--out", out], store: store, in: directory).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 300)
        #expect(try CLI.run(["get", "--id", "5", "--snapshot", "2026-13"], store: store, in: directory).status == 3)
    }

    @Test func diffRestoreCompactAndPruneFromTheCommandLine() throws {
        let (directory, store) = try CLI.generatedStore()
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 0)
        for id in ["3", "4", "9"] { #expect(try CLI.run(["delete", "--id", id], store: store, in: directory).status == 0) }
        let diff = try CLI.run(["snapshot", "diff", "2026-10", "live", "--format", "json"], store: store, in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any])
        #expect(object["removed"] as? Int == 3 && object["added"] as? Int == 0 && object["changed"] as? Int == 0)
        let csv = try CLI.run(["snapshot", "diff", "2026-10", "live", "--format", "csv", "--changes"], store: store, in: directory)
        #expect(Set(csv.lines.dropFirst().map { $0.split(separator: ",")[0] }) == ["3", "4", "9"])
        let table = try CLI.run(["snapshot", "diff", "2026-10", "live", "--by", "kecamatan"], store: store, in: directory)
        #expect(table.status == 0 && table.stdout.contains("3 removed"))
        // --by takes the core's level names; another is a usage error that lists them.
        let badLevel = try CLI.run(["snapshot", "diff", "2026-10", "live", "--by", "kota"], store: store, in: directory)
        #expect(badLevel.status == 2 && badLevel.stderr.contains("nasional") && badLevel.stderr.contains("desa"), "\(badLevel.stderr)")
        let national = try CLI.run(["snapshot", "diff", "2026-10", "live", "--by", "nasional", "--format", "csv"], store: store, in: directory)
        #expect(national.status == 0 && national.lines.count == 2 && national.lines[1].hasPrefix(",Seluruh Indonesia,0,3,"), "\(national.stdout)")

        let restore = try CLI.run(["snapshot", "restore", "2026-10"], store: store, in: directory)
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(try CLI.run(["check"], store: store, in: directory).status == 0)
        #expect(try CLI.run(["get", "--id", "3"], store: store, in: directory).status == 0)
        let automatic = try #require(restore.stdout.split(separator: " ").first { $0.hasPrefix("auto-") })
        #expect(try CLI.run(["snapshot", "restore", String(automatic)], store: store, in: directory).status == 0)
        #expect(try CLI.run(["get", "--id", "3"], store: store, in: directory).status == 4)

        let compact = try CLI.run(["compact"], store: store, in: directory)
        #expect(compact.status == 0 && compact.stdout.contains("297 households"))
        #expect(try CLI.run(["check"], store: store, in: directory).status == 0)

        // Three snapshots now (2026-10 and two automatic ones, all young): keep 1 deletes none.
        let prune = try CLI.run(["snapshot", "prune", "--keep", "1"], store: store, in: directory)
        #expect(prune.status == 0 && prune.stderr.contains("--force"))
        let list = try CLI.run(["snapshot", "list", "--json"], store: store, in: directory)
        let before = try #require((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["snapshots"] as? [Any]).count
        let forced = try CLI.run(["snapshot", "prune", "--keep", "1", "--force"], store: store, in: directory)
        #expect(forced.stdout.split(separator: "\n").count == before - 1)
    }
}
