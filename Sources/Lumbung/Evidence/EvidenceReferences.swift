import CLMDB

/// The reference table `evidence.refs`: key = digest (32 bytes) + referrer (its UTF-8 bytes),
/// value = media type (1 byte) + size (8 bytes, big-endian). One digest's references are
/// adjacent, and digests come in byte order: the order of the store's `evidence/` tree.
enum EvidenceReferenceKey {
    static let databaseName = "evidence.refs"
    static let valueWidth = 9

    static func key(_ digest: EvidenceDigest, _ referrer: EvidenceReferrer) -> [UInt8] { digest.bytes + Array(referrer.text.utf8) }

    /// Past every key of `digest` (0xFF never occurs in UTF-8).
    static func after(_ digest: EvidenceDigest) -> [UInt8] { digest.bytes + [0xFF] }

    static func value(_ attachment: EvidenceAttachment) -> [UInt8] {
        [attachment.mediaType.rawValue] + Keys.be(UInt64(attachment.size), width: 8)
    }

    static func digest(_ key: UnsafeRawBufferPointer) -> EvidenceDigest {
        EvidenceDigest(bytes: Array(key.prefix(EvidenceDigest.byteCount)))
    }

    static func referrer(_ key: UnsafeRawBufferPointer) -> String {
        String(decoding: key.dropFirst(EvidenceDigest.byteCount), as: UTF8.self)
    }

    static func attachment(_ digest: EvidenceDigest, _ value: UnsafeRawBufferPointer) -> EvidenceAttachment? {
        guard value.count == valueWidth, let type = EvidenceMediaType(rawValue: value[0]) else { return nil }
        return EvidenceAttachment(digest: digest, mediaType: type, size: Int(Keys.read(value, at: 1, width: 8)))
    }
}

/// Gives every transaction its ``EvidenceReferences`` (`tx.evidence`), typed by the
/// transaction, so the writes are there only in a write transaction.
public protocol EvidenceAccess: ReadTransaction {}

extension ReadTransaction: EvidenceAccess {}

extension EvidenceAccess {
    /// The evidence references this transaction sees (and, in a write, changes).
    ///
    /// ```swift
    /// try store.write { tx in try tx.evidence.reference(photo.digest, by: try EvidenceReferrer("request/42")) }
    /// let who = try store.read { tx in try tx.evidence.referrers(of: photo.digest) }
    /// ```
    public var evidence: EvidenceReferences<Self> { EvidenceReferences(tx: self) }
}

/// Which attachments are referenced, and by whom: the reference table, seen through one
/// transaction. A snapshot's copy has its own table, so it says what the snapshot references.
public struct EvidenceReferences<Transaction: ReadTransaction> {
    let tx: Transaction

    /// The attachment as referenced (type and size recorded with the reference), or nil when
    /// nothing references it.
    public func attachment(_ digest: EvidenceDigest) throws -> EvidenceAttachment? {
        try firstReference(digest).flatMap { EvidenceReferenceKey.attachment(digest, $0.value) }
    }

    /// Whether anything references `digest`.
    public func isReferenced(_ digest: EvidenceDigest) throws -> Bool { try firstReference(digest) != nil }

    /// Every referrer of `digest`, in byte order.
    public func referrers(of digest: EvidenceDigest) throws -> [EvidenceReferrer] {
        try tx.ensureValid()
        guard let dbi = tx.dbs.evidence else { return [] }
        let cursor = try tx.txn.cursor(dbi)
        var found = try cursor.seek(digest.bytes)
        var referrers: [EvidenceReferrer] = []
        while found, cursor.keyBytes.starts(with: digest.bytes) {
            referrers.append(try EvidenceReferrer(EvidenceReferenceKey.referrer(cursor.keyBytes)))
            found = try cursor.move(MDB_NEXT)
        }
        return referrers
    }

    /// Whether a referrer of `digest` satisfies `test`, walking the referrers one at a time and
    /// stopping at the first (memory: one referrer, however many requests share a photo).
    public func hasReferrer(of digest: EvidenceDigest, where test: (EvidenceReferrer) throws -> Bool) throws -> Bool {
        try tx.ensureValid()
        guard let dbi = tx.dbs.evidence else { return false }
        let cursor = try tx.txn.cursor(dbi)
        defer { cursor.close() }
        var found = try cursor.seek(digest.bytes)
        while found, cursor.keyBytes.starts(with: digest.bytes) {
            if try test(try EvidenceReferrer(EvidenceReferenceKey.referrer(cursor.keyBytes))) { return true }
            found = try cursor.move(MDB_NEXT)
        }
        return false
    }

    /// The store's attachment size limit (``EvidenceSizeLimit/defaultBytes`` unless set).
    public func sizeLimit() throws -> Int {
        try tx.ensureValid()
        guard let stored = try tx.txn.get(tx.dbs.meta, MetaKey.evidenceSizeLimit) else { return EvidenceSizeLimit.defaultBytes }
        return Int(Keys.read(stored.buffer, width: 8))
    }

    private func firstReference(_ digest: EvidenceDigest) throws -> (key: [UInt8], value: UnsafeRawBufferPointer)? {
        try tx.ensureValid()
        guard let dbi = tx.dbs.evidence else { return nil }
        let cursor = try tx.txn.cursor(dbi)
        guard try cursor.seek(digest.bytes), cursor.keyBytes.starts(with: digest.bytes) else { return nil }
        return (Array(cursor.keyBytes), cursor.valueBytes)
    }

    /// Up to `limit` referenced digests after `start` (from the first when nil), each with its
    /// first ``ReferencedDigest/shownReferrers`` referrers and their count: a walk in short
    /// steps, so no transaction stays open while files are hashed.
    func digests(after start: EvidenceDigest?, limit: Int) throws -> [ReferencedDigest] {
        try tx.ensureValid()
        guard let dbi = tx.dbs.evidence else { return [] }
        let cursor = try tx.txn.cursor(dbi)
        var found = try start.map { try cursor.seek(EvidenceReferenceKey.after($0)) } ?? cursor.move(MDB_FIRST)
        var result: [ReferencedDigest] = []
        while found {
            let digest = EvidenceReferenceKey.digest(cursor.keyBytes)
            if result.last?.digest == digest {
                result[result.count - 1].add(EvidenceReferenceKey.referrer(cursor.keyBytes))
            } else {
                guard result.count < limit else { break }
                var entry = ReferencedDigest(digest: digest, attachment: EvidenceReferenceKey.attachment(digest, cursor.valueBytes))
                entry.add(EvidenceReferenceKey.referrer(cursor.keyBytes))
                result.append(entry)
            }
            found = try cursor.move(MDB_NEXT)
        }
        return result
    }
}

extension EvidenceReferences where Transaction: WriteTransaction {
    /// Records that `referrer` uses the stored attachment `digest` (no copy is made). Doing it
    /// twice is one reference. The attachment must be stored (``EvidenceStore/add(file:)``).
    ///
    /// - Throws: `evidence.notFound` when no attachment has this digest.
    @discardableResult
    public func reference(_ digest: EvidenceDigest, by referrer: EvidenceReferrer) throws -> EvidenceAttachment {
        try tx.ensureValid()
        // The write lock orders this with `lumbung gc`, which removes files inside a write.
        guard let attachment = try EvidenceFiles(storePath: tx.environment.path).attachment(digest) else {
            throw LumbungError(
                .evidenceNotFound, field: "digest", value: digest.hex,
                rule: "no attachment with this digest is stored; add the file first (`lumbung evidence add`)")
        }
        try tx.txn.put(tx.dbs.evidence!, EvidenceReferenceKey.key(digest, referrer), EvidenceReferenceKey.value(attachment))
        return attachment
    }

    /// Drops `referrer`'s reference to `digest`; false when there was none. An attachment
    /// nothing references any more is removed by the next `lumbung gc` unless a snapshot
    /// references it.
    @discardableResult
    public func release(_ digest: EvidenceDigest, by referrer: EvidenceReferrer) throws -> Bool {
        try tx.ensureValid()
        return try tx.txn.delete(tx.dbs.evidence!, EvidenceReferenceKey.key(digest, referrer))
    }

    /// Sets the store's attachment size limit (``EvidenceSizeLimit/allowed``); journaled.
    public func setSizeLimit(_ bytes: Int) throws {
        try tx.ensureValid()
        try EvidenceSizeLimit.check(bytes)
        try tx.txn.put(tx.dbs.meta, MetaKey.evidenceSizeLimit, Keys.be(UInt64(bytes), width: 8))
        try tx.recordEvent("evidence size limit set to \(bytes) bytes")
    }
}

/// One referenced digest of a walk over the reference table.
struct ReferencedDigest {
    /// Referrers kept to name in a report; the rest are counted.
    static let shownReferrers = 3

    let digest: EvidenceDigest
    /// The type and size recorded with the first reference.
    let attachment: EvidenceAttachment?
    var referrers: [String] = []
    var referrerCount = 0

    mutating func add(_ referrer: String) {
        referrerCount += 1
        if referrers.count < Self.shownReferrers { referrers.append(referrer) }
    }

    /// `request/1, request/2 and 3 more`.
    var referrersText: String {
        let more = referrerCount - referrers.count
        return referrers.joined(separator: ", ") + (more > 0 ? " and \(more) more" : "")
    }
}
