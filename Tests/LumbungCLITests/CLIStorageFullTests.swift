import Foundation
import Lumbung
import Testing

/// A small tmpfs the test mounts and unmounts (root only; `mount -t tmpfs` must be permitted).
final class SmallTmpfs {
    let path: String
    /// Held so the mount point's directory outlives the mount (unmounted first, then removed).
    private let directory: TemporaryDirectory

    init?(in directory: TemporaryDirectory, megabytes: Int) {
        self.directory = directory
        path = directory.sub("tmpfs")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard Self.command("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path]) == 0 else { return nil }
    }

    deinit { _ = Self.command("/bin/umount", [path]) }

    /// Whether this process may mount a tmpfs: tried once, on a scratch mount point.
    static let permitted: Bool = {
        guard getuid() == 0 else { return false }
        let probe = TemporaryDirectory("lumbung-tmpfs-probe")
        return SmallTmpfs(in: probe, megabytes: 1) != nil
    }()

    static func command(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Item 8 of issue 11: a full disk is `store.full`, exit 6, naming the path and the space, and the
/// store keeps what it held.
@Suite("lumbung on a full disk", .serialized)
struct CLIStorageFullTests {
    typealias CLI = CLITests

    @Test(.enabled(if: SmallTmpfs.permitted, "mounting a tmpfs is not permitted here (needs root and CAP_SYS_ADMIN); the injected-ENOSPC tests in StorageFullTests still run"))
    func generatingIntoAFullDiskExitsWithStorageFullAndTheStoreChecksClean() throws {
        let directory = TemporaryDirectory("lumbung-full")
        let disk = try #require(SmallTmpfs(in: directory, megabytes: 3))
        let store = disk.path + "/store"
        let first = try CLI.run(["generate", "--households", "300", "--seed", "3"], store: store, in: directory)
        try #require(first.status == 0, "\(first.stderr)")

        let full = try CLI.run(["generate", "--households", "30000", "--kabupaten", "32.04", "--seed", "4"], store: store, in: directory)
        #expect(full.status == 6, "\(full.stderr)")
        #expect(full.stderr.contains("store.full") && full.stderr.contains("the disk is full") && full.stderr.contains(store), "\(full.stderr)")
        #expect(full.stderr.contains("free"), "names the space left: \(full.stderr)")
        #expect(!full.stderr.contains("LMDB error"), "\(full.stderr)")

        let check = try CLI.run(["check"], store: store, in: directory)
        #expect(check.status == 0, "the store is intact: \(check.stdout) \(check.stderr)")
        let stats = try CLI.run(["stats", "--json"], store: store, in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect((object["total"] as? [String: Any])?["households"] as? Int == 300, "the earlier households are all there")

        // A snapshot that does not fit: store.full naming the copy and the size it needs.
        let filler = disk.path + "/filler"
        _ = FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: filler))
        while (try? handle.write(contentsOf: Data(count: 64 << 10))) != nil {}
        try? handle.close()
        let snapshot = try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory)
        #expect(snapshot.status == 6, "\(snapshot.stderr)")
        #expect(snapshot.stderr.contains("store.full") && snapshot.stderr.contains("needs about"), "\(snapshot.stderr)")
        let listed = try CLI.run(["snapshot", "list", "--json"], store: store, in: directory)
        #expect(listed.status == 0 && !listed.stdout.contains("2026-10"), "no half snapshot: \(listed.stdout)")
        #expect(try CLI.run(["check"], store: store, in: directory).status == 0)
    }
}
