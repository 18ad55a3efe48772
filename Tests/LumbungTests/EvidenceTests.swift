import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung

/// Bytes that start like a PNG, then `count` bytes drawn from `seed`.
private func png(_ seed: UInt64, count: Int = 600) -> [UInt8] {
    var random = SeededRandom(seed: seed)
    return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
}

/// The digests stored under `store/evidence` (what is named by a digest; not `.incoming`).
private func storedDigests(_ store: Store) throws -> Set<String> {
    let root = store.evidence.directory
    var found: Set<String> = []
    // The prefix directories (two hex digits); not `.incoming` or `.lock`.
    for prefix in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] where prefix.count == 2 {
        for name in try FileManager.default.contentsOfDirectory(atPath: (root as NSString).appendingPathComponent(prefix)) {
            found.insert(prefix + name)
        }
    }
    return found
}

private func incoming(_ store: Store) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: store.evidence.directory + "/.incoming")) ?? []
}

private func referrer(_ text: String) -> EvidenceReferrer { try! EvidenceReferrer(text) }

private func code(_ body: () throws -> Void) -> LumbungError? {
    do { try body() } catch let error as LumbungError { return error } catch { return nil }
    return nil
}

@Suite("Evidence attachments", .serialized)
struct EvidenceTests {
    @Test func theSameBytesTwiceAreOneFileWithTwoReferences() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        let bytes = png(1)
        let file = directory.sub("rumah.png")
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let first = try store.evidence.add(file: file)
        let second = try store.evidence.add(bytes, name: "again.png")
        #expect(first == second)
        #expect(try first.digest.hex == Snapshots.sha256(file: file).hex, "named by the SHA-256 sha256sum computes")
        #expect(first.mediaType == .png && first.size == bytes.count)
        #expect(try storedDigests(store) == [first.digest.hex])
        #expect(incoming(store).isEmpty, "no temporary file is left")
        #expect(try Data(contentsOf: URL(fileURLWithPath: store.evidence.path(of: first.digest))) == Data(bytes))
        try store.write { tx in
            try tx.evidence.reference(first.digest, by: referrer("request/1"))
            try tx.evidence.reference(second.digest, by: referrer("request/2"))
            try tx.evidence.reference(second.digest, by: referrer("request/2"))
        }
        let referrers = try store.read { tx in try tx.evidence.referrers(of: first.digest) }
        #expect(referrers.map(\.text) == ["request/1", "request/2"])
        #expect(try store.read { tx in try tx.evidence.attachment(first.digest) } == first)
        #expect(try store.write { tx in try tx.evidence.release(first.digest, by: referrer("request/1")) })
        #expect(try !store.write { tx in try tx.evidence.release(first.digest, by: referrer("request/1")) })
        #expect(try store.read { tx in try tx.evidence.referrers(of: first.digest) }.map(\.text) == ["request/2"])
        // A digest nothing stored cannot be referenced.
        let unknown = try EvidenceDigest(String(repeating: "ab", count: 32))
        let refused = code { _ = try store.write { tx in try tx.evidence.reference(unknown, by: referrer("request/3")) } }
        #expect(refused?.code == .evidenceNotFound && refused?.value == unknown.hex)
    }

    @Test func onlyJPEGPNGAndPDFByTheirFirstBytes() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        let accepted: [(EvidenceMediaType, [UInt8])] = [
            (.jpeg, [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46]), (.png, png(2, count: 4)),
            (.pdf, Array("%PDF-1.7\n%âãÏÓ\n".utf8)),
        ]
        for (type, bytes) in accepted {
            // The name says nothing: a PDF called .jpg is a PDF.
            #expect(try store.evidence.add(bytes, name: "scan.jpg").mediaType == type)
        }
        let refused: [(String, [UInt8], String)] = [
            ("foto.gif", Array("GIF89a\u{1}\u{0}".utf8), "47 49 46 38 39 61 01 00"),
            ("kosong.jpg", [], "(no bytes)"),
            ("ktp.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x00, 1, 2], "89 50 4E 47 0D 0A 1A 00"),
            ("surat.pdf", Array("%PDF".utf8), "25 50 44 46"),
            ("a.txt", Array("hello world".utf8), "68 65 6C 6C 6F 20 77 6F"),
        ]
        for (name, bytes, seen) in refused {
            let file = directory.sub(name)
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            let error = code { _ = try store.evidence.add(file: file) }
            #expect(error?.code == .evidenceType, "\(name)")
            #expect(error?.field == "file" && error?.value == "\(name): first bytes \(seen)", "\(String(describing: error))")
            #expect(error?.rule.contains("JPEG (starts FF D8 FF)") == true && error?.rule.contains("PDF (starts 25 50 44 46 2D)") == true)
        }
        #expect(try storedDigests(store).count == 3, "nothing refused was stored")
        #expect(incoming(store).isEmpty)
    }

    @Test func theSizeLimitIsAStoreSettingAndRefusalsNameBoth() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        #expect(try store.evidence.sizeLimit() == EvidenceSizeLimit.defaultBytes)
        try store.write { tx in try tx.evidence.setSizeLimit(1024) }
        #expect(try Store(path: directory.sub("store"), options: .readOnly).evidence.sizeLimit() == 1024)
        let file = directory.sub("besar.png")
        try Data(png(3, count: 1992)).write(to: URL(fileURLWithPath: file))
        let tooLarge = code { _ = try store.evidence.add(file: file) }
        #expect(tooLarge?.code == .evidenceTooLarge && tooLarge?.value == "besar.png: 2000 bytes", "\(String(describing: tooLarge))")
        #expect(tooLarge?.rule.contains("at most 1024 bytes") == true)
        // A stream is counted as it comes.
        let streamed = code { _ = try store.evidence.add(png(3, count: 1992), name: "upload") }
        #expect(streamed?.code == .evidenceTooLarge && streamed?.value == "upload: more than 1024 bytes")
        #expect(try store.evidence.add(png(3, count: 1016)).size == 1024, "exactly the limit is accepted")
        for bad in [1023, 0, -1, (1 << 30) + 1] {
            #expect(code { try store.write { tx in try tx.evidence.setSizeLimit(bad) } }?.code == .evidenceLimit)
        }
        #expect(try store.evidence.sizeLimit() == 1024)
        #expect(incoming(store).isEmpty)
        #expect(try storedDigests(store).count == 1)
    }

    @Test func digestsAndReferrersParseStrictly() throws {
        let hex = String(repeating: "0123456789abcdef", count: 4)
        #expect(try EvidenceDigest(hex).hex == hex)
        #expect(try EvidenceDigest(hex.uppercased()).hex == hex)
        for bad in ["", String(hex.dropLast()), hex + "0", String(hex.dropLast()) + "g", "sha256:" + hex] {
            #expect(code { _ = try EvidenceDigest(bad) }?.code == .evidenceDigest, "\(bad)")
        }
        #expect(try EvidenceReferrer("request/42").text == "request/42")
        for bad in ["", String(repeating: "x", count: EvidenceReferrer.maxLength + 1), "request\n42"] {
            #expect(code { _ = try EvidenceReferrer(bad) }?.code == .evidenceReferrer)
        }
    }

    @Test func checkAndSnapshotVerifyFindAChangedOrMissingAttachment() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        let photo = try store.evidence.add(png(4))
        let statement = try store.evidence.add(Array("%PDF-1.4 surat pernyataan".utf8))
        try store.write { tx in
            try tx.evidence.reference(photo.digest, by: referrer("request/7"))
            try tx.evidence.reference(photo.digest, by: referrer("request/8"))
            try tx.evidence.reference(statement.digest, by: referrer("request/9"))
        }
        #expect(try store.check().isClean)
        let clean = try store.evidence.verify()
        #expect(clean.isClean && clean.attachments == 2 && clean.references == 3 && clean.bytes == photo.size + statement.size)
        try store.snapshots.create(period: try SnapshotName("2026-10"))
        #expect(try store.snapshots.verify(try SnapshotName("2026-10")).isValid)

        try flipByte(store.evidence.path(of: photo.digest), at: 100)
        let report = try store.check()
        #expect(report.issueCount == 1)
        let issue = try #require(report.issues.first)
        #expect(issue.kind == .evidenceChanged)
        #expect(issue.detail.contains(photo.digest.hex) && issue.detail.contains("request/7, request/8") && issue.detail.contains("the file changed"), "\(issue)")
        let verification = try store.snapshots.verify(try SnapshotName("2026-10"))
        #expect(!verification.isValid)
        #expect(verification.problems.contains { $0.contains(photo.digest.hex) && $0.contains("request/7") && $0.contains("changed") }, "\(verification.problems)")

        try FileManager.default.removeItem(atPath: store.evidence.path(of: statement.digest))
        let missing = try store.evidence.verify()
        #expect(missing.issueCount == 2)
        #expect(missing.issues.contains { $0.kind == .missing && $0.digest == statement.digest && $0.referrers == "request/9" })
        #expect(try store.check().issues.contains { $0.kind == .evidenceMissing && $0.detail.contains("is missing (referenced by request/9)") })
        // A release in the live store does not change what the snapshot references.
        try store.write { tx in try tx.evidence.release(statement.digest, by: referrer("request/9")) }
        #expect(try store.evidence.verify().issueCount == 1)
        #expect(try store.snapshots.verify(try SnapshotName("2026-10")).problems.contains { $0.contains(statement.digest.hex) && $0.contains("is missing") })
    }

    @Test func anUploadDroppedOrRefusedLeavesNothing() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        do {
            let upload = try store.evidence.upload(name: "half.png")
            try upload.write(png(5))
            #expect(incoming(store).count == 1, "written to a temporary file first")
        }
        #expect(incoming(store).isEmpty, "a dropped upload removes its temporary file")
        let upload = try store.evidence.upload(name: "x.bmp")
        #expect(code { try upload.write(Array("BM".utf8) + [UInt8](repeating: 0, count: 100)) }?.code == .evidenceType)
        #expect(incoming(store).isEmpty)
        #expect(try storedDigests(store).isEmpty)
    }

    /// An add that finds its bytes stored refreshes the file's time, so a `gc` between the add
    /// and the reference that follows keeps the file; an old unreferenced file goes.
    @Test func anAddKeepsItsStoredTwinFromGc() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        let kept = try store.evidence.add(png(21)), old = try store.evidence.add(png(22))
        let twoDaysAgo = [timespec(tv_sec: time(nil) - 172_800, tv_nsec: 0), timespec(tv_sec: time(nil) - 172_800, tv_nsec: 0)]
        for digest in [kept.digest, old.digest] { #expect(utimensat(AT_FDCWD, store.evidence.path(of: digest), twoDaysAgo, 0) == 0) }
        #expect(try store.evidence.add(png(21)) == kept, "deduplicated")
        let result = try store.evidence.collect(minimumAge: 3600)
        #expect(result.removed == 1 && result.recent == 1)
        #expect(try storedDigests(store) == [kept.digest.hex])
        try store.write { tx in try tx.evidence.reference(kept.digest, by: referrer("request/5")) }
    }

    /// `gc` against a model: attachments stored, live references, and the references each
    /// snapshot froze. After every step the files on disk are exactly the model's.
    @Test(arguments: [11, 12, 13] as [UInt64])
    func gcRemovesExactlyWhatNothingReferences(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        var random = SeededRandom(seed: seed)
        let blobs = (0..<6).map { png(seed &* 100 &+ UInt64($0), count: 100 + $0) }
        // Named by the file digest snapshots use, not by the add's own streaming hasher.
        let digests = try blobs.enumerated().map { index, bytes in
            let file = directory.sub("blob-\(index)")
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            return try EvidenceDigest(try Snapshots.sha256(file: file).hex)
        }
        let referrers = (0..<3).map { referrer("request/\($0)") }
        var stored: Set<Int> = []
        var live: Set<[Int]> = []
        var snapshots: [(name: SnapshotName, blobs: Set<Int>)] = []
        var period = 0
        for step in 0..<70 {
            let blob = Int.random(in: 0..<blobs.count, using: &random)
            let who = Int.random(in: 0..<referrers.count, using: &random)
            switch Int.random(in: 0..<10, using: &random) {
            case 0, 1:
                #expect(try store.evidence.add(blobs[blob]).digest == digests[blob])
                stored.insert(blob)
            case 2, 3:
                let error = code { _ = try store.write { tx in try tx.evidence.reference(digests[blob], by: referrers[who]) } }
                if stored.contains(blob) {
                    #expect(error == nil, "step \(step)")
                    live.insert([blob, who])
                } else {
                    #expect(error?.code == .evidenceNotFound, "step \(step): only a stored attachment is referenced")
                }
            case 4:
                let released = try store.write { tx in try tx.evidence.release(digests[blob], by: referrers[who]) }
                #expect(released == (live.remove([blob, who]) != nil), "step \(step)")
            case 5:
                let name = try SnapshotName(String(format: "%04d-%02d", 2001 + period / 12, period % 12 + 1))
                period += 1
                try store.snapshots.create(period: name)
                snapshots.append((name, Set(live.map { $0[0] })))
            case 6:
                let keep = Int.random(in: 1...2, using: &random)
                try store.snapshots.prune(keep: keep, force: true)
                snapshots = Array(snapshots.suffix(keep))
            case 7:
                // Everything is younger than a day: nothing goes.
                #expect(try store.evidence.collect(minimumAge: 86_400).removed == 0)
            default:
                let protected = Set(live.map { $0[0] }).union(snapshots.flatMap(\.blobs))
                let doomed = stored.subtracting(protected)
                let dry = try store.evidence.collect(dryRun: true, minimumAge: 0)
                #expect(dry.removed == doomed.count, "step \(step): a dry run counts what gc would remove")
                var seen: [EvidenceDigest] = []
                let result = try store.evidence.collect(minimumAge: 0) { digest, _ in seen.append(digest) }
                #expect(result.removed == doomed.count, "step \(step)")
                #expect(result.bytesFreed == doomed.reduce(0) { $0 + blobs[$1].count })
                #expect(Set(seen) == Set(doomed.map { digests[$0] }) && seen == seen.sorted(), "removed in digest order")
                #expect(result.keptForSnapshots == stored.intersection(protected).subtracting(live.map { $0[0] }).count)
                stored.formIntersection(protected)
            }
            #expect(try storedDigests(store) == Set(stored.map { digests[$0].hex }), "step \(step): the files are the model's")
        }
        #expect(try store.evidence.verify().isClean)
    }
}

