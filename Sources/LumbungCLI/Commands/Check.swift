import ArgumentParser
import Lumbung

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify every record, index entry and counter in the store.",
        discussion: """
            Decodes and validates every household and compares the NIK, KK and query indexes and \
            the counters with what the records imply. Prints the totals and each issue found; exits \
            with code 5 when there is any. Progress goes to standard error.

            Records are decoded on every core, and each index is first compared with them by a \
            digest of its entries. Only when one differs is what the records imply sorted, in runs \
            spilled to unlinked temporary files in the store's directory (or $TMPDIR when that \
            refuses), and merged against that index to name each missing and extra entry.

            Memory: \(CheckReport.memoryBound), whatever the store's size.

            Example:
              lumbung check --store /var/lib/lumbung/3216
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Print at most this many issues.", valueName: "n"))
    var limit: Int = 1000

    func run() throws {
        let store = try storeOptions.open(readOnly: true)
        var progress = Progress(total: try store.read { tx in try tx.householdCount() })
        let report = try store.check(limit: max(0, limit)) { progress.update($0) }
        progress.update(report.households)
        progress.finishLine()
        print("households: \(report.households)")
        print("members: \(report.members)")
        print("flagged members: \(report.flaggedMembers)")
        print("issues: \(report.issueCount)")
        for issue in report.issues { print("  \(issue)") }
        if report.issueCount > report.issues.count {
            print("  … and \(report.issueCount - report.issues.count) more")
        }
        if !report.isClean {
            Terminal.note("check found \(report.issueCount) problem(s)")
            throw ExitCode(ExitCodes.checkFailed)
        }
    }
}
