extension LumbungError.Code {
    // Evidence attachments (photos of the house and the KTP, scanned statements)
    /// The file's first bytes are not a JPEG, PNG or PDF signature (``EvidenceMediaType``).
    public static let evidenceType = Self("evidence.type", .invalidInput)
    /// The declared media type (an upload's `Content-Type`) is no evidence type, or not the one
    /// the file's first bytes show.
    public static let evidenceMediaType = Self("evidence.mediaType", .unsupportedMediaType)
    /// The file is larger than the store's limit (``EvidenceSizeLimit``).
    public static let evidenceTooLarge = Self("evidence.tooLarge", .tooLarge)
    /// A limit outside ``EvidenceSizeLimit/allowed``.
    public static let evidenceLimit = Self("evidence.limit", .invalidInput)
    /// Not 64 hexadecimal digits (``EvidenceDigest``).
    public static let evidenceDigest = Self("evidence.digest", .malformed)
    /// A referrer the reference table cannot hold (``EvidenceReferrer``).
    public static let evidenceReferrer = Self("evidence.referrer", .invalidInput)
    /// No attachment with this digest is stored.
    public static let evidenceNotFound = Self("evidence.notFound", .notFound)
    /// A stored attachment no longer hashes to its name: it changed on disk.
    public static let evidenceChanged = Self("evidence.changed", .verificationFailed)
    /// The file to add cannot be opened or read.
    public static let evidenceFile = Self("evidence.file", .notFound)
}
