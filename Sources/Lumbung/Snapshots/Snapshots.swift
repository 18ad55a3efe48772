import CLMDB
import Foundation

/// The snapshots of one store: frozen, verifiable monthly copies under
/// `<store>/snapshots/<name>/`, each a compacted LMDB file (`data.mdb`) and `manifest.json`.
///
/// A snapshot is written under a temporary name (`.tmp-…`) and renamed into place only when its
/// manifest is written and synced, so a failed or killed snapshot never looks complete.
///
/// ```swift
/// let store = try Store(path: "/var/lib/lumbung/3216")
/// let manifest = try store.snapshots.create(period: try SnapshotName("2026-11"))
/// let report = try store.snapshots.verify(try SnapshotName("2026-11"))
/// let pkh = try store.snapshots.read(try SnapshotName("2026-11")) { tx in
///     try tx.counts(wilayah: try KodeWilayah("32.16")).byProgram[.pkh]
/// }
/// ```
public struct Snapshots: Sendable {
    /// The store directory the snapshots belong to.
    public let storePath: String
    /// The open store, when there is one (creating a snapshot copies from it).
    let store: Store?

    /// The snapshots of the store at `storePath`, without opening the store.
    public init(storePath: String) {
        self.storePath = URL(fileURLWithPath: storePath).standardizedFileURL.path
        self.store = nil
    }

    init(store: Store) {
        self.storePath = store.path
        self.store = store
    }

    static let directoryName = "snapshots"
    static let dataFile = "data.mdb"
    static let manifestFile = "manifest.json"
    static let temporaryPrefix = ".tmp-"
    static let replacedPrefix = ".replaced-"

    /// `<store>/snapshots`.
    public var directory: String { (storePath as NSString).appendingPathComponent(Self.directoryName) }

    /// The directory of the snapshot `name` (whether or not it exists).
    public func path(of name: SnapshotName) -> String { (directory as NSString).appendingPathComponent(name.text) }

    // MARK: Listing

    /// One entry of ``list()``: a complete snapshot with its manifest, or something that is not
    /// one (a snapshot being written, or left by a failed or killed one).
    public struct Listing: Sendable {
        public enum State: Sendable {
            case complete(SnapshotManifest)
            case incomplete(reason: String)
        }

        /// The directory's name under `snapshots/`.
        public let directoryName: String
        /// The snapshot's name, for a directory named like one.
        public let name: SnapshotName?
        public let state: State
        /// For a complete snapshot, what is known of its data file without hashing it.
        public var verifyStatus: VerifyStatus? = nil

        public var manifest: SnapshotManifest? {
            if case .complete(let manifest) = state { return manifest }
            return nil
        }
    }

    /// Whether a complete snapshot's data file is known intact, by name as `GET /v1/snapshots`
    /// gives it (`verify_status`).
    public enum VerifyStatus: String, Sendable {
        /// The file a check (a read, or `snapshot verify`) hashed and found intact, unchanged since.
        case verified
        /// Not hashed since it was written or last changed: the next read or `snapshot verify` checks it.
        case unverified
        /// Missing, or not the size its manifest states.
        case corrupt
    }

    /// Every directory under `snapshots/`, oldest first: complete snapshots with their manifests
    /// (and ``VerifyStatus``) and, flagged as incomplete, anything else (temporary directories of failed snapshots).
    public func list() throws -> [Listing] {
        let manager = FileManager.default
        guard manager.fileExists(atPath: directory) else { return [] }
        let entries: [String]
        do {
            entries = try manager.contentsOfDirectory(atPath: directory)
        } catch {
            throw LumbungError(.storeIO, value: directory, rule: "cannot list the snapshots: \(error)")
        }
        var listings: [Listing] = []
        let record = SnapshotIntegrity.readRecord(self)
        for entry in entries.sorted() where entry != Self.lockFile && !entry.hasPrefix(SnapshotIntegrity.recordFile) {
            let full = (directory as NSString).appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: full, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            guard let name = try? SnapshotName(entry) else {
                let reason = entry.hasPrefix(Self.temporaryPrefix)
                    ? "being written, or left by a failed snapshot (prune removes it once its process is gone)"
                    : entry.hasPrefix(Self.replacedPrefix) ? "the old copy of a replaced snapshot, left by an interrupted replacement" : "not a snapshot name"
                listings.append(Listing(directoryName: entry, name: nil, state: .incomplete(reason: reason)))
                continue
            }
            do {
                let manifest = try readManifest(name)
                listings.append(Listing(
                    directoryName: entry, name: name, state: .complete(manifest),
                    verifyStatus: SnapshotIntegrity.status(name, manifest: manifest, in: self, record: record)))
            } catch let error as LumbungError {
                listings.append(Listing(directoryName: entry, name: name, state: .incomplete(reason: error.rule)))
            }
        }
        return listings.sorted { lhs, rhs in
            switch (lhs.name, rhs.name) {
            case let (l?, r?): l < r
            case (nil, _?): false
            case (_?, nil): true
            case (nil, nil): lhs.directoryName < rhs.directoryName
            }
        }
    }

    /// The complete snapshots' names, oldest first.
    public func names() throws -> [SnapshotName] {
        try list().compactMap { $0.manifest == nil ? nil : $0.name }
    }

    /// The manifest of a complete snapshot.
    public func manifest(_ name: SnapshotName) throws -> SnapshotManifest {
        try requireExists(name)
        return try readManifest(name)
    }

    /// Throws `snapshot.notFound` for a missing snapshot, or `store.notFound` when the store
    /// itself is missing (that is the operator's mistake to report, not the period).
    private func requireExists(_ name: SnapshotName) throws {
        guard !FileManager.default.fileExists(atPath: path(of: name)) else { return }
        guard FileManager.default.fileExists(atPath: storePath) else {
            throw LumbungError(.storeNotFound, value: storePath, rule: "no store at this path (create it with `lumbung init`)")
        }
        throw LumbungError(.snapshotNotFound, field: "period", value: name.text, rule: "no snapshot of this period (see `lumbung snapshot list`)")
    }

    private func readManifest(_ name: SnapshotName) throws -> SnapshotManifest {
        let file = (path(of: name) as NSString).appendingPathComponent(Self.manifestFile)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw LumbungError(.snapshotIncomplete, field: Self.manifestFile, value: name.text, rule: "the snapshot has no manifest.json")
        }
        let manifest = try SnapshotManifest.decode(data, name: name.text)
        guard manifest.period == name.text else {
            throw LumbungError(.snapshotCorrupt, field: "period", value: manifest.period, rule: "the manifest names another period than its directory '\(name.text)'")
        }
        return manifest
    }

    // MARK: Reading

    /// Runs `body` with the snapshot opened as a read-only store.
    ///
    /// ```swift
    /// let household = try store.snapshots.open(period) { snapshot in
    ///     try snapshot.read { tx in try tx.household(nik: nik) }
    /// }
    /// ```
    /// The snapshot's `data.mdb` must match its manifest (`snapshot.corrupt` otherwise); the
    /// check hashes the file only when it changed since it was last found intact.
    public func open<R>(_ name: SnapshotName, _ body: (Store) throws -> R) throws -> R {
        try SnapshotIntegrity.check(name, manifest: try manifest(name), in: self)
        let store = try Store(path: path(of: name), options: Self.snapshotOptions)
        return try body(store)
    }

    /// Runs `body` in a read transaction on the snapshot.
    public func read<R>(_ name: SnapshotName, _ body: (ReadTransaction) throws -> R) throws -> R {
        try open(name) { store in try store.read(body) }
    }

    /// Read-only, without a lock file: nothing ever writes a snapshot.
    static var snapshotOptions: Store.Options {
        var options = Store.Options.readOnly
        options.withoutLocking = true
        return options
    }

    // MARK: Creating

    /// Takes a snapshot of the store as it is now, in one read transaction: a compacted copy of
    /// the LMDB file, then its manifest. Writers go on writing meanwhile.
    ///
    /// An existing period is refused (`snapshot.exists`) unless `replacing` gives the reason;
    /// the replacement is then recorded in the store's journal (and in the new manifest).
    @discardableResult
    public func create(period name: SnapshotName = .month(containing: Date()), replacing reason: String? = nil, actor: String? = nil) throws -> SnapshotManifest {
        try create(period: name, replacing: reason, actor: actor, beforeCopy: nil).manifest
    }

    /// What a snapshot's creation did.
    struct Creation {
        let manifest: SnapshotManifest
        /// Whether the content was read from the store alongside the copy (the copy provably saw
        /// the same snapshot), rather than from the finished copy.
        let contentReadAlongside: Bool
    }

    /// ``create(period:replacing:actor:)``; `beforeCopy` runs after the store's read transaction
    /// began and before the copy starts (tests commit a write there).
    func create(period name: SnapshotName, replacing reason: String?, actor: String?, beforeCopy: (() throws -> Void)?) throws -> Creation {
        if let reason, reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw LumbungError(.snapshotReasonRequired, field: "reason", rule: "replacing a snapshot needs a reason for the journal")
        }
        let store = try self.store ?? Store(path: storePath, options: Self.liveOptions)
        let creation = try write(name, replacing: reason, from: store, beforeCopy: beforeCopy)
        if let replaced = creation.manifest.replaced {
            try store.write(actor: actor) { tx in
                try tx.recordEvent("snapshot \(name) replaced: \(replaced.reason) (was \(replaced.previousContentDigest), now \(creation.manifest.contentDigest))")
            }
        }
        return creation
    }

    /// What `snapshot create` and `snapshot verify` hold in memory, whatever the store's size:
    /// two batches of records a core for the content digest, the copy's buffers, and the
    /// manifest's counts. For `--help`.
    public static var memoryBound: String {
        "\(2 * RecordsDigest.recordsPerWorker) records a core at a time for the content digest (a few MB a core), "
            + "two \(CopyFileWriter.bufferSize >> 20) MiB buffers for the copy (which reaches the disk as it is written, "
            + "past the page cache where the file system allows), and the manifest's counts: "
            + "one entry for each region that holds households"
    }

    static var liveOptions: Store.Options {
        var options = Store.Options()
        options.create = false
        return options
    }

    /// Writes a snapshot of `source`: a temporary directory gets the copy (``copy(_:to:decreeOf:beforeCopy:)``)
    /// and the manifest, and is renamed into place when complete.
    func write(_ name: SnapshotName, replacing reason: String?, from source: Store, beforeCopy: (() throws -> Void)? = nil) throws -> Creation {
        try ensureDirectory()
        return try withAreaLock {
            let final = path(of: name)
            let manager = FileManager.default
            var previous: SnapshotManifest?
            if manager.fileExists(atPath: final) {
                if let existing = try? readManifest(name) {
                    guard reason != nil else {
                        throw LumbungError(
                            .snapshotExists, field: "period", value: name.text,
                            rule: "snapshots are immutable; replace it with --replace --reason \"…\" (the replacement is journaled)")
                    }
                    previous = existing
                }
            }
            let temporary = (directory as NSString).appendingPathComponent("\(Self.temporaryPrefix)\(name.text)-\(getpid())-\(UUID().uuidString.prefix(8))")
            try createDirectory(temporary)
            do {
                let dataPath = (temporary as NSString).appendingPathComponent(Self.dataFile)
                let created = Date()
                let (computed, digest, alongside) = try Self.copy(source, to: dataPath, decreeOf: name.period, beforeCopy: beforeCopy)
                let manifest = SnapshotManifest(
                    format: SnapshotManifest.currentFormat, period: name.text, createdAt: Timestamp(created).description,
                    schemaVersion: computed.schemaVersion, journalSequence: computed.journalSequence,
                    households: computed.households, members: computed.members, contentDigest: computed.contentDigest,
                    files: [.init(name: Self.dataFile, bytes: digest.bytes, sha256: digest.hex)],
                    counts: computed.counts,
                    replaced: previous.map { .init(reason: reason ?? "", previousCreatedAt: $0.createdAt, previousContentDigest: $0.contentDigest) },
                    decree: computed.decree)
                let manifestPath = (temporary as NSString).appendingPathComponent(Self.manifestFile)
                do {
                    try Durable.write(manifest.encoded(), to: manifestPath)
                } catch {
                    throw StorageFull.refine(error, path: manifestPath)
                }
                chmod(dataPath, 0o444)
                chmod(manifestPath, 0o444)
                try Durable.sync(path: temporary)
                if manager.fileExists(atPath: final) {
                    let aside = (directory as NSString).appendingPathComponent("\(Self.replacedPrefix)\(name.text)-\(UUID().uuidString.prefix(8))")
                    try Durable.rename(final, to: aside)
                    try Durable.rename(temporary, to: final)
                    try? manager.removeItem(atPath: aside)
                } else {
                    try Durable.rename(temporary, to: final)
                }
                try Durable.sync(path: directory)
                return Creation(manifest: manifest, contentReadAlongside: alongside)
            } catch {
                try? manager.removeItem(atPath: temporary)
                throw error
            }
        }
    }

    /// Copies `source` into `dataPath` (compacted, hashed on its way to the file, synced:
    /// ``SnapshotCopy``) and reads what the manifest states.
    ///
    /// The content is read from the source, on every core while the copy is written, when the
    /// copy provably holds the same snapshot as this read transaction: the copy's own transaction
    /// began after this one and before LMDB's newest transaction id moved past this one's (a
    /// compacted copy does not keep the id, so it is compared this way). Otherwise (a write
    /// committed in between) the content is read from the finished copy.
    static func copy(_ source: Store, to dataPath: String, decreeOf period: Period?, beforeCopy: (() throws -> Void)?) throws
        -> (content: SnapshotContent, file: FileDigest.Sum, alongside: Bool)
    {
        let environment = source.environment
        // The read transaction also keeps the map from growing in this process during the copy.
        let (alongside, file) = try source.read { tx -> (SnapshotContent?, FileDigest.Sum) in
            let snapshot = mdb_txn_id(tx.txn.handle)
            try beforeCopy?()
            let copy = try SnapshotCopy(environment, to: dataPath)
            copy.waitUntilStarted()
            let content = environment.info.me_last_txnid == snapshot ? Result { try tx.snapshotContent(decreeOf: period) } : nil
            // Always wait for the copy: its threads write into the temporary directory.
            let file = try copy.finish()
            return (try content?.get(), file)
        }
        if let alongside { return (alongside, file, true) }
        return (try content(ofCopyAt: (dataPath as NSString).deletingLastPathComponent, decreeOf: period), file, false)
    }

    /// Opens a copy privately (no lock file) and reads what its manifest states (with
    /// `period`'s decree when one is given).
    static func content(ofCopyAt path: String, decreeOf period: Period? = nil) throws -> SnapshotContent {
        let copy = try Store(path: path, options: snapshotOptions)
        return try copy.read { tx in try tx.snapshotContent(decreeOf: period) }
    }

    // MARK: Verifying

    /// What ``verify(_:)`` found.
    public struct Verification: Sendable {
        public let name: SnapshotName
        public let manifest: SnapshotManifest?
        /// Each problem in words; empty when the snapshot is intact.
        public var problems: [String] = []
        public var isValid: Bool { problems.isEmpty }
    }

    /// Recomputes every file's size and SHA-256 and, when the file is intact, the content
    /// digest, journal sequence and counts from the records, and compares them with the manifest;
    /// then checks that every evidence attachment the snapshot references is in the store and
    /// hashes to its digest.
    public func verify(_ name: SnapshotName) throws -> Verification {
        let folder = path(of: name)
        try requireExists(name)
        let manifest: SnapshotManifest
        do {
            manifest = try readManifest(name)
        } catch let error as LumbungError {
            return Verification(name: name, manifest: nil, problems: [error.rule])
        }
        var report = Verification(name: name, manifest: manifest)
        var intact = true
        if !manifest.files.contains(where: { $0.name == Self.dataFile }) {
            report.problems.append("the manifest lists no \(Self.dataFile)")
            intact = false
        }
        for file in manifest.files {
            guard file.name == (file.name as NSString).lastPathComponent, !file.name.hasPrefix(".") else {
                report.problems.append("the manifest names a file outside the snapshot: '\(file.name)'")
                intact = false
                continue
            }
            let filePath = (folder as NSString).appendingPathComponent(file.name)
            guard FileManager.default.fileExists(atPath: filePath) else {
                report.problems.append("\(file.name) is missing")
                intact = false
                continue
            }
            let actual = try FileDigest.sha256(path: filePath)
            if actual.bytes != file.bytes {
                report.problems.append("\(file.name) is \(actual.bytes) bytes, the manifest says \(file.bytes) (truncated or extended)")
                intact = false
            } else if actual.hex != file.sha256 {
                report.problems.append("\(file.name) has SHA-256 \(actual.hex), the manifest says \(file.sha256): the file changed")
                intact = false
            }
        }
        // Only an intact file is opened: LMDB trusts its pages.
        guard intact else { return report }
        let content: SnapshotContent
        do {
            // A manifest written before decrees were recorded has none to compare.
            content = try Self.content(ofCopyAt: folder, decreeOf: manifest.decree == nil ? nil : name.period)
        } catch let error as LumbungError {
            report.problems.append("the copy does not read: \(error.message)")
            return report
        }
        if content.contentDigest != manifest.contentDigest {
            report.problems.append("the records' content digest is \(content.contentDigest), the manifest says \(manifest.contentDigest)")
        }
        if content.journalSequence != manifest.journalSequence {
            report.problems.append("the copy's journal ends at \(content.journalSequence), the manifest says \(manifest.journalSequence)")
        }
        if content.households != manifest.households || content.members != manifest.members {
            report.problems.append("the copy holds \(content.households) households and \(content.members) members, the manifest says \(manifest.households) and \(manifest.members)")
        }
        if content.schemaVersion != manifest.schemaVersion {
            report.problems.append("the copy is schema \(content.schemaVersion), the manifest says \(manifest.schemaVersion)")
        }
        if content.counts != manifest.counts {
            let stated = Dictionary(manifest.counts.map { ($0.wilayah ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            let actual = Dictionary(content.counts.map { ($0.wilayah ?? "", $0) }, uniquingKeysWith: { a, _ in a })
            let differing = Set(stated.keys).union(actual.keys).filter { stated[$0] != actual[$0] }.sorted()
            report.problems.append("the counts of \(differing.count) region(s) differ from the manifest: " + differing.prefix(5).map { $0.isEmpty ? SnapshotDiff.Grouping.nasional.rawValue : $0 }.joined(separator: ", "))
        }
        if content.decree != manifest.decree {
            report.problems.append("the period's decree counts (requests by type, state and desa; households set ditetapkan) differ from the manifest")
        }
        // The attachments the copy references live in the store's evidence/: each must be there
        // and hash to its name.
        let copy = try Store(path: folder, options: Self.snapshotOptions)
        report.problems += try EvidenceFiles(storePath: storePath).verify(referencesIn: copy, limit: 1000).lines
        if report.isValid { SnapshotIntegrity.remember(name, manifest: manifest, in: self) }
        return report
    }

    // MARK: Pruning

    /// What ``prune(keep:force:now:)`` did.
    public struct PruneResult: Sendable {
        /// Snapshots deleted, oldest first.
        public var deleted: [SnapshotName] = []
        /// Snapshots beyond the newest `keep` that were kept because they are less than `keep`
        /// months old (pass `force` to delete them).
        public var protected: [SnapshotName] = []
        /// Temporary directories of dead snapshot processes that were removed.
        public var removedLeftovers: [String] = []
    }

    /// Keeps the newest `keep` snapshots and deletes older ones, except that a snapshot less than
    /// `keep` months old (by its month, at `now`) is never deleted unless `force` is set.
    /// Also removes temporary directories whose snapshot process is gone.
    @discardableResult
    public func prune(keep: Int, force: Bool = false, now: Date = Date()) throws -> PruneResult {
        guard keep >= 1 else {
            throw LumbungError(.snapshotName, field: "keep", value: String(keep), rule: "keep at least one snapshot")
        }
        guard FileManager.default.fileExists(atPath: directory) else { return PruneResult() }
        return try withAreaLock {
            var result = PruneResult()
            let listings = try list()
            let complete = listings.compactMap { $0.manifest == nil ? nil : $0.name }.sorted(by: >)
            for name in complete.dropFirst(keep).reversed() {
                if name.monthsOld(at: now) < keep && !force {
                    result.protected.append(name)
                    continue
                }
                try removeTree(path(of: name))
                result.deleted.append(name)
            }
            for listing in listings where listing.manifest == nil && listing.directoryName.hasPrefix(Self.temporaryPrefix) {
                if let pid = Self.ownerPID(listing.directoryName), kill(pid, 0) != 0, errno == ESRCH {
                    try removeTree((directory as NSString).appendingPathComponent(listing.directoryName))
                    result.removedLeftovers.append(listing.directoryName)
                }
            }
            try Durable.sync(path: directory)
            return result
        }
    }

    /// The process id in `.tmp-NAME-PID-UUID`.
    static func ownerPID(_ directoryName: String) -> pid_t? {
        let parts = directoryName.split(separator: "-")
        guard parts.count >= 2 else { return nil }
        return pid_t(parts[parts.count - 2])
    }

    private func removeTree(_ path: String) throws {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw LumbungError(.storeIO, value: path, rule: "cannot delete: \(error)")
        }
    }

    /// The size and SHA-256 (lowercase hex) of a file, as manifests and `SHA256SUMS` state them.
    public static func sha256(file path: String) throws -> (bytes: Int, hex: String) {
        try FileDigest.sha256(path: path)
    }

    // MARK: The area

    static let lockFile = ".lock"

    func ensureDirectory() throws {
        try createDirectory(directory)
    }

    private func createDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw LumbungError(.storeIO, value: path, rule: "cannot create the directory: \(error)")
        }
    }

    /// Serializes snapshot writers (create, replace, prune, restore) across threads and processes.
    func withAreaLock<R>(_ body: () throws -> R) throws -> R {
        try ensureDirectory()
        let lockPath = (directory as NSString).appendingPathComponent(Self.lockFile)
        let fd = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LumbungError(.storeIO, value: lockPath, rule: "cannot open the snapshot lock: \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw LumbungError(.storeIO, value: lockPath, rule: "cannot lock the snapshots: \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

extension Store {
    /// The store's snapshots: create, list, verify, read, diff, prune.
    public var snapshots: Snapshots { Snapshots(store: self) }
}

/// File operations that survive a crash: fsync the data, then the directory entry.
enum Durable {
    static func sync(path: String) throws {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw LumbungError(.storeIO, value: path, rule: "cannot open to sync: \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else {
            throw LumbungError(.storeIO, value: path, rule: "fsync failed: \(String(cString: strerror(errno)))")
        }
    }

    static func write(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw LumbungError(.storeIO, value: path, rule: "cannot write: \(error)")
        }
        try sync(path: path)
    }

    /// `rename(2)`: atomic within one file system.
    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw LumbungError(.storeIO, value: to, rule: "cannot rename \(from): \(String(cString: strerror(errno)))")
        }
    }
}
