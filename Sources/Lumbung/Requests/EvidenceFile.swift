import Crypto
import Foundation

extension EvidenceReference {
    /// A reference to the file at `path`: its SHA-256 (read in 1 MiB chunks), its media type by
    /// its first bytes (JPEG, PNG, PDF) and its size. It does not keep the bytes.
    ///
    /// The evidence store (content-addressed, `lumbung gc`) is built separately; once it is in,
    /// `lumbung request attach` stores the file there and takes the reference it returns instead.
    ///
    /// ```swift
    /// let photo = try EvidenceReference(file: "rumah.jpg", kind: .fotoRumah)
    /// ```
    public init(file path: String, kind: EvidenceKind) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LumbungError(.workflowInvalid, field: "file", value: path, rule: "cannot read the file")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: UInt64 = 0
        var head: [UInt8] = []
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            if head.count < 8 { head += chunk.prefix(8 - head.count) }
            hasher.update(data: chunk)
            size += UInt64(chunk.count)
        }
        guard let mediaType = Self.mediaType(of: head) else {
            throw LumbungError(.workflowInvalid, field: "file", value: path, rule: "evidence is a JPEG, PNG or PDF file (by its first bytes)")
        }
        try self.init(sha256: Array(hasher.finalize()), mediaType: mediaType, size: size, kind: kind)
    }

    /// `image/jpeg`, `image/png` or `application/pdf` by the magic bytes; nil for anything else.
    static func mediaType(of head: [UInt8]) -> String? {
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if head.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        return nil
    }
}
