/// A stored attachment: its digest (its name), what it is and its size in bytes.
///
/// ```swift
/// let photo = try store.evidence.add(file: "/tmp/rumah.jpg")
/// try store.write { tx in try tx.evidence.reference(photo.digest, by: try EvidenceReferrer("request/42")) }
/// ```
public struct EvidenceAttachment: Hashable, Sendable {
    public let digest: EvidenceDigest
    public let mediaType: EvidenceMediaType
    public let size: Int

    public init(digest: EvidenceDigest, mediaType: EvidenceMediaType, size: Int) {
        self.digest = digest
        self.mediaType = mediaType
        self.size = size
    }

    /// `{"digest": …, "media_type": …, "size": …}`: what `lumbung evidence add --json` prints
    /// and `POST /v1/evidence` answers.
    public var json: JSONValue {
        .object([("digest", .string(digest.hex)), ("media_type", .string(mediaType.mimeType)), ("size", .int(size))])
    }
}

/// The largest attachment a store accepts: a store setting (in the `meta` database), 10 MiB
/// unless set.
///
/// ```swift
/// try store.write { tx in try tx.evidence.setSizeLimit(4 << 20) }
/// ```
public enum EvidenceSizeLimit {
    public static let defaultBytes = 10 << 20
    /// What a limit may be set to: a photo fits at the low end, and the store's files stay
    /// small enough to copy into an export package at the high end.
    public static let allowed = 1024...(1 << 30)

    static func check(_ bytes: Int) throws {
        guard allowed.contains(bytes) else {
            throw LumbungError(
                .evidenceLimit, field: "max_bytes", value: String(bytes),
                rule: "the attachment size limit is \(allowed.lowerBound) to \(allowed.upperBound) bytes")
        }
    }

    static func refusal(file: String, size: Int?, limit: Int) -> LumbungError {
        let what = size.map { "\(file): \($0) bytes" } ?? "\(file): more than \(limit) bytes"
        return LumbungError(.evidenceTooLarge, field: "file", value: what, rule: "an attachment is at most \(limit) bytes (the store's limit)")
    }
}
