import CZstd


/// zstd dictionary compression of records.
///
/// One CDict/DDict per dictionary per process; compression and decompression contexts are pooled
/// so each thread borrows one at a time.
final class Compressor: @unchecked Sendable {
    /// zstd's parameters for records: level 3's strategy (double fast) with tables sized to a
    /// 64 KiB dictionary and matches of 5 bytes or more. The dictionary does most of the work:
    /// on generated households this packs about 1% tighter than level 3 at its speed; only the
    /// binary-tree strategies (level 11 on) gain more, 7%, at four times the cost (BENCHMARKS.md).
    static let parameters = ZSTD_compressionParameters(
        windowLog: 17, chainLog: 17, hashLog: 17, searchLog: 1, minMatch: 5, targetLength: 0, strategy: ZSTD_dfast)
    /// Records shorter than this are stored raw: the frame header would eat the gain.
    static let minimumSize = 48

    private struct Dictionary {
        let compress: OpaquePointer
        let decompress: OpaquePointer
    }

    /// How a sealed record holds its compressed bytes.
    enum Form: Sendable {
        /// One zstd frame (``zstdTag``, ``plainHeadTag``): what stores of format 2 and older hold.
        case frame
        /// One bare zstd block after the payload's length (``blockTag``), without the frame's
        /// magic number, header and block header: about 8 bytes a record less (format 3).
        case block
    }

    /// The form ``seal(_:dictionaryID:form:)`` writes unless told: the store's format's, set when
    /// the store is opened (``Environment``), before any write.
    var form: Form = .block

    private let dictionaries = Locked<[UInt32: Dictionary]>([:])
    private let compressionContexts = Locked<[OpaquePointer]>([])
    private let decompressionContexts = Locked<[OpaquePointer]>([])

    deinit {
        dictionaries.withLock { all in
            for dictionary in all.values {
                ZSTD_freeCDict(dictionary.compress)
                ZSTD_freeDDict(dictionary.decompress)
            }
        }
        compressionContexts.withLock { $0.forEach { ZSTD_freeCCtx($0) } }
        decompressionContexts.withLock { $0.forEach { ZSTD_freeDCtx($0) } }
    }

    func hasDictionary(_ id: UInt32) -> Bool { dictionaries.withLock { $0[id] != nil } }

    /// Registers a dictionary's bytes under its id (once per process).
    func register(_ id: UInt32, bytes: UnsafeRawBufferPointer) throws {
        if hasDictionary(id) { return }
        guard let cdict = ZSTD_createCDict_advanced(
                bytes.baseAddress, bytes.count, ZSTD_dlm_byCopy, ZSTD_dct_auto, Self.parameters,
                ZSTD_customMem(customAlloc: nil, customFree: nil, opaque: nil)),
            let ddict = ZSTD_createDDict(bytes.baseAddress, bytes.count)
        else {
            throw LumbungError(.storeCompression, value: "dictionary \(id)", rule: "zstd could not load the dictionary")
        }
        dictionaries.withLock { all in
            if all[id] == nil {
                all[id] = Dictionary(compress: cdict, decompress: ddict)
            } else {
                ZSTD_freeCDict(cdict)
                ZSTD_freeDDict(ddict)
            }
        }
    }

    private func dictionary(_ id: UInt32) -> Dictionary? { dictionaries.withLock { $0[id] } }

    private func borrowCompression<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        let context = compressionContexts.withLock { $0.popLast() } ?? Self.makeCompressionContext()
        defer { compressionContexts.withLock { $0.append(context) } }
        return try body(context)
    }

    /// A context that writes neither the dictionary id (the envelope names it) nor a checksum.
    private static func makeCompressionContext() -> OpaquePointer {
        let context = ZSTD_createCCtx()!
        ZSTD_CCtx_setParameter(context, ZSTD_c_dictIDFlag, 0)
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 0)
        ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 1)
        return context
    }

    private func borrowDecompression<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        let context = decompressionContexts.withLock { $0.popLast() } ?? ZSTD_createDCtx()!
        defer { decompressionContexts.withLock { $0.append(context) } }
        return try body(context)
    }

    // MARK: Record envelope
    //
    // A tag byte, then:
    // - 0 (raw): the payload;
    // - 1 (zstd): a varint dictionary id and one zstd frame of the payload;
    // - 2 (zstd, plain head): a varint dictionary id, the plain head's length (varint) and bytes
    //   (``RecordCodec/plainHeadLength(_:)``), then one zstd frame of the rest. A ranking rewrites
    //   the head and keeps the frame as it is (``resealed(_:head:)``).
    // - 3 (zstd block, plain head; format 3): as 2, but the rest is its length once opened
    //   (varint) and one bare zstd block (``Form/block``).

    static let rawTag: UInt8 = 0
    static let zstdTag: UInt8 = 1
    static let plainHeadTag: UInt8 = 2
    static let blockTag: UInt8 = 3

    /// Wraps an encoded record for storage, compressing it with `dictionaryID` when that helps,
    /// in `form` (the store's, ``form``, unless told). A v2 payload's plain head stays outside
    /// the compressed bytes.
    func seal(_ payload: [UInt8], dictionaryID: UInt32?, form: Form? = nil) throws -> [UInt8] {
        guard let dictionaryID, payload.count >= Self.minimumSize, let dictionary = dictionary(dictionaryID) else {
            return [Self.rawTag] + payload
        }
        let plain = try payload.withUnsafeBytes { try RecordCodec.plainHeadLength($0) }
        // A block holds at most 128 KiB; a larger record (none in practice) stays a frame.
        let block = (form ?? self.form) == .block && plain > 0 && payload.count - plain <= ZSTD_BLOCKSIZE_MAX
        let bound = ZSTD_compressBound(payload.count - plain)
        var out = ByteWriter(capacity: bound + plain + 16)
        out.byte(block ? Self.blockTag : plain > 0 ? Self.plainHeadTag : Self.zstdTag)
        out.varint(UInt64(dictionaryID))
        if plain > 0 {
            out.varint(UInt64(plain))
            out.bytes.append(contentsOf: payload[..<plain])
        }
        if block { out.varint(UInt64(payload.count - plain)) }
        let header = out.bytes.count
        out.bytes.append(contentsOf: repeatElement(0, count: bound))
        let written = borrowCompression { context in
            out.bytes.withUnsafeMutableBytes { dst in
                payload.withUnsafeBytes { src in
                    if block {
                        let begun = ZSTD_compressBegin_usingCDict(context, dictionary.compress)
                        if ZSTD_isError(begun) != 0 { return begun }
                        return ZSTD_compressBlock(context, dst.baseAddress! + header, bound, src.baseAddress! + plain, src.count - plain)
                    }
                    ZSTD_CCtx_refCDict(context, dictionary.compress)
                    return ZSTD_compress2(context, dst.baseAddress! + header, bound, src.baseAddress! + plain, src.count - plain)
                }
            }
        }
        if ZSTD_isError(written) != 0 {
            throw LumbungError(.storeCompression, rule: String(cString: ZSTD_getErrorName(written)))
        }
        // A block of 0 bytes means zstd found nothing to gain: the record stays raw.
        if block && written == 0 { return [Self.rawTag] + payload }
        out.bytes.removeLast(bound - written)
        return out.bytes.count < payload.count + 1 ? out.bytes : [Self.rawTag] + payload
    }

    /// A stored record's parts: its tag, dictionary, plain head (empty but for tag 2) and the
    /// zstd frame (or, raw, the payload).
    struct Envelope {
        var tag: UInt8
        var dictionaryID: UInt32?
        var plainHead: UnsafeRawBufferPointer
        var rest: UnsafeRawBufferPointer
        /// The length of `rest` once opened, for a block (which does not state it); else nil.
        var blockContentSize: Int?

        /// Whether the plain head is kept outside the compressed bytes (tags 2 and 3).
        var keepsPlainHead: Bool { Self.keepsPlainHead(tag) }
        static func keepsPlainHead(_ tag: UInt8) -> Bool { tag == Compressor.plainHeadTag || tag == Compressor.blockTag }

        init(_ stored: UnsafeRawBufferPointer) throws {
            guard let tag = stored.first else { throw ByteReader.corrupt("empty record") }
            self.tag = tag
            var reader = ByteReader(stored)
            reader.offset = 1
            switch tag {
            case Compressor.rawTag:
                dictionaryID = nil
            case Compressor.zstdTag, Compressor.plainHeadTag, Compressor.blockTag:
                dictionaryID = UInt32(truncatingIfNeeded: try reader.varint())
            default:
                throw LumbungError(.recordVersion, value: String(tag), rule: "unknown record envelope; a newer Lumbung wrote it")
            }
            let plain = Self.keepsPlainHead(tag) ? try reader.int() : 0
            guard plain <= stored.count - reader.offset else { throw ByteReader.corrupt("plain head") }
            plainHead = UnsafeRawBufferPointer(rebasing: stored[reader.offset..<reader.offset + plain])
            reader.offset += plain
            if tag == Compressor.blockTag {
                let size = try reader.int()
                guard size <= ZSTD_BLOCKSIZE_MAX else { throw ByteReader.corrupt("zstd block") }
                blockContentSize = size
            }
            rest = UnsafeRawBufferPointer(rebasing: stored[reader.offset...])
        }

        /// The payload's length once opened: the plain head and the frame's stated content size
        /// (zstd checks the frame against it) or the block's, or the raw payload's length.
        func payloadSize() throws -> Int {
            guard dictionaryID != nil else { return rest.count }
            if let blockContentSize { return plainHead.count + blockContentSize }
            let size = ZSTD_getFrameContentSize(rest.baseAddress, rest.count)
            guard size != ZSTD_CONTENTSIZE_ERROR, size != ZSTD_CONTENTSIZE_UNKNOWN, size < 1 << 24 else {
                throw ByteReader.corrupt("zstd frame")
            }
            return plainHead.count + Int(size)
        }

        /// Writes the payload (the plain head, then the frame decompressed with `dictionary`, or
        /// the raw payload) to `destination`, which holds at least ``payloadSize()`` bytes; the
        /// bytes written.
        func decompress(into destination: UnsafeMutableRawPointer, capacity: Int, context: OpaquePointer, dictionary: OpaquePointer?) throws -> Int {
            guard let dictionary else {
                if !rest.isEmpty { destination.copyMemory(from: rest.baseAddress!, byteCount: rest.count) }
                return rest.count
            }
            let plain = plainHead.count
            if plain > 0 { destination.copyMemory(from: plainHead.baseAddress!, byteCount: plain) }
            var written: Int
            if let blockContentSize {
                written = ZSTD_decompressBegin_usingDDict(context, dictionary)
                if ZSTD_isError(written) == 0 {
                    written = ZSTD_decompressBlock(context, destination + plain, capacity - plain, rest.baseAddress, rest.count)
                }
                // A block states no length or checksum: the one stored beside it must agree.
                if ZSTD_isError(written) == 0, written != blockContentSize {
                    throw LumbungError(.recordCorrupt, rule: "zstd block of \(written) bytes, not the \(blockContentSize) stated")
                }
            } else {
                written = ZSTD_decompress_usingDDict(context, destination + plain, capacity - plain, rest.baseAddress, rest.count, dictionary)
            }
            if ZSTD_isError(written) != 0 {
                throw LumbungError(.recordCorrupt, rule: "zstd: " + String(cString: ZSTD_getErrorName(written)))
            }
            return plain + written
        }
    }

    /// The dictionary a stored record names, or nil for a raw record.
    static func dictionaryID(of stored: UnsafeRawBufferPointer) throws -> UInt32? {
        try Envelope(stored).dictionaryID
    }

    /// The stored record with its plain head replaced by `head` and its frame kept byte for byte;
    /// nil when the record has no plain head (it must be re-encoded and sealed instead).
    static func resealed(_ stored: UnsafeRawBufferPointer, head: [UInt8]) throws -> [UInt8]? {
        let envelope = try Envelope(stored)
        guard envelope.keepsPlainHead, let dictionaryID = envelope.dictionaryID else { return nil }
        var out = ByteWriter(capacity: envelope.rest.count + head.count + 16)
        out.byte(envelope.tag)
        out.varint(UInt64(dictionaryID))
        out.varint(UInt64(head.count))
        out.bytes.append(contentsOf: head)
        if let size = envelope.blockContentSize { out.varint(UInt64(size)) }
        out.bytes.append(contentsOf: envelope.rest)
        return out.bytes
    }

    /// Calls `body` with the record's encoded payload, decompressing into a scratch buffer.
    func open<R>(_ stored: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let envelope = try Envelope(stored)
        guard let id = envelope.dictionaryID else { return try body(envelope.rest) }
        let dictionary = try decompressionDictionary(id)
        return try withUnsafeTemporaryAllocation(byteCount: max(1, try envelope.payloadSize()), alignment: 8) { scratch in
            let written = try borrowDecompression { context in
                try envelope.decompress(into: scratch.baseAddress!, capacity: scratch.count, context: context, dictionary: dictionary)
            }
            return try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(scratch)[..<written]))
        }
    }

    /// The zstd decompression dictionary registered under `id` (`record.corrupt` when the store
    /// has none such).
    func decompressionDictionary(_ id: UInt32) throws -> OpaquePointer {
        guard let dictionary = dictionary(id) else {
            throw LumbungError(.recordCorrupt, value: "dictionary \(id)", rule: "the record names a dictionary the store does not have")
        }
        return dictionary.decompress
    }

    /// Trains a dictionary from sample payloads.
    static func train(samples: [[UInt8]], capacity: Int = 64 * 1024) throws -> [UInt8] {
        var joined: [UInt8] = []
        joined.reserveCapacity(samples.reduce(0) { $0 + $1.count })
        var sizes: [Int] = []
        for sample in samples {
            // What a frame holds: the sample without its plain head.
            let plain = (try? sample.withUnsafeBytes { try RecordCodec.plainHeadLength($0) }) ?? 0
            joined.append(contentsOf: sample[plain...])
            sizes.append(sample.count - plain)
        }
        var dictionary = [UInt8](repeating: 0, count: capacity)
        let size = dictionary.withUnsafeMutableBytes { dst in
            joined.withUnsafeBytes { src in
                ZDICT_trainFromBuffer(dst.baseAddress, capacity, src.baseAddress, sizes, UInt32(sizes.count))
            }
        }
        if ZDICT_isError(size) != 0 {
            throw LumbungError(.storeCompression, rule: "dictionary training failed: " + String(cString: ZDICT_getErrorName(size)))
        }
        dictionary.removeLast(capacity - size)
        return dictionary
    }
}
