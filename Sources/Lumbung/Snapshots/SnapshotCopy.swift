import CLMDB
import Crypto
import Foundation

/// A compacted copy of an LMDB environment written to a file and hashed on its way there: LMDB
/// writes the copy into a pipe, one thread reads it into whole buffers and feeds SHA-256, and
/// ``CopyFileWriter`` writes each buffer to the file (past the page cache where it can) while the
/// next is read. So the copy is never read back to be hashed, and its pages go to the disk while
/// the copy runs, so the final fsync has little left to do.
///
/// ```swift
/// let copy = try SnapshotCopy(environment, to: "/store/snapshots/.tmp-2026-11/data.mdb")
/// copy.waitUntilStarted()              // the copy's read transaction exists
/// let (bytes, hex) = try copy.finish() // written, synced, hashed
/// ```
///
/// The caller keeps the map from growing until ``finish()`` returns (a read transaction open on
/// the environment does: ``Environment/withRead(_:)``), as for `mdb_env_copy2`.
final class SnapshotCopy: @unchecked Sendable {
    /// The pipe's capacity asked for (best effort).
    static let pipeSize = 1 << 20
    /// Bytes between two writebacks when the file is written through the page cache: at most two
    /// of these are dirty in the cache at once.
    static let writebackStep = 64 << 20

    private let started = DispatchSemaphore(value: 0)
    private let copied = DispatchSemaphore(value: 0)
    private let written = DispatchSemaphore(value: 0)
    private let copyResult = Locked<Result<Void, any Error>?>(nil)
    private let fileResult = Locked<Result<FileDigest.Sum, any Error>?>(nil)

    /// Starts the copy of `environment` into a new file at `path` (which must not exist).
    init(_ environment: Environment, to path: String) throws {
        let file = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard file >= 0 else {
            throw LumbungError(.storeIO, value: path, rule: "cannot create the copy: \(String(cString: strerror(errno)))")
        }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(file)
            throw LumbungError(.storeIO, value: path, rule: "cannot create a pipe for the copy: \(reason)")
        }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        let needed = environment.usedBytes
        // A bigger pipe: fewer wake-ups between LMDB's writer and ours (best effort).
        _ = fcntl(writeEnd, Linux.setPipeSize, Int32(Self.pipeSize))
        // The handle, not the Environment: a thread winding down after `finish()` must not keep the
        // store open (a restore right after a create would find it `store.alreadyOpen`). The
        // caller keeps the environment open until `finish()` returns.
        nonisolated(unsafe) let handle = environment.handle
        let source = environment.path
        Parallel.thread { [self] in
            let rc = mdb_env_copyfd2(handle, writeEnd, UInt32(MDB_CP_COMPACT))
            Glibc.close(writeEnd)
            copyResult.withLock { $0 = Result { try LMDB.check(rc, "copy \(source) to \(path)") } }
            copied.signal()
        }
        Parallel.thread { [self] in
            let result = Result { try Self.drain(readEnd, into: file, path: path, needed: needed, started: started) }
            // Closing the read end makes a copy still writing fail (EPIPE) instead of waiting.
            Glibc.close(readEnd)
            Glibc.close(file)
            fileResult.withLock { $0 = result }
            written.signal()
        }
    }

    /// Returns once the copy's read transaction has begun (its first bytes arrived), or once the
    /// copy ended without any. LMDB begins that transaction before it hands out a byte.
    func waitUntilStarted() {
        started.wait()
        started.signal()
    }

    /// Waits for the copy to be written and synced; its size and SHA-256. A failed write (a full
    /// disk) is the error to report: LMDB then only sees its pipe closed.
    func finish() throws -> FileDigest.Sum {
        copied.wait()
        written.wait()
        let file = try fileResult.withLock { $0 }!.get()
        try copyResult.withLock { $0 }!.get()
        return file
    }

    /// Moves the pipe's bytes to the file, hashing them; ``CopyFileWriter`` writes each buffer on its
    /// own thread while the next one is read and hashed, then syncs the file.
    private static func drain(_ pipe: Int32, into file: Int32, path: String, needed: Int, started: DispatchSemaphore) throws -> FileDigest.Sum {
        var signalled = false
        defer { if !signalled { started.signal() } }
        let writer = CopyFileWriter(file, path: path, needed: needed)
        defer { writer.close() }
        var hasher = SHA256()
        var total = 0
        while true {
            let buffer = try writer.emptyBuffer()
            let count = try fill(buffer, from: pipe, path: path)
            if count > 0 && !signalled {
                signalled = true
                started.signal()
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            writer.write(count)
            total += count
            if count < buffer.count { break }
        }
        try writer.finish()
        return (total, FileDigest.hex(hasher.finalize()))
    }

    /// Reads the pipe until `buffer` is full or the copy ended; the bytes read. Whole buffers keep
    /// every write but the last aligned, as `O_DIRECT` needs.
    private static func fill(_ buffer: UnsafeMutableRawBufferPointer, from pipe: Int32, path: String) throws -> Int {
        var count = 0
        while count < buffer.count {
            let done = read(pipe, buffer.baseAddress! + count, buffer.count - count)
            if done < 0 {
                if errno == EINTR { continue }
                throw LumbungError(.storeIO, value: path, rule: "cannot read the copy: \(String(cString: strerror(errno)))")
            }
            if done == 0 { break }
            count += done
        }
        return count
    }
}

/// Linux calls the Glibc module does not import (they need `_GNU_SOURCE`); values from
/// `<fcntl.h>` and `<linux/fs.h>`.
enum Linux {
    static let setPipeSize: Int32 = 1031  // F_SETPIPE_SZ
    #if arch(arm64)
    static let direct: Int32 = 0o200000  // O_DIRECT
    #else
    static let direct: Int32 = 0o40000  // O_DIRECT
    #endif
    static let waitBefore: UInt32 = 1  // SYNC_FILE_RANGE_WAIT_BEFORE
    static let startWriting: UInt32 = 2  // SYNC_FILE_RANGE_WRITE
    static let waitAfter: UInt32 = 4  // SYNC_FILE_RANGE_WAIT_AFTER

    private typealias SyncFileRange = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
    private static let syncFileRangeCall: SyncFileRange? =
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range").map { unsafeBitCast($0, to: SyncFileRange.self) }

    /// `sync_file_range(2)`, best effort: the final fsync makes the file durable anyway.
    static func syncFileRange(_ file: Int32, from offset: Int, count: Int, _ flags: UInt32) {
        _ = syncFileRangeCall?(file, Int64(offset), Int64(count), flags)
    }
}
