import CLMDB
import Crypto
import Foundation

/// A compacted copy of an LMDB environment written to a file and hashed on its way there: LMDB
/// writes the copy into a pipe, and one thread moves it to the file, feeding SHA-256 as it goes.
/// So the copy is never read back to be hashed, and its pages go to the disk while the copy runs
/// (each ``writebackStep`` is pushed out as it is written, the one before waited for), so the
/// final fsync has little left to do.
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
    /// Bytes read from the pipe at a time (one buffer, reused).
    static let readSize = 1 << 20
    /// Bytes between two writebacks: at most two of these are dirty in the page cache at once.
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
        _ = fcntl(writeEnd, Linux.setPipeSize, Int32(Self.readSize))
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

    /// Moves the pipe's bytes to the file, hashing them, then syncs the file.
    private static func drain(_ pipe: Int32, into file: Int32, path: String, needed: Int, started: DispatchSemaphore) throws -> FileDigest.Sum {
        var signalled = false
        defer { if !signalled { started.signal() } }
        var hasher = SHA256()
        var total = 0, pushed = 0, waited = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 4096)
        defer { buffer.deallocate() }
        while true {
            let count = read(pipe, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw LumbungError(.storeIO, value: path, rule: "cannot read the copy: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            if !signalled {
                signalled = true
                started.signal()
            }
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            hasher.update(bufferPointer: bytes)
            var offset = 0
            while offset < count {
                let done = write(file, bytes.baseAddress! + offset, count - offset)
                if done < 0 {
                    if errno == EINTR { continue }
                    let error = LumbungError(.storeIO, value: path, rule: "cannot write the copy: \(String(cString: strerror(errno)))")
                    throw StorageFull.refine(error, path: path, needed: needed)
                }
                offset += done
            }
            total += count
            // Start writing the step just filled, and wait for the one before: the disk works
            // while the copy goes on, and the page cache holds at most two steps dirty.
            if total - pushed >= writebackStep {
                Linux.syncFileRange(file, from: pushed, count: total - pushed, Linux.startWriting)
                if pushed > waited {
                    Linux.syncFileRange(file, from: waited, count: pushed - waited, Linux.waitBefore | Linux.startWriting | Linux.waitAfter)
                    waited = pushed
                }
                pushed = total
            }
        }
        guard fsync(file) == 0 else {
            throw LumbungError(.storeIO, value: path, rule: "fsync failed: \(String(cString: strerror(errno)))")
        }
        return (total, FileDigest.hex(hasher.finalize()))
    }
}

/// Linux calls the Glibc module does not import (they need `_GNU_SOURCE`); values from
/// `<fcntl.h>` and `<linux/fs.h>`.
private enum Linux {
    static let setPipeSize: Int32 = 1031  // F_SETPIPE_SZ
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
