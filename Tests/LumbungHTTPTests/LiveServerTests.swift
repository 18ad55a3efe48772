import Foundation
import Lumbung
import Testing

/// `lumbung serve` as a process: configured from the environment, answering over TCP (curl),
/// seeing the CLI's commits made meanwhile, never logging a full NIK, and stopping cleanly on
/// SIGTERM.
@Suite struct LiveServerTests {
    /// The built `lumbung` binary.
    static var binary: String? { lumbungBinary }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs a process to its end, killing it after `seconds`.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], in directory: TemporaryDirectory, seconds: Double = 60) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "LUMBUNG_STORE")
        env.merge(environment) { $1 }
        process.environment = env
        let id = UUID().uuidString
        let outPath = directory.sub("out-\(id)"), errPath = directory.sub("err-\(id)")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        waitBounded(process, arguments: arguments, seconds: seconds)
        return Output(
            status: process.terminationStatus,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// curl: (HTTP status, body).
    static func curl(_ url: String, token: String? = nil, method: String = "GET", body: String? = nil, in directory: TemporaryDirectory) throws -> (Int, String) {
        var arguments = ["-s", "--max-time", "20", "-X", method, "-w", "\n%{http_code}"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        if let body {
            let file = directory.sub("body-\(UUID().uuidString)")
            try Data(body.utf8).write(to: URL(fileURLWithPath: file))
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@\(file)"]
        }
        let output = try run("/usr/bin/curl", arguments + [url], in: directory, seconds: 30)
        let lines = output.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? -1, lines.dropLast().joined(separator: "\n"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl"))
    func serveAnswersSeesTheCLIAndStopsOnSIGTERM() throws {
        let binary = try #require(Self.binary, "build the lumbung product first (swift build)")
        let directory = TemporaryDirectory("lumbung-live")
        let store = directory.sub("store")
        #expect(try Self.run(binary, ["generate", "--households", "200", "--store", store], in: directory).status == 0)
        let created = try Self.run(binary, ["token", "create", "--actor", "live-test", "--role", "admin", "--scope", "*", "--store", store], in: directory)
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(created.status == 0 && secret.hasPrefix("lmb_"), "\(created.stderr)")
        let household = try HouseholdJSON.decode(Array(try Self.run(binary, ["get", "--id", "3", "--json", "--store", store], in: directory).stdout.utf8))
        let nik = try #require(household.members.compactMap(\.nik.nik).first).text

        // The server, configured by the environment alone.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["serve"]
        var environment = ProcessInfo.processInfo.environment
        environment["LUMBUNG_STORE"] = store
        environment["LUMBUNG_HOST"] = "127.0.0.1"
        environment["LUMBUNG_PORT"] = "0"
        environment["LUMBUNG_BODY_LIMIT"] = "4096"
        environment["LUMBUNG_LOG_LEVEL"] = "debug"
        environment["LUMBUNG_EVENT_LOOPS"] = "1"
        server.environment = environment
        let logPath = directory.sub("server.log")
        FileManager.default.createFile(atPath: logPath, contents: nil)
        server.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() } }

        var base: String?
        let started = Date()
        while base == nil, Date().timeIntervalSince(started) < 60, server.isRunning {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = log.range(of: #"listening on http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                base = String(log[range].dropFirst("listening on ".count))
            } else {
                usleep(50_000)
            }
        }
        let url = try #require(base, "the server did not start: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")

        #expect(try Self.curl("\(url)/health", in: directory).0 == 200)
        #expect(try Self.curl("\(url)/v1/stats", in: directory).0 == 401)
        let stats = try Self.curl("\(url)/v1/stats", token: secret, in: directory)
        #expect(stats.0 == 200)
        #expect(stats.1.contains(#""total":{"households":200"#), "\(stats.1.prefix(200))")
        let person = try Self.curl("\(url)/v1/persons/\(nik)", token: secret, in: directory)
        #expect(person.0 == 200)
        #expect(try Self.curl("\(url)/v1/households", token: secret, method: "POST", body: String(repeating: " ", count: 5000), in: directory).0 == 413, "LUMBUNG_BODY_LIMIT")
        let document = try Self.curl("\(url)/openapi.yaml", token: secret, in: directory)
        #expect(document.0 == 200 && document.1.hasPrefix("openapi: 3.1"), "the document is embedded in the binary")

        // A CLI write while the server serves: visible at the next request.
        #expect(try Self.run(binary, ["delete", "--id", "3", "--actor", "cli-while-serving", "--store", store], in: directory).status == 0)
        #expect(try Self.curl("\(url)/v1/households/3", token: secret, in: directory).0 == 404)
        #expect(try Self.curl("\(url)/v1/persons/\(nik)", token: secret, in: directory).0 == 404)
        let feed = try Self.curl("\(url)/v1/changes?since=200", token: secret, in: directory)
        #expect(feed.1.contains("cli-while-serving"), "\(feed.1.prefix(300))")
        let metrics = try Self.curl("\(url)/metrics", token: secret, in: directory)
        #expect(metrics.1.contains("lumbung_households 199"))

        // SIGTERM while a long poll is in flight: the poll is answered, then the server stops.
        let poll = Process()
        poll.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let pollOut = directory.sub("poll.txt")
        poll.arguments = ["-s", "--max-time", "40", "-o", pollOut, "-w", "%{http_code}", "-H", "Authorization: Bearer \(secret)", "\(url)/v1/changes?since=100000&wait=30"]
        let pollStatus = directory.sub("poll-status.txt")
        FileManager.default.createFile(atPath: pollStatus, contents: nil)
        poll.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: pollStatus))
        try poll.run()
        defer { if poll.isRunning { kill(poll.processIdentifier, SIGKILL) } }
        usleep(500_000)
        kill(server.processIdentifier, SIGTERM)
        let stopping = Date()
        while server.isRunning, Date().timeIntervalSince(stopping) < 20 { usleep(20_000) }
        #expect(!server.isRunning, "the server stops within 20 s of SIGTERM")
        if !server.isRunning {
            #expect(server.terminationReason == .exit && server.terminationStatus == 0)
        }
        while poll.isRunning, Date().timeIntervalSince(stopping) < 25 { usleep(20_000) }
        #expect((try? String(contentsOfFile: pollStatus, encoding: .utf8)) == "200", "the in-flight long poll is answered")
        #expect(Date().timeIntervalSince(stopping) < 20, "a long poll does not hold the shutdown for its whole wait")
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        #expect(log.contains("stopped; store closed"))
        #expect(log.contains("route=/v1/persons/{nik}"), "requests are logged by route")
        #expect(!log.contains(nik), "the log never holds a full NIK")
        #expect(!log.contains(secret), "nor a token")
        // The store is whole and writable after the server let go of it.
        #expect(try Self.run(binary, ["check", "--store", store], in: directory).status == 0)
    }
}

extension LiveServerTests {
    @Test func badSettingsAreUsageErrors() throws {
        let binary = try #require(Self.binary, "build the lumbung product first (swift build)")
        let directory = TemporaryDirectory("lumbung-live")
        let store = directory.sub("store")
        #expect(try Self.run(binary, ["init", "--store", store], in: directory).status == 0)
        let cases: [([String], [String: String], String)] = [
            (["--port", "70000"], [:], "port"),
            ([], ["LUMBUNG_PORT": "http"], "LUMBUNG_PORT"),
            ([], ["LUMBUNG_BODY_LIMIT": "12"], "body limit"),
            (["--log-level", "loud"], [:], "log level"),
            ([], ["LUMBUNG_LOG_LEVEL": "loud"], "log level"),
            (["--event-loops", "0"], [:], "event loops"),
            ([], ["LUMBUNG_EVENT_LOOPS": "many"], "LUMBUNG_EVENT_LOOPS"),
            (["--reads", "sometimes"], [:], "reads"),
            (["--header-timeout", "0"], [:], "--header-timeout"),
            ([], ["LUMBUNG_BODY_TIMEOUT": "soon"], "LUMBUNG_BODY_TIMEOUT"),
            (["--idle-timeout", "-1"], [:], "idle"),
            ([], ["LUMBUNG_MAX_CONNECTIONS": "0"], "LUMBUNG_MAX_CONNECTIONS"),
        ]
        for (arguments, environment, mention) in cases {
            let result = try Self.run(binary, ["serve", "--store", store] + arguments, environment: environment, in: directory, seconds: 20)
            #expect(result.status == 2, "\(arguments) \(environment): \(result.stderr)")
            #expect(result.stderr.contains(mention), "\(arguments) \(environment): \(result.stderr)")
        }
        let missing = try Self.run(binary, ["serve", "--store", directory.sub("nothing")], in: directory, seconds: 20)
        #expect(missing.status == 4, "\(missing.stderr)")
    }
}
