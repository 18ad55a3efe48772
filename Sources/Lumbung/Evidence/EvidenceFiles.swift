import Foundation

/// The attachments' files under a store: `STORE/evidence/ab/cdef…`, the first two hex digits
/// of the digest naming the directory and the other 62 the file (so no directory grows past
/// 1/256 of them). Files are read-only once in place; nothing but a finished add writes there.
struct EvidenceFiles: Sendable {
    static let directoryName = "evidence"
    /// Adds in progress write here first: their digest, so their directory, is known only at the end.
    static let incomingName = ".incoming"
    static let lockName = ".lock"

    let storePath: String

    var directory: String { (storePath as NSString).appendingPathComponent(Self.directoryName) }
    var incoming: String { (directory as NSString).appendingPathComponent(Self.incomingName) }

    static func prefix(_ digest: EvidenceDigest) -> String { String(digest.hex.prefix(2)) }

    func prefixDirectory(_ prefix: String) -> String { (directory as NSString).appendingPathComponent(prefix) }

    func path(of digest: EvidenceDigest) -> String {
        let hex = digest.hex
        return (prefixDirectory(String(hex.prefix(2))) as NSString).appendingPathComponent(String(hex.dropFirst(2)))
    }

    /// The digest a file in the prefix directory names, or nil for a name that is not one.
    static func digest(prefix: String, file: String) -> EvidenceDigest? {
        guard file.utf8.count == EvidenceDigest.byteCount * 2 - 2, file.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        return try? EvidenceDigest(prefix + file)
    }

    /// The stored attachment (size from the file, type from its first bytes), or nil when no
    /// file has this digest.
    func attachment(_ digest: EvidenceDigest) throws -> EvidenceAttachment? {
        let path = path(of: digest)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw LumbungError(.storeIO, field: "digest", value: digest.hex, rule: "cannot open the attachment: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        var head = [UInt8](repeating: 0, count: EvidenceMediaType.sniffLength)
        let count = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard fstat(fd, &info) == 0, count >= 0 else {
            throw LumbungError(.storeIO, field: "digest", value: digest.hex, rule: "cannot read the attachment: \(String(cString: strerror(errno)))")
        }
        guard let type = EvidenceMediaType.detect(head.prefix(count)) else {
            throw LumbungError(.evidenceChanged, field: "digest", value: digest.hex, rule: "the stored file is no longer a JPEG, PNG or PDF: it changed on disk")
        }
        return EvidenceAttachment(digest: digest, mediaType: type, size: Int(info.st_size))
    }

    /// What is wrong with the stored file of a referenced digest, or nil when it hashes to its name.
    func problem(_ entry: ReferencedDigest) throws -> EvidenceIssue? {
        let path = path(of: entry.digest)
        guard FileManager.default.fileExists(atPath: path) else {
            return EvidenceIssue(kind: .missing, digest: entry.digest, referrers: entry.referrersText, detail: "is missing")
        }
        let actual = try FileDigest.sha256(path: path)
        guard actual.hex != entry.digest.hex else { return nil }
        return EvidenceIssue(kind: .changed, digest: entry.digest, referrers: entry.referrersText, detail: "hashes to \(actual.hex) (\(actual.bytes) bytes): the file changed")
    }

    /// Writes all of `bytes` to `fd` (the file at `path`), retrying short writes; a full disk is
    /// `store.full`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw StorageFull.refine(
                    LumbungError(.storeIO, value: path, rule: "cannot write: \(String(cString: strerror(errno)))"),
                    path: (path as NSString).deletingLastPathComponent)
            }
            offset += written
        }
    }

    /// Runs `body` holding `evidence/.lock`: shared by adds as they name a file (or keep the one
    /// stored), exclusive by `gc` as it removes, so an add never returns a file gc is removing.
    func withLock<R>(exclusive: Bool, _ body: () throws -> R) throws -> R {
        try Self.ensureDirectory(directory)
        let path = (directory as NSString).appendingPathComponent(Self.lockName)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LumbungError(.storeIO, value: path, rule: "cannot open the evidence lock: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            guard errno == EINTR else {
                throw LumbungError(.storeIO, value: path, rule: "cannot lock the evidence: \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Creates `path` as a directory if it is not one; true when it made it.
    @discardableResult
    static func ensureDirectory(_ path: String) throws -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        guard errno == EEXIST else {
            throw LumbungError(.storeIO, value: path, rule: "cannot create the evidence directory: \(String(cString: strerror(errno)))")
        }
        return false
    }
}

/// A referenced attachment that is missing, or whose bytes no longer hash to its name.
public struct EvidenceIssue: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case missing, changed
    }

    public let kind: Kind
    public let digest: EvidenceDigest
    /// Who references it (the first few, then how many more).
    public let referrers: String
    public let detail: String

    /// `attachment 9f86… is missing (referenced by request/1, request/2)`.
    public var description: String { "attachment \(digest.hex) \(detail) (referenced by \(referrers))" }
}
