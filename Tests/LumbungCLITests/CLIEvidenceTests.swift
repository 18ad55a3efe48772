import Foundation
import Lumbung
import Testing

@Suite("lumbung evidence and gc", .serialized)
struct CLIEvidenceTests {
    typealias CLI = CLITests

    /// A file of `count` random bytes after `header`.
    static func file(_ path: String, header: [UInt8], count: Int) throws {
        try Data(header + (0..<count).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: path))
    }

    static let pngHeader: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    static let jpegHeader: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1]

    /// Files stored under a digest's name (in the two-hex-digit directories).
    static func stored(_ store: String) -> [String] {
        let root = store + "/evidence"
        return ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter { $0.count == 2 }.flatMap { prefix in
            ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + prefix)) ?? []).map { prefix + $0 }
        }.sorted()
    }

    @Test func exportWithEvidenceIsCheckedBySha256sumAndGcKeepsWhatIsReferenced() throws {
        let (directory, store) = try CLI.generatedStore()
        for (index, header) in [Self.pngHeader, Self.jpegHeader, Array("%PDF-1.5\n".utf8)].enumerated() {
            try Self.file(directory.sub("file\(index)"), header: header, count: 5000 + index)
        }
        let added = try CLI.run(["evidence", "add", "--json", directory.sub("file0"), directory.sub("file1"), directory.sub("file2"), directory.sub("file0")], store: store, in: directory)
        #expect(added.status == 0, "\(added.stderr)")
        let rows = try added.lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let digests = rows.map { $0["digest"] as? String ?? "" }
        #expect(rows.map { $0["media_type"] as? String } == ["image/png", "image/jpeg", "application/pdf", "image/png"])
        #expect(rows.map { $0["size"] as? Int } == [5008, 5005, 5011, 5008])
        #expect(digests[0] == digests[3] && Set(digests).count == 3)
        #expect(Self.stored(store) == digests.prefix(3).sorted(), "one file per distinct content")
        #expect(try tool("sha256sum", [directory.sub("file1")], in: directory.path).1.hasPrefix(digests[1]))
        // The request CLI will reference them; here the core's API does.
        do {
            let live = try Store(path: store)
            try live.write { tx in
                try tx.evidence.reference(try EvidenceDigest(digests[0]), by: try EvidenceReferrer("request/1"))
                try tx.evidence.reference(try EvidenceDigest(digests[1]), by: try EvidenceReferrer("request/2"))
            }
        }
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 0)
        let package = directory.sub("kirim")
        let exported = try CLI.run(["snapshot", "export", "2026-10", "--out", package, "--with-evidence"], store: store, in: directory)
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.contains("evidence: 2 attachment(s), 10013 bytes"), "\(exported.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: package + "/evidence").sorted()
        #expect(files == [digests[0], digests[1]].sorted(), "the referenced attachments, under their digests")
        let sums = try String(contentsOfFile: package + "/SHA256SUMS", encoding: .utf8)
        #expect(sums.split(separator: "\n").count == 5)
        #expect(sums.contains("\(digests[0])  evidence/\(digests[0])\n"))
        let checked = try tool("sha256sum", ["-c", "--strict", "SHA256SUMS"], in: package)
        #expect(checked.0 == 0, "\(checked.1)")
        #expect(checked.1.contains("evidence/\(digests[1]): OK"))
        try flipByte(package + "/evidence/" + digests[1], at: 10)
        #expect(try tool("sha256sum", ["-c", "SHA256SUMS"], in: package).0 != 0, "sha256sum sees a changed attachment")

        // gc: the unreferenced PDF goes; a released photo stays while the snapshot references it.
        do {
            let live = try Store(path: store)
            try live.write { tx in _ = try tx.evidence.release(try EvidenceDigest(digests[1]), by: try EvidenceReferrer("request/2")) }
        }
        let young = try CLI.run(["gc"], store: store, in: directory)
        #expect(young.status == 0 && young.stdout.contains("removed: 0 attachment(s)"), "just added: younger than the minimum age")
        let dry = try CLI.run(["gc", "--dry-run", "--min-age", "0"], store: store, in: directory)
        #expect(dry.stdout.contains("would remove  \(digests[2])  5011") && Self.stored(store).count == 3, "\(dry.stdout)")
        let gc = try CLI.run(["gc", "--min-age", "0", "--json"], store: store, in: directory)
        #expect(gc.status == 0, "\(gc.stderr)")
        let totals = try #require(try JSONSerialization.jsonObject(with: Data(gc.stdout.utf8)) as? [String: Any])
        #expect(totals["removed"] as? Int == 1 && totals["bytes_freed"] as? Int == 5011)
        #expect(totals["referenced"] as? Int == 1 && totals["kept_for_snapshots"] as? Int == 1)
        #expect(Self.stored(store) == [digests[0], digests[1]].sorted())
        // Once the snapshot is gone, so is what only it referenced.
        let pruned = try CLI.run(["snapshot", "create", "2026-11"], store: store, in: directory)
        #expect(pruned.status == 0)
        #expect(try CLI.run(["snapshot", "prune", "--keep", "1", "--force"], store: store, in: directory).status == 0)
        #expect(try CLI.run(["gc", "--min-age", "0"], store: store, in: directory).stdout.contains("removed  \(digests[1])"))
        #expect(Self.stored(store) == [digests[0]])
    }

    @Test func checkAndSnapshotVerifyExitFiveForAChangedAttachment() throws {
        let (directory, store) = try CLI.generatedStore()
        try Self.file(directory.sub("ktp.jpg"), header: Self.jpegHeader, count: 3000)
        let added = try CLI.run(["evidence", "add", directory.sub("ktp.jpg")], store: store, in: directory)
        let digest = String(added.stdout.prefix(64))
        do {
            let live = try Store(path: store)
            try live.write { tx in try tx.evidence.reference(try EvidenceDigest(digest), by: try EvidenceReferrer("request/77")) }
        }
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 0)
        #expect(try CLI.run(["check"], store: store, in: directory).status == 0)
        try flipByte(store + "/evidence/" + digest.prefix(2) + "/" + digest.dropFirst(2), at: 2000)
        for command in [["check"], ["evidence", "verify"], ["snapshot", "verify", "2026-10"]] {
            let result = try CLI.run(command, store: store, in: directory)
            #expect(result.status == 5, "\(command)")
            #expect(result.stdout.contains("attachment \(digest) hashes to") && result.stdout.contains("request/77"), "\(command): \(result.stdout)")
        }
        let export = try CLI.run(["snapshot", "export", "2026-10", "--out", directory.sub("pkg"), "--with-evidence"], store: store, in: directory)
        #expect(export.status == 5 && !FileManager.default.fileExists(atPath: directory.sub("pkg")))
        // Refusals: exit 3, naming the file, the bytes or the sizes.
        try Data("GIF89a".utf8).write(to: URL(fileURLWithPath: directory.sub("a.gif")))
        let gif = try CLI.run(["evidence", "add", directory.sub("a.gif")], store: store, in: directory)
        #expect(gif.status == 3 && gif.stderr.contains("evidence.type") && gif.stderr.contains("a.gif: first bytes 47 49 46 38 39 61"))
        #expect(try CLI.run(["evidence", "limit", "2048"], store: store, in: directory).status == 0)
        #expect(try CLI.run(["evidence", "limit"], store: store, in: directory).stdout == "2048\n")
        let big = try CLI.run(["evidence", "add", directory.sub("ktp.jpg")], store: store, in: directory)
        #expect(big.status == 3 && big.stderr.contains("ktp.jpg: 3004 bytes") && big.stderr.contains("at most 2048 bytes"), "\(big.stderr)")
        #expect(try CLI.run(["evidence", "add", directory.sub("nowhere.png")], store: store, in: directory).status == 4)
    }

    /// An add killed half-way (its input a pipe that stops) leaves its bytes in
    /// `evidence/.incoming`, never under a digest's name; gc removes the leftover.
    @Test func aKilledAddLeavesNoFileUnderADigest() throws {
        let directory = TemporaryDirectory("lumbung-cli")
        let store = directory.sub("store")
        #expect(try CLI.run(["init"], store: store, in: directory).status == 0)
        let fifo = directory.sub("rumah.png")
        #expect(mkfifo(fifo, 0o600) == 0)
        let process = try CLI.start(["evidence", "add", fifo, "--store", store])
        let writer = open(fifo, O_RDWR)
        #expect(writer >= 0)
        let part = Self.pngHeader + [UInt8](repeating: 7, count: 40_000)
        #expect(part.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) } == part.count)
        let incoming = store + "/evidence/.incoming"
        let deadline = Date().addingTimeInterval(60)
        func written() -> Int {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []
            return names.compactMap { try? FileManager.default.attributesOfItem(atPath: incoming + "/" + $0)[.size] as? Int }.reduce(0, +)
        }
        while written() < part.count && Date() < deadline { usleep(10_000) }
        #expect(written() == part.count, "the add has written what it read")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        close(writer)
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(Self.stored(store).isEmpty, "nothing under a digest's name")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []).count == 1)
        // The same bytes added whole are stored whole, and gc clears the leftover.
        try Data(part).write(to: URL(fileURLWithPath: directory.sub("whole.png")))
        let added = try CLI.run(["evidence", "add", directory.sub("whole.png")], store: store, in: directory)
        #expect(added.status == 0 && added.stdout.contains("40008"))
        let gc = try CLI.run(["gc"], store: store, in: directory)
        #expect(gc.stdout.contains("temporary files of killed adds: 1"), "\(gc.stdout)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []).isEmpty)
        #expect(Self.stored(store).count == 1, "the young attachment stays")
    }
}
