import CZstd

/// One thread's own zstd decompression context: opens stored records into memory the caller
/// owns, with no lock taken per record (the ``Compressor``'s shared context pool costs two lock
/// round trips a record, and its scratch buffer a copy).
///
/// ```swift
/// let decompressor = RecordDecompressor(compressor)      // one per worker thread
/// let envelope = try Compressor.Envelope(stored)
/// let size = try envelope.payloadSize()
/// let written = try decompressor.decompress(envelope, into: destination, capacity: size)
/// ```
///
/// Not to be shared between threads. The dictionaries the records name must be registered first
/// (``Environment/loadDictionaries(_:)``).
final class RecordDecompressor {
    private let compressor: Compressor
    private let context: OpaquePointer
    /// The dictionary last used, by id: a store's records mostly name one.
    private var lastDictionary: (id: UInt32, pointer: OpaquePointer)?

    init(_ compressor: Compressor) {
        self.compressor = compressor
        context = ZSTD_createDCtx()!
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Writes the record's payload to `destination` (at least its ``Compressor/Envelope/payloadSize()`` bytes); the
    /// bytes written.
    func decompress(_ envelope: Compressor.Envelope, into destination: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        try envelope.decompress(into: destination, capacity: capacity, context: context, dictionary: try dictionary(envelope.dictionaryID))
    }

    private func dictionary(_ id: UInt32?) throws -> OpaquePointer? {
        guard let id else { return nil }
        if let last = lastDictionary, last.id == id { return last.pointer }
        let pointer = try compressor.decompressionDictionary(id)
        lastDictionary = (id, pointer)
        return pointer
    }
}
