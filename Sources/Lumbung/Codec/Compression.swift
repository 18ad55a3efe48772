import CZstd


/// zstd dictionary compression of records.
///
/// One CDict/DDict per dictionary per process; compression and decompression contexts are pooled
/// so each thread borrows one at a time.
final class Compressor: @unchecked Sendable {
    /// zstd level for records. The dictionary does most of the work: on generated households
    /// level 3 packs as tight as 5 and 6 (within 1.5%) at half their cost (BENCHMARKS.md).
    static let level: Int32 = 3
    /// Records shorter than this are stored raw: the frame header would eat the gain.
    static let minimumSize = 48

    private struct Dictionary {
        let compress: OpaquePointer
        let decompress: OpaquePointer
    }

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
        guard let cdict = ZSTD_createCDict(bytes.baseAddress, bytes.count, Self.level),
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

    // MARK: Record envelope: tag byte (0 = raw, 1 = zstd), then for zstd a varint dictionary id.

    static let rawTag: UInt8 = 0
    static let zstdTag: UInt8 = 1

    /// Wraps an encoded record for storage, compressing it with `dictionaryID` when that helps.
    func seal(_ payload: [UInt8], dictionaryID: UInt32?) throws -> [UInt8] {
        guard let dictionaryID, payload.count >= Self.minimumSize, let dictionary = dictionary(dictionaryID) else {
            return [Self.rawTag] + payload
        }
        var out = ByteWriter(capacity: ZSTD_compressBound(payload.count) + 8)
        out.byte(Self.zstdTag)
        out.varint(UInt64(dictionaryID))
        let header = out.bytes.count
        let bound = ZSTD_compressBound(payload.count)
        out.bytes.append(contentsOf: repeatElement(0, count: bound))
        let written = borrowCompression { context in
            out.bytes.withUnsafeMutableBytes { dst in
                payload.withUnsafeBytes { src in
                    ZSTD_CCtx_refCDict(context, dictionary.compress)
                    return ZSTD_compress2(context, dst.baseAddress! + header, bound, src.baseAddress, src.count)
                }
            }
        }
        if ZSTD_isError(written) != 0 {
            throw LumbungError(.storeCompression, rule: String(cString: ZSTD_getErrorName(written)))
        }
        out.bytes.removeLast(bound - written)
        return out.bytes.count < payload.count + 1 ? out.bytes : [Self.rawTag] + payload
    }

    /// The dictionary a stored record names, or nil for a raw record.
    static func dictionaryID(of stored: UnsafeRawBufferPointer) throws -> UInt32? {
        guard let tag = stored.first else { throw ByteReader.corrupt("empty record") }
        if tag == rawTag { return nil }
        var reader = ByteReader(stored)
        reader.offset = 1
        return UInt32(truncatingIfNeeded: try reader.varint())
    }

    /// Calls `body` with the record's encoded payload, decompressing into a scratch buffer.
    func open<R>(_ stored: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let tag = stored.first else { throw ByteReader.corrupt("empty record") }
        if tag == Self.rawTag { return try body(UnsafeRawBufferPointer(rebasing: stored[1...])) }
        guard tag == Self.zstdTag else {
            throw LumbungError(.recordVersion, value: String(tag), rule: "unknown record envelope; a newer Lumbung wrote it")
        }
        var reader = ByteReader(stored)
        reader.offset = 1
        let id = UInt32(truncatingIfNeeded: try reader.varint())
        guard let dictionary = dictionary(id) else {
            throw LumbungError(.recordCorrupt, value: "dictionary \(id)", rule: "the record names a dictionary the store does not have")
        }
        let frame = UnsafeRawBufferPointer(rebasing: stored[reader.offset...])
        let size = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        guard size != ZSTD_CONTENTSIZE_ERROR, size != ZSTD_CONTENTSIZE_UNKNOWN, size < 1 << 24 else {
            throw ByteReader.corrupt("zstd frame")
        }
        return try withUnsafeTemporaryAllocation(byteCount: Int(size), alignment: 8) { scratch in
            let written = borrowDecompression { context in
                ZSTD_decompress_usingDDict(context, scratch.baseAddress, scratch.count, frame.baseAddress, frame.count, dictionary.decompress)
            }
            if ZSTD_isError(written) != 0 {
                throw LumbungError(.recordCorrupt, rule: "zstd: " + String(cString: ZSTD_getErrorName(written)))
            }
            return try body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(scratch)[..<written]))
        }
    }

    /// Trains a dictionary from sample payloads.
    static func train(samples: [[UInt8]], capacity: Int = 64 * 1024) throws -> [UInt8] {
        var joined: [UInt8] = []
        joined.reserveCapacity(samples.reduce(0) { $0 + $1.count })
        var sizes: [Int] = []
        for sample in samples {
            joined.append(contentsOf: sample)
            sizes.append(sample.count)
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
