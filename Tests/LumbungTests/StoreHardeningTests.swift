import Foundation
import Testing
@testable import Lumbung

/// Issue 11 in the core: the scope and store-path rules, snapshots that never open for writing
/// and are checked before a read, and a full disk as `store.full`.
@Suite struct StoreHardeningTests {
    private func sampleHousehold() -> Household {
        var factory = HouseholdFactory(seed: 11)
        return factory.household()
    }

    @Test func anEmptyScopeIsRefusedAndOnlyAStarIsTheWholeStore() throws {
        for text in ["", " ", "\t\n"] {
            #expect { try AccessScope(parsing: text) } throws: { ($0 as? LumbungError)?.code == .tokenScopeEmpty }
        }
        #expect(try AccessScope(parsing: " * ") == .everything)
    }

    @Test func anEmptyStorePathIsRefused() throws {
        for path in ["", "  "] {
            #expect { try Store(path: path) } throws: { ($0 as? LumbungError)?.code == .storePath }
        }
    }

    @Test func aSnapshotOpensReadOnlyWithoutALockFileAndNeverForWriting() throws {
        let directory = TemporaryDirectory("lumbung-frozen")
        let storePath = directory.sub("store")
        let name = try SnapshotName("2026-10")
        do {
            let store = try Store(path: storePath)
            try store.write { tx in _ = try tx.put(sampleHousehold()) }
            try store.snapshots.create(period: name)
        }
        let snapshot = Snapshots(storePath: storePath).path(of: name)
        let link = directory.sub("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: snapshot)
        for path in [snapshot, snapshot + "/", storePath + "/snapshots/../snapshots/2026-10", link] {
            #expect { try Store(path: path) } throws: { ($0 as? LumbungError)?.code == .snapshotFrozen }
        }
        let read = try Store(path: link, options: .readOnly)
        #expect(try read.read { tx in try tx.householdCount() } == 1)
        #expect(!FileManager.default.fileExists(atPath: snapshot + "/lock.mdb"))
        // Creation, verification, compaction and restore open copies and still work.
        #expect(try Snapshots(storePath: storePath).verify(name).isValid)
        _ = try Store.compact(path: storePath)
        _ = try Snapshots(storePath: storePath).restore(name)
        #expect(try Snapshots(storePath: storePath).read(name) { tx in try tx.householdCount() } == 1)
    }

    @Test func aChangedSnapshotIsCorruptOnRead() throws {
        let directory = TemporaryDirectory("lumbung-changed")
        let storePath = directory.sub("store")
        let name = try SnapshotName("2026-10")
        let store = try Store(path: storePath)
        try store.write { tx in _ = try tx.put(sampleHousehold()) }
        try store.snapshots.create(period: name)
        #expect(try store.snapshots.read(name) { tx in try tx.householdCount() } == 1)
        try flipByte(store.snapshots.path(of: name) + "/data.mdb", at: 100)
        #expect { try store.snapshots.read(name) { tx in try tx.householdCount() } } throws: { error in
            let error = error as? LumbungError
            return error?.code == .snapshotCorrupt && error?.field == "data.mdb" && error?.rule.contains("snapshot verify") == true
        }
        // The record of checked files is no snapshot and no leftover.
        #expect(FileManager.default.fileExists(atPath: store.snapshots.directory + "/.verified"))
        #expect(try store.snapshots.list().map(\.directoryName) == ["2026-10"])
    }

    @Test func aMissingStoreUnderSnapshotsIsStoreNotFound() throws {
        let directory = TemporaryDirectory("lumbung-missing")
        #expect { try Snapshots(storePath: directory.sub("nowhere")).manifest(try SnapshotName("2026-10")) } throws: {
            ($0 as? LumbungError)?.code == .storeNotFound
        }
    }

    @Test func enospcFromLMDBIsStoreFullAndNamesThePath() throws {
        #expect(LMDB.error(ENOSPC, "commit").code == .storeFull)
        #expect(LMDB.error(EDQUOT, "commit").code == .storeFull)
        let refined = try #require(StorageFull.refine(LMDB.error(ENOSPC, "commit"), path: "/srv/lumbung", needed: 3 << 20) as? LumbungError)
        #expect(refined.code == .storeFull && refined.value == "/srv/lumbung")
        #expect(refined.rule.contains("the disk is full") && refined.rule.contains("needs about 3.0 MiB"), "\(refined.rule)")
        // An EIO on a disk with room is an I/O error, not a full disk.
        let directory = TemporaryDirectory("lumbung-eio")
        let io = try #require(StorageFull.refine(LMDB.error(EIO, "commit"), path: directory.path) as? LumbungError)
        #expect(io.code == .storeIO)
        #expect(try #require(StorageFull.refine(LMDB.error(EIO, "commit"), path: directory.path, needed: Int.max) as? LumbungError).code == .storeFull)
    }
}
