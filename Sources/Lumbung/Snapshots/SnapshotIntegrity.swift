import Foundation

/// Checks, before a snapshot is read, that its `data.mdb` is the file its manifest describes
/// (size and SHA-256). Hashing a large file on every read would be slow, so a file found intact
/// is remembered by its identity, size, mtime and ctime: in this process, and in
/// `snapshots/.verified` so that the next CLI invocation does not hash it again. A file that
/// changed changes its ctime, so a remembered check never covers a changed file.
enum SnapshotIntegrity {
    /// The on-disk record of checked files, in the snapshot area (a file, so `list` and `prune`,
    /// which look at directories only, never take it for a snapshot or a leftover).
    static let recordFile = ".verified"

    /// What a check found intact: the file's identity and times, and the digest it matched.
    struct Stamp: Hashable {
        var device: UInt64, inode: UInt64, size: Int64
        var modified: Int64, changed: Int64
        var sha256: String

        init?(path: String, sha256: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
            self.sha256 = sha256
        }

        /// One line of the record: `name device inode size mtime ctime sha256`.
        func line(_ name: String) -> String { "\(name) \(device) \(inode) \(size) \(modified) \(changed) \(sha256)" }

        init?(line: Substring) {
            let parts = line.split(separator: " ")
            guard parts.count == 7, let device = UInt64(parts[1]), let inode = UInt64(parts[2]), let size = Int64(parts[3]),
                let modified = Int64(parts[4]), let changed = Int64(parts[5])
            else { return nil }
            self.device = device
            self.inode = inode
            self.size = size
            self.modified = modified
            self.changed = changed
            self.sha256 = String(parts[6])
        }
    }

    /// Files found intact in this process, by path.
    private static let checked = Locked<[String: Stamp]>([:])

    /// Throws `snapshot.corrupt` naming the file unless the snapshot's `data.mdb` matches its manifest.
    static func check(_ name: SnapshotName, manifest: SnapshotManifest, in snapshots: Snapshots) throws {
        let dataPath = (snapshots.path(of: name) as NSString).appendingPathComponent(Snapshots.dataFile)
        func corrupt(_ what: String) -> LumbungError {
            LumbungError(
                .snapshotCorrupt, field: Snapshots.dataFile, value: name.text,
                rule: "\(what); the snapshot is not read. Run `lumbung snapshot verify \(name.text)`")
        }
        guard let expected = manifest.files.first(where: { $0.name == Snapshots.dataFile }) else {
            throw corrupt("the manifest lists no \(Snapshots.dataFile)")
        }
        guard let stamp = Stamp(path: dataPath, sha256: expected.sha256) else {
            throw corrupt("the file is missing or unreadable")
        }
        if checked.withLock({ $0[dataPath] }) == stamp { return }
        if readRecord(snapshots)[name.text] == stamp {
            checked.withLock { $0[dataPath] = stamp }
            return
        }
        guard stamp.size == Int64(expected.bytes) else {
            throw corrupt("the file is \(stamp.size) bytes, the manifest says \(expected.bytes): it changed")
        }
        guard try FileDigest.sha256(path: dataPath).hex == expected.sha256 else {
            throw corrupt("the file's SHA-256 differs from the manifest's: it changed")
        }
        checked.withLock { $0[dataPath] = stamp }
        writeRecord(snapshots, name.text, stamp)
    }

    /// What is known of a snapshot's `data.mdb` without hashing it (for `GET /v1/snapshots`):
    /// `corrupt` when it is missing or its size differs from the manifest, `verified` when it
    /// is the very file a check found intact (same identity, size and times), else `unverified`.
    /// `record` is ``readRecord(_:)``'s answer, read once for a whole list.
    static func status(_ name: SnapshotName, manifest: SnapshotManifest, in snapshots: Snapshots, record: [String: Stamp]) -> Snapshots.VerifyStatus {
        let dataPath = (snapshots.path(of: name) as NSString).appendingPathComponent(Snapshots.dataFile)
        guard let expected = manifest.files.first(where: { $0.name == Snapshots.dataFile }),
            let stamp = Stamp(path: dataPath, sha256: expected.sha256)
        else { return .corrupt }
        if stamp.size != Int64(expected.bytes) { return .corrupt }
        if checked.withLock({ $0[dataPath] }) == stamp || record[name.text] == stamp { return .verified }
        return .unverified
    }

    /// Remembers `name`'s `data.mdb` as intact, after a full ``Snapshots/verify(_:)`` found it so.
    static func remember(_ name: SnapshotName, manifest: SnapshotManifest, in snapshots: Snapshots) {
        let dataPath = (snapshots.path(of: name) as NSString).appendingPathComponent(Snapshots.dataFile)
        guard let expected = manifest.files.first(where: { $0.name == Snapshots.dataFile }),
            let stamp = Stamp(path: dataPath, sha256: expected.sha256)
        else { return }
        checked.withLock { $0[dataPath] = stamp }
        writeRecord(snapshots, name.text, stamp)
    }

    private static func recordPath(_ snapshots: Snapshots) -> String {
        (snapshots.directory as NSString).appendingPathComponent(recordFile)
    }

    static func readRecord(_ snapshots: Snapshots) -> [String: Stamp] {
        guard let text = try? String(contentsOfFile: recordPath(snapshots), encoding: .utf8) else { return [:] }
        var stamps: [String: Stamp] = [:]
        for line in text.split(separator: "\n") {
            if let stamp = Stamp(line: line) { stamps[String(line.prefix { $0 != " " })] = stamp }
        }
        return stamps
    }

    /// Adds a stamp to the record, replacing it whole (rename); best effort: a reader who may
    /// not write the store's directory just hashes again next time.
    private static func writeRecord(_ snapshots: Snapshots, _ name: String, _ stamp: Stamp) {
        var stamps = readRecord(snapshots)
        stamps[name] = stamp
        let text = stamps.keys.sorted().map { stamps[$0]!.line($0) }.joined(separator: "\n") + "\n"
        let target = recordPath(snapshots)
        let temporary = target + ".\(getpid())-\(UUID().uuidString.prefix(8))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else { return }
        if rename(temporary, target) != 0 { unlink(temporary) }
    }
}
