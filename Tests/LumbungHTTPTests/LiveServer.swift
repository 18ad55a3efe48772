import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `lumbung serve` process of the built binary on a generated store, with an admin token for
/// the whole store: for tests of what only the real server shows (sockets, timeouts, the CLI).
final class LiveServer: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible { let description: String }

    let binary: String
    let directory = TemporaryDirectory("lumbung-live-server")
    let store: String
    let secret: String
    let logPath: String
    let process = Process()
    private(set) var port = 0
    var url: String { "http://127.0.0.1:\(port)" }

    /// Generates `households`, makes the token, and starts `serve` with `arguments` on a free
    /// port, returning once it listens.
    init(households: Int = 50, arguments: [String] = []) throws {
        guard let binary = lumbungBinary else { throw Failure(description: "build the lumbung product first (swift build)") }
        self.binary = binary
        store = directory.sub("store")
        logPath = directory.sub("server.log")
        let generated = try LiveServerTests.run(binary, ["generate", "--households", String(households), "--store", store], in: directory)
        guard generated.status == 0 else { throw Failure(description: "generate: \(generated.stderr)") }
        let created = try LiveServerTests.run(binary, ["token", "create", "--actor", "live-server", "--role", "admin", "--scope", "*", "--store", store], in: directory)
        secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard created.status == 0, secret.hasPrefix("lmb_") else { throw Failure(description: "token create: \(created.stderr)") }

        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--store", store, "--host", "127.0.0.1", "--port", "0", "--event-loops", "1", "--log-level", "warning"] + arguments
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let started = Date()
        while port == 0, Date().timeIntervalSince(started) < 60, process.isRunning {
            if let range = log.range(of: #"listening on http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression),
               let number = Int(log[range].split(separator: ":").last ?? "") {
                port = number
            } else {
                usleep(50_000)
            }
        }
        guard port != 0 else {
            stop()
            throw Failure(description: "the server did not start: \(log)")
        }
    }

    /// What the server wrote to standard error.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then SIGKILL if it has not stopped within 20 s.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let stopping = Date()
        while process.isRunning, Date().timeIntervalSince(stopping) < 20 { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// One TCP connection to 127.0.0.1 driven byte by byte, for what an HTTP client will not do:
/// send half a request, hold a connection silent, send a malformed body.
final class RawConnection: @unchecked Sendable {
    struct Failure: Error { let step: String }

    struct Reading {
        /// What the server sent.
        let text: String
        /// Whether the server closed the connection (else the wait ran out).
        let closed: Bool
        /// Seconds from the start of the wait to the close (or the end of the wait).
        let seconds: Double
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

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw Failure(step: "send") }
    }

    /// Reads until the server closes the connection, `seconds` pass, or (with `until`) the text
    /// read so far contains it. Blocks a dispatch thread, never one of Swift's few cooperative
    /// threads, which the server's tasks in this process may need.
    func read(for seconds: Double, until marker: String? = nil) async -> Reading {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.blockingRead(for: seconds, until: marker)) }
        }
    }

    private func blockingRead(for seconds: Double, until marker: String?) -> Reading {
        let start = Date()
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
