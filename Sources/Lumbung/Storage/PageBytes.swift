/// A value's bytes on a page of a read transaction, handed to worker threads: valid while the
/// transaction lives, and only read (LMDB maps its pages read-only).
///
/// ```swift
/// let stored = PageBytes(bytes: cursor.valueBytes)
/// Parallel.run(2) { part in decode(stored.bytes) }  // while the transaction is open
/// ```
struct PageBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
}
