import Foundation

/// Writes the copy's buffers to its file, in order, on a thread of its own, so the disk writes
/// while the next buffer is read from the pipe and hashed; then syncs the file. Two buffers: one
/// is filled while the other is written.
///
/// The file is written past the page cache (`O_DIRECT`) when its file system allows it, as
/// `mdb_env_copy2` writes its copies: no copy of the 3.6 GB of a national store into the cache,
/// no writeback after it. Otherwise through the cache, pushed to the disk every
/// ``SnapshotCopy/writebackStep`` so that at most two steps wait dirty.
final class CopyFileWriter: @unchecked Sendable {
    /// Bytes written at a time.
    static let bufferSize = 4 << 20

    private let file: Int32
    private let path: String
    private let needed: Int
    private var direct: Bool
    private let buffers = (0..<2).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: CopyFileWriter.bufferSize, alignment: 4096) }
    /// Each buffer's byte count, set by the filler before it hands the buffer over; -1 ends.
    private var counts = [0, 0]
    /// The buffer the filler fills next.
    private var filling = 0
    /// Signalled once for each buffer at the start: a semaphore made with a value must not be
    /// freed below it (libdispatch traps), and the last `close()` leaves one taken.
    private let empty = DispatchSemaphore(value: 0)
    private let full = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let failure = Locked<(any Error)?>(nil)
    private var closed = false

    init(_ file: Int32, path: String, needed: Int) {
        self.file = file
        self.path = path
        self.needed = needed
        direct = fcntl(file, F_SETFL, fcntl(file, F_GETFL) | Linux.direct) == 0
        for _ in buffers { empty.signal() }
        Parallel.thread { [self] in run() }
    }

    deinit { buffers.forEach { $0.deallocate() } }

    /// The next buffer to fill, once the writer is done with it; the write error, if one failed.
    func emptyBuffer() throws -> UnsafeMutableRawBufferPointer {
        empty.wait()
        if let error = failure.withLock({ $0 }) {
            empty.signal()
            throw error
        }
        return buffers[filling]
    }

    /// Hands the buffer ``emptyBuffer()`` gave, holding `count` bytes, to the writer.
    func write(_ count: Int) {
        counts[filling] = count
        filling ^= 1
        full.signal()
    }

    /// Waits for every buffer to be written and the file synced; the first error.
    func finish() throws {
        close()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Ends the writer's thread once it wrote what it was given (idempotent).
    func close() {
        guard !closed else { return }
        closed = true
        empty.wait()
        counts[filling] = -1
        full.signal()
        stopped.wait()
    }

    private func run() {
        var index = 0, total = 0, pushed = 0, waited = 0
        while true {
            full.wait()
            let count = counts[index]
            if count < 0 { break }
            if failure.withLock({ $0 }) == nil {
                do {
                    try write(UnsafeRawBufferPointer(rebasing: buffers[index][..<count]))
                    total += count
                    if !direct && total - pushed >= SnapshotCopy.writebackStep {
                        // Start writing the step just filled, and wait for the one before: the
                        // disk works while the copy goes on.
                        Linux.syncFileRange(file, from: pushed, count: total - pushed, Linux.startWriting)
                        if pushed > waited {
                            Linux.syncFileRange(file, from: waited, count: pushed - waited, Linux.waitBefore | Linux.startWriting | Linux.waitAfter)
                            waited = pushed
                        }
                        pushed = total
                    }
                } catch {
                    failure.withLock { $0 = error }
                }
            }
            index ^= 1
            empty.signal()
        }
        if failure.withLock({ $0 }) == nil && fsync(file) != 0 {
            let error = LumbungError(.storeIO, value: path, rule: "fsync failed: \(String(cString: strerror(errno)))")
            failure.withLock { $0 = error }
        }
        stopped.signal()
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws {
        // Only the last buffer can be short; O_DIRECT takes whole blocks (LMDB's pages are).
        if direct && bytes.count % 4096 != 0 {
            direct = fcntl(file, F_SETFL, fcntl(file, F_GETFL) & ~Linux.direct) != 0
        }
        var offset = 0
        while offset < bytes.count {
            let done = Glibc.write(file, bytes.baseAddress! + offset, bytes.count - offset)
            if done < 0 {
                if errno == EINTR { continue }
                let error = LumbungError(.storeIO, value: path, rule: "cannot write the copy: \(String(cString: strerror(errno)))")
                throw StorageFull.refine(error, path: path, needed: needed)
            }
            offset += done
        }
    }
}
