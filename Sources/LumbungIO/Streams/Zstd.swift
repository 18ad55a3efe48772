import CZstd
import Lumbung

/// Streaming zstd decompression over any number of concatenated frames.
///
/// ```swift
/// let decoder = try ZstdDecoder()
/// var consumed = 0
/// let produced = try decoder.decompress(input: compressed, consumed: &consumed, into: output)
/// ```
public final class ZstdDecoder {
    private let context: OpaquePointer
    private var atBoundary = true

    public init() throws {
        guard let context = ZSTD_createDCtx() else {
            throw LumbungError(.fileZstd, rule: "cannot create a zstd decompression context")
        }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    /// True when the decoder stopped at the end of a complete frame (or has seen nothing yet).
    public var isAtFrameBoundary: Bool { atBoundary }

    /// Decompresses from `input[consumed...]` into `output`, advancing `consumed`.
    /// Returns the number of bytes written to `output` (0 does not mean end of stream).
    public func decompress(
        input: UnsafeRawBufferPointer, consumed: inout Int, into output: UnsafeMutableRawBufferPointer
    ) throws -> Int {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: consumed)
        var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let result = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
        if ZSTD_isError(result) != 0 {
            throw LumbungError(
                .fileZstd, rule: "zstd data is corrupt: \(String(cString: ZSTD_getErrorName(result)))")
        }
        // 0 means a frame just ended and is flushed. A call that neither reads nor writes (no
        // more input after a frame) returns a hint for the next frame's header: not mid-frame.
        if result == 0 {
            atBoundary = true
        } else if inBuffer.pos != consumed || outBuffer.pos > 0 {
            atBoundary = false
        }
        consumed = inBuffer.pos
        return outBuffer.pos
    }

    /// Whether `bytes` starts with a zstd frame or a zstd skippable frame.
    public static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 4 else { return false }
        if bytes[0] == 0x28 && bytes[1] == 0xB5 && bytes[2] == 0x2F && bytes[3] == 0xFD { return true }
        return bytes[0] & 0xF0 == 0x50 && bytes[1] == 0x2A && bytes[2] == 0x4D && bytes[3] == 0x18
    }
}

/// Streaming zstd compression into one frame, with a content checksum.
///
/// ```swift
/// let encoder = try ZstdEncoder(level: 3)
/// try encoder.compress(bytes, end: false) { frameBytes in try write(frameBytes) }
/// try encoder.compress(UnsafeRawBufferPointer(start: nil, count: 0), end: true) { try write($0) }
/// ```
public final class ZstdEncoder {
    private let context: OpaquePointer
    private var output: [UInt8]

    public init(level: Int32 = 3, checksum: Bool = true) throws {
        guard let context = ZSTD_createCCtx() else {
            throw LumbungError(.fileZstd, rule: "cannot create a zstd compression context")
        }
        self.context = context
        self.output = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        for (parameter, value) in [(ZSTD_c_compressionLevel, level), (ZSTD_c_checksumFlag, checksum ? 1 : 0)] {
            let result = ZSTD_CCtx_setParameter(context, parameter, value)
            if ZSTD_isError(result) != 0 {
                ZSTD_freeCCtx(context)
                throw LumbungError(
                    .fileZstd, rule: "zstd parameter rejected: \(String(cString: ZSTD_getErrorName(result)))")
            }
        }
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Compresses all of `input`; with `end`, also finishes the frame. Compressed bytes go to `emit`.
    public func compress(
        _ input: UnsafeRawBufferPointer, end: Bool, emit: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        let directive = end ? ZSTD_e_end : ZSTD_e_continue
        try output.withUnsafeMutableBytes { out in
            while true {
                var outBuffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let remaining = ZSTD_compressStream2(context, &outBuffer, &inBuffer, directive)
                if ZSTD_isError(remaining) != 0 {
                    throw LumbungError(
                        .fileZstd,
                        rule: "zstd compression failed: \(String(cString: ZSTD_getErrorName(remaining)))")
                }
                if outBuffer.pos > 0 { try emit(UnsafeRawBufferPointer(rebasing: out[..<outBuffer.pos])) }
                if end ? remaining == 0 : inBuffer.pos == inBuffer.size { break }
            }
        }
    }
}
