import Crypto
import Foundation

/// One attachment being added, streamed: bytes are hashed and written to a temporary file as
/// they come, so memory stays one buffer whatever the file's size. ``finish()`` names it by its
/// SHA-256; nothing appears under a digest's name until the file is complete and synced.
///
/// ```swift
/// let upload = try store.evidence.upload(name: "rumah.jpg")
/// for try await chunk in body { try upload.write(chunk) }
/// let attachment = try upload.finish()
/// ```
/// An upload dropped before ``finish()`` removes its temporary file; one whose process is
/// killed leaves it under `evidence/.incoming/`, where `lumbung gc` removes it.
public final class EvidenceUpload {
    let files: EvidenceFiles
    /// The name refusals give (a file name, or `upload`).
    let name: String
    let limit: Int
    /// The type the sender declared (an HTTP `Content-Type`): the bytes must be of it.
    let declared: EvidenceMediaType?
    private let temporary: String
    private var fd: Int32
    private var hasher = SHA256()
    private var head: [UInt8] = []
    private var size = 0
    private var done = false

    init(files: EvidenceFiles, name: String, limit: Int, declared: EvidenceMediaType? = nil) throws {
        self.files = files
        self.name = name
        self.limit = limit
        self.declared = declared
        try EvidenceFiles.ensureDirectory(files.directory)
        try EvidenceFiles.ensureDirectory(files.incoming)
        temporary = (files.incoming as NSString).appendingPathComponent("\(getpid())-\(UUID().uuidString)")
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LumbungError(.storeIO, value: temporary, rule: "cannot create the attachment's temporary file: \(String(cString: strerror(errno)))")
        }
    }

    deinit { cancel() }

    /// Appends bytes: refuses a file whose first bytes are no JPEG, PNG or PDF, or that grows
    /// past the limit (the temporary file is removed).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !done else { return }
        do {
            size += bytes.count
            if size > limit { throw EvidenceSizeLimit.refusal(file: name, size: nil, limit: limit) }
            if head.count < EvidenceMediaType.sniffLength {
                head.append(contentsOf: bytes.prefix(EvidenceMediaType.sniffLength - head.count))
                if head.count == EvidenceMediaType.sniffLength { try checkType() }
            }
            hasher.update(bufferPointer: bytes)
            try EvidenceFiles.writeAll(fd, bytes, path: temporary)
        } catch {
            cancel()
            throw error
        }
    }

    public func write(_ bytes: some ContiguousBytes) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Names the file by its digest: if the store already holds those bytes, the copy is
    /// dropped (deduplicated); otherwise it is synced, made read-only and renamed into place,
    /// and its directory synced.
    public func finish() throws -> EvidenceAttachment {
        guard !done else { throw LumbungError(.storeClosed, rule: "an upload finishes once") }
        defer { cancel() }
        let type = try checkType()
        let digest = EvidenceDigest(bytes: Array(hasher.finalize()))
        let attachment = EvidenceAttachment(digest: digest, mediaType: type, size: size)
        let final = files.path(of: digest)
        return try files.withLock(exclusive: false) {
            var existing = stat()
            // The same bytes stored: keep that file and drop this copy (unsynced). Its time is
            // refreshed, so a `gc` (which checks the time under the exclusive lock) leaves it for
            // the reference that is about to come; if it cannot be, this copy replaces it.
            if stat(final, &existing) == 0, Int(existing.st_size) == size, utimensat(AT_FDCWD, final, nil, 0) == 0 {
                return attachment
            }
            guard fsync(fd) == 0, fchmod(fd, 0o444) == 0 else {
                throw LumbungError(.storeIO, value: temporary, rule: "cannot sync the attachment: \(String(cString: strerror(errno)))")
            }
            close(fd)
            fd = -1
            let prefix = files.prefixDirectory(EvidenceFiles.prefix(digest))
            if try EvidenceFiles.ensureDirectory(prefix) { try Durable.sync(path: files.directory) }
            // A file of the wrong size under this name changed on disk: the new copy replaces it.
            try Durable.rename(temporary, to: final)
            done = true
            try Durable.sync(path: prefix)
            return attachment
        }
    }

    /// The type the first bytes show, which must be the declared one.
    @discardableResult
    private func checkType() throws -> EvidenceMediaType {
        guard let type = EvidenceMediaType.detect(head) else { throw EvidenceMediaType.refusal(file: name, seen: head) }
        if let declared, declared != type {
            throw LumbungError(.evidenceMediaType, field: "Content-Type", value: declared.mimeType,
                               rule: "\(name) is declared \(declared.mimeType) but its first bytes are a \(type.name) (\(type.mimeType))")
        }
        return type
    }

    /// Drops the upload and its temporary file (nothing was stored).
    public func cancel() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if !done {
            done = true
            unlink(temporary)
        }
    }
}
