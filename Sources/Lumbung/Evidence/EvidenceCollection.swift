import Foundation

/// What ``EvidenceStore/collect(dryRun:minimumAge:now:removed:)`` (`lumbung gc`) did.
public struct EvidenceCollection: Sendable {
    /// Attachments removed (or, in a dry run, that would be).
    public var removed = 0
    public var bytesFreed = 0
    /// Attachments the live store references.
    public var referenced = 0
    /// Attachments only snapshots reference: kept as long as those snapshots are.
    public var keptForSnapshots = 0
    /// Unreferenced attachments younger than the minimum age: an add whose reference may be
    /// about to come.
    public var recent = 0
    /// Temporary files of killed adds removed from `evidence/.incoming`.
    public var leftovers = 0
    public var dryRun = false
}

extension EvidenceStore {
    /// Removes every attachment that neither the live store nor any snapshot references.
    ///
    /// Walks `evidence/` one prefix directory at a time (memory: one directory's names), in
    /// digest order, checking each file against every snapshot's reference table and then, in
    /// a write transaction, against the live table: `reference` runs under the same write lock,
    /// so no file goes while a reference to it is being made. Snapshots cannot be created or
    /// restored meanwhile (the snapshot area's lock), and a snapshot that does not verify stops
    /// the collection before anything is removed. Files younger than `minimumAge` are kept (an
    /// add refreshes a deduplicated file's time), so an add and its reference are never split.
    ///
    /// ```swift
    /// let result = try store.evidence.collect(dryRun: true)
    /// print(result.removed, result.bytesFreed)
    /// ```
    @discardableResult
    public func collect(
        dryRun: Bool = false, minimumAge: TimeInterval = 3600, now: Date = Date(),
        removed: ((EvidenceDigest, Int) -> Void)? = nil
    ) throws -> EvidenceCollection {
        let snapshots = store.snapshots
        return try snapshots.withAreaLock {
            var result = EvidenceCollection(dryRun: dryRun)
            let frozen = try Self.openSnapshots(snapshots)
            let manager = FileManager.default
            let prefixes = ((try? manager.contentsOfDirectory(atPath: files.directory)) ?? [])
                .filter { $0.utf8.count == 2 && EvidenceFiles.digest(prefix: $0, file: String(repeating: "0", count: 62)) != nil }
                .sorted()
            let cutoff = now.timeIntervalSince1970 - minimumAge
            for prefix in prefixes {
                let folder = files.prefixDirectory(prefix)
                // This directory's files, in digest order.
                var candidates: [(digest: EvidenceDigest, size: Int, modified: Double)] = []
                for name in ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
                    guard let digest = EvidenceFiles.digest(prefix: prefix, file: name) else { continue }
                    var info = stat()
                    guard stat(files.path(of: digest), &info) == 0 else { continue }
                    candidates.append((digest, Int(info.st_size), Double(info.st_mtim.tv_sec)))
                }
                if candidates.isEmpty { continue }
                let unreferenced = try store.read { tx in try candidates.filter { try !tx.evidence.isReferenced($0.digest) } }
                result.referenced += candidates.count - unreferenced.count
                candidates = unreferenced
                for snapshot in frozen where !candidates.isEmpty {
                    let kept = Set(try snapshot.read { tx in try candidates.filter { try tx.evidence.isReferenced($0.digest) } }.map(\.digest))
                    result.keptForSnapshots += kept.count
                    candidates.removeAll { kept.contains($0.digest) }
                }
                let young = candidates.filter { $0.modified > cutoff }.count
                result.recent += young
                candidates.removeAll { $0.modified > cutoff }
                if candidates.isEmpty { continue }
                // The decision, under the write lock `reference` takes: a reference made since
                // the read above keeps its file.
                // and under the evidence lock, an add that kept one of these files refreshed its time.
                var refreshed = 0
                let decide = { (tx: ReadTransaction) throws -> [(digest: EvidenceDigest, size: Int)] in
                    try files.withLock(exclusive: true) {
                        var gone: [(digest: EvidenceDigest, size: Int)] = []
                        refreshed = 0
                        for candidate in candidates where try !tx.evidence.isReferenced(candidate.digest) {
                            var info = stat()
                            let path = files.path(of: candidate.digest)
                            if stat(path, &info) == 0, Double(info.st_mtim.tv_sec) > cutoff {
                                refreshed += 1
                                continue
                            }
                            // unlink is idempotent: a body run again (a map that grew) finds it gone.
                            if dryRun || unlink(path) == 0 { gone.append((candidate.digest, candidate.size)) }
                        }
                        return gone
                    }
                }
                let gone = dryRun ? try store.read(decide) : try store.write(decide)
                result.recent += refreshed
                result.referenced += candidates.count - gone.count - refreshed
                for file in gone {
                    result.removed += 1
                    result.bytesFreed += file.size
                    removed?(file.digest, file.size)
                }
                if !dryRun && !gone.isEmpty { try Durable.sync(path: folder) }
            }
            result.leftovers = try removeLeftovers(dryRun: dryRun)
            return result
        }
    }

    /// Every snapshot, opened read-only: a listed snapshot that does not read or verify stops
    /// the collection (it may reference anything). Temporary and replaced copies are not
    /// snapshots and reference nothing that counts.
    private static func openSnapshots(_ snapshots: Snapshots) throws -> [Store] {
        var stores: [Store] = []
        for listing in try snapshots.list() {
            guard let name = listing.name else { continue }
            guard let manifest = listing.manifest else {
                throw LumbungError(
                    .snapshotIncomplete, field: "period", value: name.text,
                    rule: "gc needs every snapshot's references, and this snapshot does not read; nothing was removed")
            }
            try SnapshotIntegrity.check(name, manifest: manifest, in: snapshots)
            stores.append(try Store(path: snapshots.path(of: name), options: Snapshots.snapshotOptions))
        }
        return stores
    }

    /// Removes the temporary files of adds whose process is gone.
    private func removeLeftovers(dryRun: Bool) throws -> Int {
        var count = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: files.incoming)) ?? [] {
            guard let pid = pid_t(name.prefix { $0 != "-" }), kill(pid, 0) != 0, errno == ESRCH else { continue }
            if dryRun || unlink((files.incoming as NSString).appendingPathComponent(name)) == 0 { count += 1 }
        }
        return count
    }
}
