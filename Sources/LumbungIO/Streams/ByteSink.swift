#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import Lumbung

/// A buffered, atomic writer to a file or stdout, zstd-compressing when the path ends in `.zst`.
///
/// Bytes go to `path.tmp-<random>` next to the target; ``close()`` flushes, finishes the zstd
/// frame (level 3, content checksum), syncs and renames it onto `path`. A sink that is never
/// closed (an error, a crash) leaves no partial file at `path`: ``abandon()`` or `deinit`
/// removes the temporary file.
///
/// ```swift
/// let sink = try ByteSink(path: "ekspor.csv.zst")
/// try sink.write("nomor_kk,nik\n")
/// try sink.close()   // now ekspor.csv.zst exists, complete
/// ```
public final class ByteSink {
    /// The target path (`-` for standard output).
    public let path: String
    /// Whether output is zstd-compressed.
    public let isCompressed: Bool
    /// The temporary file being written, renamed onto ``path`` by ``close()``; `nil` for stdout.
    public let temporaryPath: String?

    private var fd: Int32
    private var buffer: [UInt8]
    private var count = 0
    private var encoder: ZstdEncoder?
    private var isOpen = true
    private let durable: Bool

    /// Creates the sink. `-` writes to standard output (not atomic, never renamed).
    /// - Parameters:
    ///   - compress: `nil` (default) compresses when the path ends in `.zst`.
    ///   - level: the zstd level, 3 by default.
    ///   - durable: `false` for a scratch file that is read back and deleted (an .xlsx's sheet
    ///     before it is zipped): ``close()`` renames it without syncing it first.
    public init(path: String, compress: Bool? = nil, level: Int32 = 3, bufferSize: Int = 1 << 20, durable: Bool = true) throws {
        self.path = path
        self.durable = durable
        let compress = compress ?? path.hasSuffix(".zst")
        self.isCompressed = compress
        self.buffer = [UInt8](repeating: 0, count: max(bufferSize, 64))
        if path == "-" {
            fd = 1
            temporaryPath = nil
        } else {
            var opened: Int32 = -1
            var name = ""
            for _ in 0..<16 {
                let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
                name = "\(path).tmp-\(String(repeating: "0", count: 8 - suffix.count))\(suffix)"
                opened = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
                if opened >= 0 || errno != EEXIST { break }
            }
            if opened < 0 { throw ByteSource.ioError("cannot create \(name)", path) }
            fd = opened
            temporaryPath = name
        }
        if compress {
            do { encoder = try ZstdEncoder(level: level, checksum: true) } catch {
                abandon()
                throw error
            }
        }
    }

    deinit { abandon() }

    /// Appends raw bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard isOpen else { throw closedError() }
        guard bytes.count > 0 else { return }
        if bytes.count > buffer.count - count {
            try flushBuffer()
            if bytes.count >= buffer.count {
                try emit(bytes)
                return
            }
        }
        buffer.withUnsafeMutableBytes { ($0.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
        count += bytes.count
    }

    /// Appends bytes.
    public func write(_ bytes: some Sequence<UInt8>) throws {
        if let done = try bytes.withContiguousStorageIfAvailable({ try write(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        try write(Array(bytes))
    }

    /// Appends a string as UTF-8.
    public func write(_ string: String) throws {
        var string = string
        try string.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends one byte.
    @inline(__always)
    public func write(byte: UInt8) throws {
        if count == buffer.count { try flushBuffer() }
        guard isOpen else { throw closedError() }
        buffer[count] = byte
        count += 1
    }

    /// Flushes buffered bytes (and compressed data so far) to the file.
    public func flush() throws {
        guard isOpen else { throw closedError() }
        try flushBuffer()
    }

    /// Finishes the file: flushes, ends the zstd frame, syncs and renames it onto ``path``.
    /// On failure the temporary file is removed and `path` is left untouched.
    public func close() throws {
        guard isOpen else { return }
        do {
            try flushBuffer()
            if let encoder {
                try encoder.compress(UnsafeRawBufferPointer(start: nil, count: 0), end: true) { try writeAll($0) }
            }
            if let temporaryPath {
                if durable && fsync(fd) != 0 { throw ByteSource.ioError("cannot sync \(temporaryPath)", path) }
                let fd = self.fd
                self.fd = -1
                if Glibc_close(fd) != 0 { throw ByteSource.ioError("cannot close \(temporaryPath)", path) }
                if rename(temporaryPath, path) != 0 { throw ByteSource.ioError("cannot rename \(temporaryPath) to", path) }
            }
            isOpen = false
            encoder = nil
        } catch {
            abandon()
            throw error
        }
    }

    /// Gives up: closes and deletes the temporary file; `path` is not created or changed.
    public func abandon() {
        guard isOpen else { return }
        isOpen = false
        encoder = nil
        if let temporaryPath {
            if fd >= 0 { _ = Glibc_close(fd) }
            unlink(temporaryPath)
        }
        fd = -1
    }

    private func flushBuffer() throws {
        guard count > 0 else { return }
        let n = count
        count = 0
        try buffer.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws {
        if let encoder {
            try encoder.compress(bytes, end: false) { try writeAll($0) }
        } else {
            try writeAll(bytes)
        }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc_write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw ByteSource.ioError("cannot write \(temporaryPath ?? "stdout")", path)
            }
            offset += n
        }
    }

    private func closedError() -> LumbungError {
        LumbungError(.fileIO, field: path, rule: "the sink is already closed")
    }
}

@inline(__always) func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
