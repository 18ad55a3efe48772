import Foundation
import Lumbung

/// The submission package of a monthly snapshot: what is sent to Kemensos.
///
/// A directory holding the snapshot's households as flat CSV and as JSON Lines, both
/// zstd-compressed, its `manifest.json`, optionally the evidence attachments it references
/// (`evidence/<sha256>`), and `SHA256SUMS` (the format `sha256sum -c` reads).
/// The snapshot is verified first; the directory appears under its name only when complete.
///
/// ```swift
/// let files = try SnapshotPackage.write(store.snapshots, try SnapshotName("2026-11"), to: "/srv/kirim/2026-11")
/// // then: cd /srv/kirim/2026-11 && sha256sum -c SHA256SUMS
/// ```
public enum SnapshotPackage {
    /// One file of the package.
    public struct File: Sendable, Hashable {
        public let name: String
        public let bytes: Int
        public let sha256: String
    }

    public static let checksumFile = "SHA256SUMS"

    /// Where `--with-evidence` puts the attachments: `evidence/<sha256>`.
    public static let evidenceDirectory = "evidence"

    /// Writes the package for `name` into `directory`, which must not exist or be empty.
    ///
    /// With `withEvidence`, every attachment the snapshot references is added as
    /// `evidence/<sha256>` and listed in `SHA256SUMS` (its digest is its name); `attachment` is
    /// called for each (the returned files are the package's own).
    @discardableResult
    public static func write(
        _ snapshots: Snapshots, _ name: SnapshotName, to directory: String, withEvidence: Bool = false,
        progress: ((Int) -> Void)? = nil, attachment: ((File) -> Void)? = nil
    ) throws -> [File] {
        let verification = try snapshots.verify(name)
        guard verification.isValid else {
            throw LumbungError(
                .snapshotCorrupt, field: "period", value: name.text,
                rule: "the snapshot does not verify, so it is not exported: " + verification.problems.joined(separator: "; "))
        }
        let manager = FileManager.default
        let target = URL(fileURLWithPath: directory).standardizedFileURL.path
        if let existing = try? manager.contentsOfDirectory(atPath: target), !existing.isEmpty {
            throw LumbungError(.storeIO, field: "out", value: directory, rule: "the package directory exists and is not empty; choose a new one")
        }
        let partial = target + ".partial-\(UUID().uuidString.prefix(8))"
        do {
            try manager.createDirectory(atPath: partial, withIntermediateDirectories: true)
        } catch {
            throw LumbungError(.storeIO, field: "out", value: directory, rule: "cannot create the package directory: \(error)")
        }
        do {
            let base = "dtks-\(name.text)"
            let names = [base + ".csv.zst", base + ".jsonl.zst", "manifest.json"]
            try snapshots.open(name) { store in
                _ = try Exporter.export(from: store, matching: HouseholdQuery(), as: .csv, to: (partial as NSString).appendingPathComponent(names[0]), progress: progress)
                _ = try Exporter.export(from: store, matching: HouseholdQuery(), as: .jsonl, to: (partial as NSString).appendingPathComponent(names[1]), progress: progress)
            }
            let manifestSource = (snapshots.path(of: name) as NSString).appendingPathComponent("manifest.json")
            try manager.copyItem(atPath: manifestSource, toPath: (partial as NSString).appendingPathComponent(names[2]))
            var files: [File] = []
            let sumsPath = (partial as NSString).appendingPathComponent(checksumFile)
            guard manager.createFile(atPath: sumsPath, contents: nil), let sums = FileHandle(forWritingAtPath: sumsPath) else {
                throw LumbungError(.storeIO, field: "out", value: sumsPath, rule: "cannot create \(checksumFile)")
            }
            defer { try? sums.close() }
            for file in names {
                let digest = try Snapshots.sha256(file: (partial as NSString).appendingPathComponent(file))
                files.append(File(name: file, bytes: digest.bytes, sha256: digest.hex))
                try sums.write(contentsOf: Data("\(digest.hex)  \(file)\n".utf8))
            }
            if withEvidence {
                // One line per attachment as it is copied: memory stays flat however many there are.
                let folder = (partial as NSString).appendingPathComponent(evidenceDirectory)
                try snapshots.copyAttachments(name, into: folder) { digest, bytes in
                    let file = File(name: "\(evidenceDirectory)/\(digest.hex)", bytes: bytes, sha256: digest.hex)
                    try sums.write(contentsOf: Data("\(digest.hex)  \(file.name)\n".utf8))
                    attachment?(file)
                }
            }
            try sums.synchronize()
            if manager.fileExists(atPath: target) { try manager.removeItem(atPath: target) }
            try manager.moveItem(atPath: partial, toPath: target)
            return files
        } catch {
            try? manager.removeItem(atPath: partial)
            throw error
        }
    }
}
