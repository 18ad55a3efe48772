import Foundation
import Testing

/// A throwaway PostgreSQL 15 cluster (Debian's `postgresql`) in a temporary directory, on a Unix
/// socket only, for the publish tests. Run as `nobody` when the tests run as root (postgres
/// refuses root). Stopped (fast shutdown) and removed at deinit.
final class PostgresCluster: @unchecked Sendable {
    static let binaries = "/usr/lib/postgresql/15/bin"
    static let psql = "/usr/bin/psql"
    static let user = "lumbung"

    let directory = TemporaryDirectory("lumbung-pg")
    let port = Int.random(in: 20_000...60_000)
    private var server: Process?

    var socketDirectory: String { directory.sub("sock") }
    /// The URL `lumbung publish --postgres` takes.
    var url: String { "postgresql://\(Self.user)@/postgres?host=\(socketDirectory)&port=\(port)" }

    init() throws {
        let initdb = "\(Self.binaries)/initdb"
        try #require(FileManager.default.isExecutableFile(atPath: initdb), "PostgreSQL 15 is not installed (apt-get install postgresql; make test does: tools/setup.sh test)")
        try #require(FileManager.default.isExecutableFile(atPath: Self.psql), "psql is not installed (apt-get install postgresql)")
        let data = directory.sub("data")
        for path in [data, socketDirectory] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            if getuid() == 0 { try FileManager.default.setAttributes([.ownerAccountID: 65534, .groupOwnerAccountID: 65534], ofItemAtPath: path) }
        }
        let result = try Self.runAsOwner([initdb, "-D", data, "-U", Self.user, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])
        try #require(result.status == 0, "initdb failed: \(result.output)")
        let server = Self.process(asOwner: [
            "\(Self.binaries)/postgres", "-D", data, "-k", socketDirectory, "-p", String(port),
            "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        ])
        let log = directory.sub("server.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        server.standardOutput = handle
        server.standardError = handle
        try server.run()
        self.server = server
        let deadline = Date().addingTimeInterval(60)
        while (try? query("SELECT 1")) != "1" {
            guard Date() < deadline, server.isRunning else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                Issue.record("postgres did not start: \(text)")
                throw CancellationError()
            }
            usleep(100_000)
        }
    }

    deinit {
        if let server, server.isRunning {
            kill(server.processIdentifier, SIGINT)
            waitBounded(server, arguments: ["postgres"], seconds: 60)
        }
    }

    /// Runs SQL through psql; the rows, unaligned, `|` between columns, one per line.
    @discardableResult
    func query(_ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.psql)
        process.arguments = ["-X", "-q", "-h", socketDirectory, "-p", String(port), "-U", Self.user, "-d", "postgres", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql]
        let pipe = Pipe(), errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        let errorOutput = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PostgresFailure(message: String(decoding: errorOutput, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct PostgresFailure: Error { let message: String }

    private static func process(asOwner arguments: [String]) -> Process {
        let process = Process()
        if getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
        }
        process.environment = ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        return process
    }

    private static func runAsOwner(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = process(asOwner: arguments)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
