import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection to 127.0.0.1 driven byte by byte, for what an HTTP client will not do:
/// send half a request, hold a connection silent, send a malformed body, send several requests
/// in one write. The one loopback socket helper of these tests.
final class RawConnection: @unchecked Sendable {
    struct Failure: Error { let step: String }

    struct Reading {
        /// What the server sent.
        let text: String
        /// Whether the server closed the connection (else the wait ran out).
        let closed: Bool
        /// Seconds from the start of the wait to the close (or the end of the wait).
        let seconds: Double
        /// When the wait ended: on a loaded machine a wait may start seconds after what it
        /// waits for, so deadlines are measured from the request's send to this.
        var ended = Date()
    }

    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(step: "socket") }
        // Short receive slices, so a wait checks its deadline.
        var slice = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &slice, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw Failure(step: "connect")
        }
    }

    deinit { Glibc.close(fd) }

    /// Sends `text` and reads until the server closes the connection (at most `seconds`).
    static func exchange(port: Int, _ text: String, seconds: Double = 30) async throws -> String {
        let connection = try RawConnection(port: port)
        try connection.send(text)
        return await connection.read(for: seconds).text
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw Failure(step: "send") }
    }

    /// Reads until the server closes the connection, `seconds` pass, or (with `until`) the text
    /// read so far contains it. Blocks a dispatch thread, never one of Swift's few cooperative
    /// threads, which the server's tasks in this process may need.
    /// The wait starts at the call, not when a dispatch thread takes it up (on a loaded machine
    /// that came seconds later, and a close the server made meanwhile read as immediate).
    func read(for seconds: Double, until marker: String? = nil) async -> Reading {
        let start = Date()
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.blockingRead(for: seconds, until: marker, from: start)) }
        }
    }

    private func blockingRead(for seconds: Double, until marker: String?, from start: Date) -> Reading {
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date().timeIntervalSince(start) < seconds {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                reply += buffer[0..<count]
                if let marker, String(decoding: reply, as: UTF8.self).contains(marker) { break }
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                return Reading(text: String(decoding: reply, as: UTF8.self), closed: true, seconds: Date().timeIntervalSince(start))
            }
        }
        return Reading(text: String(decoding: reply, as: UTF8.self), closed: false, seconds: Date().timeIntervalSince(start))
    }
}
