import ArgumentParser
import Lumbung

struct SnapshotVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute a snapshot's digests and compare them with its manifest.",
        discussion: """
            Checks that every file in the manifest exists with its size and SHA-256 (any changed \
            byte, truncation or missing file shows), then opens the copy and recomputes the \
            content digest over the records, the journal sequence and every count. Prints `ok` or \
            each problem; exits with code 5 when there is any. Memory: \(Snapshots.memoryBound).

            Example:
              lumbung snapshot verify 2026-11
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The period, YYYY-MM (or an auto-… name).", valueName: "period"))
    var period: String

    func run() throws {
        let name = try parseSnapshotName(period)
        let report = try Snapshots(storePath: storeOptions.path).verify(name)
        if report.isValid {
            print("ok: snapshot \(name) verifies (\(report.manifest?.households ?? 0) households, \(report.manifest?.contentDigest ?? ""))")
            return
        }
        print("snapshot \(name): \(report.problems.count) problem(s)")
        for problem in report.problems { print("  \(problem)") }
        Terminal.note("snapshot \(name) does not verify")
        throw ExitCode(ExitCodes.checkFailed)
    }
}
