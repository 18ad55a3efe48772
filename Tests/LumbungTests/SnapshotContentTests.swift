import CLMDB
import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung

/// The content digest and the desil-version counts read on every core (``RecordsDigest``), and
/// the content read from the store alongside the copy, against the definition read one record
/// after the other; and snapshots written before this way still verify.
@Suite("Snapshot content")
struct SnapshotContentTests {
    /// What the definition says, one record after the other: the canonical stream (each record's
    /// key, the big-endian length of its decompressed encoding, the encoding), hashed by
    /// `sha256sum`, and the households by region and desil version.
    struct Model: Equatable {
        var hex: String
        var households: Int
        var versions: [UInt64: [Int: Int]]
    }

    static func model(_ store: Store, scratch: String) throws -> Model {
        var stream = Data()
        var versions: [UInt64: [Int: Int]] = [:]
        var households = 0
        try store.read { tx in
            let cursor = try tx.txn.cursor(tx.dbs.records)
            var found = try cursor.move(MDB_FIRST)
            while found {
                let key = cursor.keyBytes
                try tx.openRecord(cursor.valueBytes) { payload in
                    stream.append(contentsOf: key)
                    withUnsafeBytes(of: UInt32(payload.count).bigEndian) { stream.append(contentsOf: $0) }
                    stream.append(contentsOf: payload)
                    let (desa, version) = try RecordCodec.desilVersion(payload)
                    if let version {
                        for level in 0...4 {
                            versions[UInt64(level) << 40 | WilayahLevels.truncate(desa, toLevel: level), default: [:]][version.ordinal, default: 0] += 1
                        }
                    }
                }
                households += 1
                found = try cursor.move(MDB_NEXT)
            }
        }
        try stream.write(to: URL(fileURLWithPath: scratch))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [scratch]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Model(hex: String(output.prefix(64)), households: households, versions: versions)
    }

    /// A random store: some kabupaten's households, some with a desil version, some deleted.
    static func randomStore(_ path: String, seed: UInt64) throws -> Store {
        var random = SeededRandom(seed: seed)
        let store = try Store(path: path)
        let count = [0, 1, 7, Int.random(in: 20...700, using: &random)][Int(seed % 4)]
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah(["32.16", "35.07", "73.71"][Int(seed % 3)]), seed: seed)
        try store.bulkLoad { loader in
            for var household in generator.households(count: count) {
                if Int.random(in: 0..<3, using: &random) == 0 {
                    household.desil = household.desil ?? Int.random(in: 1...10, using: &random)
                    household.desilVersion = try DesilVersion(parsing: "2026-01-2\(Int.random(in: 0..<4, using: &random))")
                }
                try loader.add(household)
            }
        }
        if count > 0 {
            try store.write { tx in
                for _ in 0..<(count / 10) {
                    let id = HouseholdID(rawValue: UInt64.random(in: 1...UInt64(count), using: &random))
                    if try tx.contains(id: id) { try tx.delete(id: id) }
                }
            }
        }
        return store
    }

    @Test("the digest read on every core equals the definition's, whatever the batch size", arguments: 0..<8 as Range<UInt64>)
    func digestEqualsTheModel(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let store = try Self.randomStore(directory.sub("store"), seed: seed)
        let model = try Self.model(store, scratch: directory.sub("stream"))
        for perWorker in [1, 3, 64, RecordsDigest.recordsPerWorker] {
            let records = try store.read { tx in try RecordsDigest(tx, recordsPerWorker: perWorker) }
            #expect(Model(hex: records.hex, households: records.households, versions: records.versions) == model, "\(perWorker) records a worker")
        }
        // The snapshot's manifest states it, read alongside the copy, and verify agrees.
        let creation = try store.snapshots.create(period: try SnapshotName("2026-10"), replacing: nil, actor: nil, beforeCopy: nil)
        #expect(creation.contentReadAlongside)
        #expect(creation.manifest.contentDigest == "sha256:" + model.hex && creation.manifest.households == model.households)
        let copy = try Snapshots.content(ofCopyAt: store.snapshots.path(of: try SnapshotName("2026-10")), decreeOf: try Period(year: 2026, month: 10))
        #expect(copy.contentDigest == creation.manifest.contentDigest && copy.counts == creation.manifest.counts)
        #expect(copy.journalSequence == creation.manifest.journalSequence && copy.decree == creation.manifest.decree)
        #expect(try store.snapshots.verify(try SnapshotName("2026-10")).isValid)
    }

    @Test("a write committed between the read transaction and the copy: the content is read from the copy")
    func aWriteBeforeTheCopyFallsBackToTheCopy() throws {
        let directory = TemporaryDirectory()
        let store = try Self.randomStore(directory.sub("store"), seed: 3)
        let before = try Self.model(store, scratch: directory.sub("stream"))
        let extra = SyntheticKabupaten(kabupaten: try KodeWilayah("32.04"), seed: 11).household(at: 0)
        let creation = try store.snapshots.create(period: try SnapshotName("2026-11"), replacing: nil, actor: nil) {
            // Another thread commits while this one holds the read transaction.
            let committed = Locked<Result<Void, any Error>?>(nil)
            let thread = Thread { committed.withLock { $0 = Result { try store.write { tx in _ = try tx.put(extra) } } } }
            thread.start()
            while committed.withLock({ $0 }) == nil { usleep(1000) }
            try committed.withLock { $0 }!.get()
        }
        #expect(!creation.contentReadAlongside)
        let after = try Self.model(store, scratch: directory.sub("stream"))
        #expect(after.households == before.households + 1)
        // The manifest describes the copy, which holds the write.
        #expect(creation.manifest.contentDigest == "sha256:" + after.hex && creation.manifest.households == after.households)
        #expect(creation.manifest.journalSequence == (try store.read { tx in try tx.lastSequence() }))
        #expect(try store.snapshots.verify(try SnapshotName("2026-11")).isValid)
    }

    /// `Tests/Fixtures/snapshot-2026-10`: a snapshot of the format 1 fixture store written by the
    /// code before the content was read on every core (`lumbung snapshot create 2026-10`).
    static let oldSnapshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/snapshot-2026-10")

    @Test("a snapshot written by the earlier code verifies, and a new one of the same store states the same")
    func anExistingManifestStillVerifies() throws {
        let (store, directory) = try FormatFixtureTests.openCopy()
        _ = directory
        let name = try SnapshotName("2026-10")
        let folder = store.snapshots.path(of: name)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for file in ["data.mdb", "manifest.json"] {
            try FileManager.default.copyItem(atPath: Self.oldSnapshot.appendingPathComponent(file).path, toPath: (folder as NSString).appendingPathComponent(file))
        }
        let verification = try store.snapshots.verify(name)
        #expect(verification.isValid, "\(verification.problems)")
        let old = try #require(verification.manifest)
        let new = try store.snapshots.create(period: try SnapshotName("2026-11"))
        #expect(new.contentDigest == old.contentDigest && new.households == old.households && new.members == old.members)
        #expect(new.counts == old.counts && new.journalSequence == old.journalSequence && new.schemaVersion == old.schemaVersion)
        // The compacted copy holds what the earlier code's held, and the journal's household
        // index that opening the store for writing built (one page for these entries).
        #expect(new.files.map(\.name) == old.files.map(\.name))
        #expect(new.files.map(\.bytes) == old.files.map { $0.bytes + 4096 }, "\(new.files) \(old.files)")
    }
}
