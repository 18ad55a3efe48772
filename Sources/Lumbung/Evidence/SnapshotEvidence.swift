import Crypto
import Foundation

extension Snapshots {
    /// Copies every attachment the snapshot references into `directory` (made if need be),
    /// each under its digest, in digest order, and calls `each` with the digest and its size.
    /// Each file is hashed as it is copied (1 MiB at a time), so a package never carries bytes
    /// other than those its digest names.
    ///
    /// ```swift
    /// try store.snapshots.copyAttachments(try SnapshotName("2026-11"), into: "/srv/kirim/2026-11/evidence") { digest, bytes in
    ///     print(digest, bytes)
    /// }
    /// ```
    /// - Throws: `evidence.notFound` for a referenced attachment that is missing,
    ///   `evidence.changed` for one whose bytes no longer hash to its digest (its copy is removed).
    public func copyAttachments(_ name: SnapshotName, into directory: String, _ each: (EvidenceDigest, Int) throws -> Void) throws {
        let files = EvidenceFiles(storePath: storePath)
        try open(name) { snapshot in
            var made = false
            try EvidenceFiles.forEachReferenced(in: snapshot) { entry in
                if !made {
                    try EvidenceFiles.ensureDirectory(directory)
                    made = true
                }
                let target = (directory as NSString).appendingPathComponent(entry.digest.hex)
                try each(entry.digest, try files.copy(entry, to: target))
            }
        }
    }
}

extension EvidenceFiles {
    /// Copies a referenced attachment to `target` (a new file), checking its SHA-256 on the way.
    func copy(_ entry: ReferencedDigest, to target: String) throws -> Int {
        let source = open(path(of: entry.digest), O_RDONLY | O_CLOEXEC)
        guard source >= 0 else {
            throw LumbungError(
                .evidenceNotFound, field: "digest", value: entry.digest.hex,
                rule: "the attachment is missing from the store's evidence/ (referenced by \(entry.referrersText))")
        }
        defer { close(source) }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else {
            throw LumbungError(.storeIO, value: target, rule: "cannot create the copy: \(String(cString: strerror(errno)))")
        }
        var closed = false
        defer { if !closed { close(output) } }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var hasher = SHA256()
        var total = 0
        while true {
            let count = read(source, buffer.baseAddress, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw LumbungError(.storeIO, value: path(of: entry.digest), rule: "cannot read the attachment: \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            hasher.update(bufferPointer: chunk)
            try EvidenceFiles.writeAll(output, chunk, path: target)
            total += count
        }
        close(output)
        closed = true
        let actual = EvidenceDigest(bytes: Array(hasher.finalize()))
        guard actual == entry.digest else {
            unlink(target)
            throw LumbungError(
                .evidenceChanged, field: "digest", value: entry.digest.hex,
                rule: "the stored file hashes to \(actual.hex): it changed on disk, so it is not exported (referenced by \(entry.referrersText))")
        }
        return total
    }
}
