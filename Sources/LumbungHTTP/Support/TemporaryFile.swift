import Foundation
import Hummingbird
import Lumbung
import LumbungIO

/// A file in the temporary directory (`TMPDIR`) that lives as long as this object: a request
/// body spooled to disk, or a workbook built before it is sent. Removed on release.
final class TemporaryFile: @unchecked Sendable {
    let path: String

    /// A fresh path, `lumbung-<purpose>-<random><suffix>`; nothing is created yet.
    init(_ purpose: String, suffix: String = "") {
        let directory = FileManager.default.temporaryDirectory.path
        path = "\(directory)/lumbung-\(purpose)-\(UUID().uuidString.prefix(12))\(suffix)"
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The request's body written to a temporary file, chunk by chunk: at most `limit` bytes (413
    /// naming the limit beyond, before reading when `Content-Length` says so).
    static func spool(_ request: Request, purpose: String, limit: Int) async throws -> TemporaryFile {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw RequestInput.tooLarge(limit)
        }
        let file = TemporaryFile(purpose)
        guard FileManager.default.createFile(atPath: file.path, contents: nil), let handle = FileHandle(forWritingAtPath: file.path) else {
            throw LumbungError(.fileIO, rule: "cannot create a temporary file in \(FileManager.default.temporaryDirectory.path)")
        }
        defer { try? handle.close() }
        var size = 0
        for try await chunk in request.body {
            size += chunk.readableBytes
            guard size <= limit else { throw RequestInput.tooLarge(limit) }
            try chunk.withUnsafeReadableBytes { try handle.write(contentsOf: $0) }
        }
        return file
    }

    /// Sends the file's bytes, a megabyte at a time (from ``ProducedBody``'s thread).
    func send(to send: ([UInt8]) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LumbungError(.fileIO, rule: "the temporary file \(path) is gone")
        }
        defer { try? handle.close() }
        while let data = try handle.read(upToCount: 1 << 20), !data.isEmpty {
            try send(Array(data))
        }
    }
}
