#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import Lumbung

/// Reads a file (or stdin) in chunks, transparently decompressing zstd.
///
/// Decompresses when the path ends in `.zst` or the data starts with the zstd magic
/// (`28 B5 2F FD`, or a skippable frame); any number of concatenated frames is read.
/// Memory stays constant: one chunk of input and whatever the caller buffers.
///
/// ```swift
/// let source = try ByteSource(path: "rumah_tangga.jsonl.zst")
/// while let line = try source.nextLine() {
///     print(source.lineNumber, line.count)   // the slice is valid until the next call
/// }
/// ```
///
/// Use either the chunk API (``read(into:)``, ``nextChunk()``) or ``nextLine()``; if you mix
/// them, bytes already buffered for lines are handed out first, so nothing is lost.
public final class ByteSource {
    /// The default size of one read: 1 MiB.
    public static let defaultChunkSize = 1 << 20

    /// The path given (`-` for stdin), or a name for in-memory input; used in error messages.
    public let name: String
    /// Whether the input is zstd-compressed.
    public private(set) var isCompressed = false
    /// The 1-based number of the line last returned by ``nextLine()`` (0 before the first).
    public private(set) var lineNumber = 0
    /// The preferred size of one chunk.
    public let chunkSize: Int
    /// How many bytes were read from the input so far (compressed bytes for `.zst`), for progress.
    public private(set) var bytesConsumed = 0

    private enum Input {
        case file(Int32, owned: Bool)
        case memory([UInt8], position: Int)
    }

    private var input: Input
    private var rawEOF = false
    private var raw: [UInt8]
    private var rawPosition = 0
    private var rawCount = 0
    private var decoder: ZstdDecoder?
    private var chunk: [UInt8] = []
    private var lineBuffer: [UInt8] = []
    private var lineStart = 0
    private var lineEnd = 0
    private var lineScan = 0

    /// Opens `path` for reading; `-` reads standard input.
    /// - Parameter decompress: `nil` (default) decides by the `.zst` suffix and the zstd magic.
    public convenience init(path: String, chunkSize: Int = ByteSource.defaultChunkSize, decompress: Bool? = nil)
        throws
    {
        let input: Input
        if path == "-" {
            input = .file(0, owned: false)
        } else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { throw ByteSource.ioError("cannot open", path) }
            var info = stat()
            if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                _ = Glibc_close(fd)
                throw ByteSource.directoryError(path)
            }
            input = .file(fd, owned: true)
        }
        let force = decompress ?? (path.hasSuffix(".zst") ? true : nil)
        try self.init(input: input, name: path, chunkSize: chunkSize, decompress: force)
    }

    /// Reads from bytes in memory (compressed or not) — handy for tests.
    public convenience init(
        bytes: [UInt8], name: String = "<memory>", chunkSize: Int = ByteSource.defaultChunkSize,
        decompress: Bool? = nil
    ) throws {
        try self.init(input: .memory(bytes, position: 0), name: name, chunkSize: chunkSize, decompress: decompress)
    }

    private init(input: Input, name: String, chunkSize: Int, decompress: Bool?) throws {
        self.input = input
        self.name = name
        self.chunkSize = max(chunkSize, 1)
        self.raw = [UInt8](repeating: 0, count: max(chunkSize, 4))
        do {
            // Peek at the first bytes to look for the zstd magic.
            while rawCount < 4 && !rawEOF {
                let n = try raw.withUnsafeMutableBytes { buffer in
                    try readRaw(into: UnsafeMutableRawBufferPointer(rebasing: buffer[rawCount...]))
                }
                if n == 0 { rawEOF = true } else { rawCount += n }
            }
            let magic = raw.withUnsafeBytes { ZstdDecoder.hasMagic(UnsafeRawBufferPointer(rebasing: $0[..<rawCount])) }
            if decompress == true && !magic && rawCount > 0 {
                throw LumbungError(
                    .fileZstd, field: name,
                    rule: "is not zstd data (no zstd magic 28 B5 2F FD at the start) although its name ends in .zst")
            }
            if decompress ?? magic {
                isCompressed = true
                decoder = try ZstdDecoder()
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Closes the file. Later reads return end of input.
    public func close() {
        if case .file(let fd, owned: true) = input { _ = Glibc_close(fd) }
        input = .memory([], position: 0)
        rawEOF = true
        rawPosition = 0
        rawCount = 0
    }

    /// Fills `buffer` with the next bytes (decompressed); returns how many, 0 at end of input.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if lineEnd > lineStart {
            let n = min(buffer.count, lineEnd - lineStart)
            lineBuffer.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + lineStart, byteCount: n)
            }
            lineStart += n
            lineScan = max(lineScan, lineStart)
            return n
        }
        return try fill(buffer)
    }

    /// The next chunk of bytes, or `nil` at end of input. The slice is valid until the next call.
    public func nextChunk() throws -> ArraySlice<UInt8>? {
        if chunk.count != chunkSize { chunk = [UInt8](repeating: 0, count: chunkSize) }
        let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
        return n == 0 ? nil : chunk[0..<n]
    }

    /// The next line without its `\n` (or `\r\n`), or `nil` at end of input; a last line without
    /// a newline is returned too. A UTF-8 BOM before the first line is dropped. ``lineNumber``
    /// gives the line's number. The slice is valid until the next call.
    public func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            let found: Int? = lineBuffer.withUnsafeBytes { bytes in
                guard lineScan < lineEnd,
                    let hit = memchr(bytes.baseAddress! + lineScan, 0x0A, lineEnd - lineScan)
                else { return nil }
                return UnsafeRawPointer(hit) - bytes.baseAddress!
            }
            if let newline = found {
                return takeLine(upTo: newline, next: newline + 1)
            }
            lineScan = lineEnd
            if lineStart > 0 {
                let count = lineEnd - lineStart
                lineBuffer.withUnsafeMutableBytes { bytes in
                    bytes.baseAddress!.copyMemory(from: bytes.baseAddress! + lineStart, byteCount: count)
                }
                lineScan -= lineStart
                lineEnd = count
                lineStart = 0
            }
            if lineBuffer.count - lineEnd < chunkSize {
                lineBuffer.append(contentsOf: repeatElement(0, count: max(chunkSize, lineBuffer.count)))
            }
            let n = try lineBuffer.withUnsafeMutableBytes { bytes in
                try fill(UnsafeMutableRawBufferPointer(rebasing: bytes[lineEnd...]))
            }
            if n == 0 {
                guard lineEnd > lineStart else { return nil }
                return takeLine(upTo: lineEnd, next: lineEnd)
            }
            lineEnd += n
        }
    }

    private func takeLine(upTo terminator: Int, next: Int) -> ArraySlice<UInt8> {
        var start = lineStart
        var end = terminator
        if end > start && lineBuffer[end - 1] == 0x0D { end -= 1 }
        lineNumber += 1
        if lineNumber == 1 && end - start >= 3 && lineBuffer[start] == 0xEF && lineBuffer[start + 1] == 0xBB
            && lineBuffer[start + 2] == 0xBF
        {
            start += 3
        }
        lineStart = next
        lineScan = next
        return lineBuffer[start..<end]
    }

    /// The next bytes after decompression, ignoring the line buffer.
    private func fill(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        guard let decoder else {
            if rawPosition < rawCount {
                let n = min(buffer.count, rawCount - rawPosition)
                raw.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + rawPosition, byteCount: n) }
                rawPosition += n
                return n
            }
            return rawEOF ? 0 : try readRaw(into: buffer)
        }
        while true {
            if rawPosition == rawCount && !rawEOF {
                let n = try raw.withUnsafeMutableBytes { try readRaw(into: $0) }
                rawPosition = 0
                rawCount = n
                if n == 0 { rawEOF = true }
            }
            let produced: Int
            do {
                produced = try raw.withUnsafeBytes { bytes in
                    try decoder.decompress(
                        input: UnsafeRawBufferPointer(rebasing: bytes[..<rawCount]), consumed: &rawPosition,
                        into: buffer)
                }
            } catch let error as LumbungError {
                var error = error
                error.field = name
                throw error
            }
            if produced > 0 { return produced }
            if rawPosition == rawCount && rawEOF {
                if !decoder.isAtFrameBoundary {
                    throw LumbungError(.fileZstd, field: name, rule: "zstd data is truncated: the last frame is incomplete")
                }
                return 0
            }
        }
    }

    private func readRaw(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try readInput(into: buffer)
        bytesConsumed += n
        return n
    }

    private func readInput(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        switch input {
        case .file(let fd, _):
            while true {
                let n = Glibc_read(fd, buffer.baseAddress, buffer.count)
                if n >= 0 { return n }
                if errno == EINTR { continue }
                throw ByteSource.ioError("cannot read", name)
            }
        case .memory(let bytes, let position):
            let n = min(buffer.count, chunkSize, bytes.count - position)
            if n > 0 {
                bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
            }
            input = .memory(bytes, position: position + n)
            return n
        }
    }

    /// Throws `file.isDirectory` when `path` names a directory (without opening it, so a pipe
    /// keeps its bytes).
    public static func refuseDirectory(_ path: String) throws {
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { throw directoryError(path) }
    }

    private static func directoryError(_ path: String) -> LumbungError {
        LumbungError(.fileIsDirectory, field: "file", value: path, rule: "this is a directory, not a file; name a file in it")
    }

    static func ioError(_ what: String, _ path: String) -> LumbungError {
        LumbungError(errno == ENOENT ? .fileNotFound : .fileIO, field: path, rule: "\(what): \(String(cString: strerror(errno)))")
    }
}

// Names that do not collide with the methods above.
@inline(__always) func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }
@inline(__always) func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
