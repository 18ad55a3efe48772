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
