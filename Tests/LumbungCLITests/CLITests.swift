import Foundation
import Lumbung
import Testing

/// End-to-end tests of the `lumbung` executable on a temporary store.
@Suite struct CLITests {
    /// The built `lumbung` binary.
    static var binary: String? { lumbungBinary }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var stdoutBytes: [UInt8] { Array(stdout.utf8) }
        var lines: [Substring] { stdout.split(separator: "\n") }
    }

    /// Starts `lumbung` with `arguments` (output discarded) and kills it (SIGKILL) after `delay`
    /// seconds, or when it ends first: what a crash part-way leaves is then the test's to judge.
    static func runKilled(_ arguments: [String], after delay: TimeInterval) throws {
        let process = try start(arguments)
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts `lumbung` with `arguments`, its output discarded (for tests that kill it).
    static func start(_ arguments: [String]) throws -> Process {
        let binary = try #require(binary, "build the lumbung product first (swift build)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `lumbung` with `arguments` (and `--store` appended when given) and its output in files;
    /// `environment` adds variables, `user` runs it as another OS user (via setpriv; needs root).
    static func run(
        _ arguments: [String], store: String? = nil, input: String? = nil, environment extra: [String: String] = [:],
        user: uid_t? = nil, workingDirectory: String? = nil, in directory: TemporaryDirectory
    ) throws -> Result {
        let binary = try #require(binary, "build the lumbung product first (swift build)")
        let process = Process()
        let commandLine = arguments + (store.map { ["--store", $0] } ?? [])
        if let user {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(user)", "--regid=\(user)", "--clear-groups", binary] + commandLine
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = commandLine
        }
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "LUMBUNG_STORE")
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let id = UUID().uuidString
        let outPath = directory.sub("out-\(id)"), errPath = directory.sub("err-\(id)")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardOutput = out
        process.standardError = err
        if let input {
            let inPath = directory.sub("in-\(id)")
            try Data(input.utf8).write(to: URL(fileURLWithPath: inPath))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        waitBounded(process, arguments: arguments)
        try out.close()
        try err.close()
        return Result(
            status: process.terminationStatus,
            stdout: try String(contentsOfFile: outPath, encoding: .utf8),
            stderr: try String(contentsOfFile: errPath, encoding: .utf8))
    }

    /// A temporary directory with a store of 300 synthetic households.
    static func generatedStore() throws -> (TemporaryDirectory, String) {
        let directory = TemporaryDirectory("lumbung-cli")
        let store = directory.sub("store")
        let result = try run(["generate", "--households", "300"], store: store, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty, "generate prints nothing on stdout")
        #expect(result.stderr.contains("300 households"))
        return (directory, store)
    }

    @Test func statsTotalsMatchGenerated() throws {
        let (directory, store) = try Self.generatedStore()
        let result = try Self.run(["stats", "--json"], store: store, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let total = try #require(object["total"] as? [String: Any])
        #expect(total["households"] as? Int == 300)
        #expect((total["members"] as? Int ?? 0) >= 300)
        #expect(object["nama"] as? String == "Seluruh Indonesia")

        let table = try Self.run(["stats", "--wilayah", "32.16"], store: store, in: directory)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("32.16  Kabupaten Bekasi"))
        #expect(table.stdout.contains("32.16.01"), "lists the kecamatan")
    }

    @Test func getByIDAndNIKAgree() throws {
        let (directory, store) = try Self.generatedStore()
        let byID = try Self.run(["get", "--id", "1", "--json"], store: store, in: directory)
        #expect(byID.status == 0, "\(byID.stderr)")
        let household = try HouseholdJSON.decode(byID.stdoutBytes)
        #expect(household.id == HouseholdID(1))
        let nik = try #require(household.validNIKs.first)

        let byNIK = try Self.run(["get", "--nik", nik.text, "--json"], store: store, in: directory)
        #expect(byNIK.status == 0, "\(byNIK.stderr)")
        #expect(try HouseholdJSON.decode(byNIK.stdoutBytes).id == HouseholdID(1))

        let summary = try Self.run(["get", "--kk", household.nomorKK.text], store: store, in: directory)
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains(household.nomorKK.text))
        #expect(summary.stdout.contains(household.wilayah.dotted))
    }

    @Test func findPagesWithCursor() throws {
        let (directory, store) = try Self.generatedStore()
        let result = try Self.run(["find", "--program", "PKH", "--limit", "5"], store: store, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = result.lines.dropFirst()  // the header
        #expect(rows.count >= 1 && rows.count <= 5)
        let cursorLine = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("next cursor: ") })
        let cursor = String(cursorLine.dropFirst("next cursor: ".count))

        let next = try Self.run(["find", "--program", "PKH", "--limit", "5", "--json", "--cursor", cursor], store: store, in: directory)
        #expect(next.status == 0, "\(next.stderr)")
        let households = try next.lines.map { try HouseholdJSON.decode(Array($0.utf8)) }
        #expect(!households.isEmpty && households.count <= 5)
        #expect(households.allSatisfy { $0.programs.contains(.pkh) })
        let firstIDs = Set(rows.compactMap { $0.split(separator: " ").first.flatMap { HouseholdID($0) } })
        #expect(firstIDs.isDisjoint(with: households.compactMap(\.id)), "the second page continues after the first")
    }

    @Test func checkIsClean() throws {
        let (directory, store) = try Self.generatedStore()
        let result = try Self.run(["check"], store: store, in: directory)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("households: 300"))
        #expect(result.stdout.contains("issues: 0"))
    }

    @Test func errorsMapToExitCodes() throws {
        let (directory, store) = try Self.generatedStore()
        let zeroSerial = try Self.run(["get", "--nik", "3216010101000000"], store: store, in: directory)
        #expect(zeroSerial.status == 3)
        #expect(zeroSerial.stderr.contains("nik.zeroSerial"))
        #expect(!zeroSerial.stderr.contains("3216010101000000"), "the NIK is masked")
        #expect(zeroSerial.stdout.isEmpty)

        let missing = try Self.run(["get", "--id", "999999"], store: store, in: directory)
        #expect(missing.status == 4)
        #expect(missing.stderr.hasPrefix("error: "))

        let usage = try Self.run(["get", "--id", "1", "--kk", "3216161805123567"], store: store, in: directory)
        #expect(usage.status == 2)

        let noStore = try Self.run(["stats"], store: directory.sub("nothing-here"), in: directory)
        #expect(noStore.status == 4)
        #expect(noStore.stderr.contains("store.notFound"))
    }

    @Test func putRefusesDuplicateNIK() throws {
        let (directory, store) = try Self.generatedStore()
        let first = try HouseholdJSON.decode(try Self.run(["get", "--id", "1", "--json"], store: store, in: directory).stdoutBytes)
        var second = try HouseholdJSON.decode(try Self.run(["get", "--id", "2", "--json"], store: store, in: directory).stdoutBytes)
        var copied = try #require(first.head)
        copied.relation = .familiLain
        second.members.append(copied)
        let file = directory.sub("duplicate.json")
        try Data(HouseholdJSON.encode(second)).write(to: URL(fileURLWithPath: file))

        let refused = try Self.run(["put", file], store: store, in: directory)
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("nik.duplicate"))

        // The same household unchanged, from stdin, is accepted.
        let original = try Self.run(["get", "--id", "2", "--json"], store: store, in: directory).stdout
        let unchanged = try Self.run(["put", "--actor", "test"], store: store, input: original, in: directory)
        #expect(unchanged.status == 0, "\(unchanged.stderr)")
        #expect(unchanged.stdout.hasPrefix("2 "))
    }

    @Test func generateJSONLines() throws {
        let directory = TemporaryDirectory("lumbung-cli")
        let file = directory.sub("households.jsonl")
        let store = directory.sub("untouched")
        let result = try Self.run(["generate", "--jsonl", file, "--households", "50"], store: store, in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 50)
        for (index, line) in lines.enumerated() {
            let household = try HouseholdJSON.decode(Array(line.utf8))
            #expect(household.id == HouseholdID(UInt64(index + 1)))
        }
        #expect(!FileManager.default.fileExists(atPath: store), "--jsonl does not touch the store")
    }
}
