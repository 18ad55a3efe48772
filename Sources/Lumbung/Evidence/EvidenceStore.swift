import Foundation

/// A store's evidence attachments (JPEG, PNG, PDF), kept once each by their SHA-256 under
/// `STORE/evidence/`, and referenced from transactions (``EvidenceReferences``) without copies.
///
/// ```swift
/// let store = try Store(path: "/var/lib/lumbung/3216")
/// let photo = try store.evidence.add(file: "/tmp/rumah.jpg")       // outside any transaction
/// try store.write { tx in try tx.evidence.reference(photo.digest, by: try EvidenceReferrer("request/42")) }
/// let report = try store.evidence.verify()                           // every reference's file hashes to its name
/// let freed = try store.evidence.collect()                           // `lumbung gc`
/// ```
public struct EvidenceStore: Sendable {
    let store: Store
    let files: EvidenceFiles

    init(store: Store) {
        self.store = store
        files = EvidenceFiles(for: store)
    }

    /// `STORE/evidence`.
    public var directory: String { files.directory }

    /// Where the attachment `digest` is stored (whether or not it is).
    public func path(of digest: EvidenceDigest) -> String { files.path(of: digest) }

    /// The stored attachment `digest` (type from its first bytes), or nil.
    public func attachment(_ digest: EvidenceDigest) throws -> EvidenceAttachment? { try files.attachment(digest) }

    /// The size limit in force (``EvidenceSizeLimit``).
    public func sizeLimit() throws -> Int { try store.read { tx in try tx.evidence.sizeLimit() } }

    /// Starts a streamed add (an HTTP body); `name` is what refusals call it, `declared` the
    /// type the sender named, which the first bytes must show (`evidence.mediaType`), and
    /// `length` the size the sender announced: beyond the limit, refused before a byte is read.
    ///
    /// ```swift
    /// let upload = try store.evidence.upload(name: "upload", declared: .jpeg, length: 182_034)
    /// ```
    public func upload(name: String = "upload", declared: EvidenceMediaType? = nil, length: Int? = nil) throws -> EvidenceUpload {
        let limit = try sizeLimit()
        if let length, length > limit { throw EvidenceSizeLimit.refusal(file: name, size: length, limit: limit) }
        return try EvidenceUpload(files: files, name: name, limit: limit, declared: declared)
    }

    /// Adds a file (read in 1 MiB steps: bounded memory). The same bytes added twice are
    /// stored once and give the same attachment.
    ///
    /// - Throws: `evidence.type` (first bytes), `evidence.tooLarge` (the store's limit),
    ///   `evidence.file` (cannot be read).
    public func add(file path: String) throws -> EvidenceAttachment {
        let name = (path as NSString).lastPathComponent
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw LumbungError(.evidenceFile, field: "file", value: path, rule: "cannot open the file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let limit = try sizeLimit()
        var info = stat()
        // A regular file's size is known: refuse before reading (a pipe is counted as it comes).
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) > limit {
            throw EvidenceSizeLimit.refusal(file: name, size: Int(info.st_size), limit: limit)
        }
        let upload = try EvidenceUpload(files: files, name: name, limit: limit)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw LumbungError(.evidenceFile, field: "file", value: path, rule: "cannot read the file: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            try upload.write(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return try upload.finish()
    }

    /// Adds bytes held in memory (small files, tests).
    public func add(_ bytes: some ContiguousBytes, name: String = "upload") throws -> EvidenceAttachment {
        let upload = try upload(name: name)
        try upload.write(bytes)
        return try upload.finish()
    }

    /// Checks every referenced attachment: it exists and hashes to its digest. Reads the
    /// reference table in short steps, so no transaction stays open while files are hashed.
    public func verify(limit: Int = 1000) throws -> EvidenceVerification {
        try files.verify(referencesIn: store, limit: limit)
    }
}

extension Store {
    /// The store's evidence attachments: add, verify, collect.
    public var evidence: EvidenceStore { EvidenceStore(store: self) }
}

extension EvidenceFiles {
    /// The files a store's references point at: a snapshot's are its live store's.
    init(for store: Store) {
        var root = store.path
        if SnapshotDirectory.contains(root) {
            root = ((root as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        }
        self.init(storePath: root)
    }
}
