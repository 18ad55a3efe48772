import ArgumentParser
import Foundation
import Lumbung

struct Gc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove evidence attachments that nothing references.",
        discussion: """
            Removes every attachment under STORE/evidence/ that no reference in the store and \
            none in any snapshot names (a snapshot keeps what it references until it is pruned), \
            and the temporary files of killed adds. Attachments younger than --min-age are kept: \
            an add's reference may be about to come. A snapshot that does not verify stops gc \
            before anything is removed. Memory: one evidence directory's names (1/256 of them).

            Prints each removed digest and its size, then the totals.

            Example:
              lumbung gc --dry-run
              lumbung gc --store /var/lib/lumbung/3216
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Report what would be removed, and remove nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Keep unreferenced attachments younger than this many seconds.", valueName: "seconds"))
    var minAge: Int = 3600

    @Flag(help: "The totals as one JSON object (no per-attachment lines).")
    var json = false

    func run() throws {
        let store = try storeOptions.open()
        let result = try store.evidence.collect(dryRun: dryRun, minimumAge: TimeInterval(max(0, minAge))) { digest, bytes in
            if !json { print("\(dryRun ? "would remove" : "removed")  \(digest.hex)  \(bytes)") }
        }
        if json {
            let body: JSONValue = .object([
                ("dry_run", .bool(result.dryRun)), ("removed", .int(result.removed)), ("bytes_freed", .int(result.bytesFreed)),
                ("referenced", .int(result.referenced)), ("kept_for_snapshots", .int(result.keptForSnapshots)),
                ("recent", .int(result.recent)), ("leftovers", .int(result.leftovers)),
            ])
            print(body.text)
            return
        }
        print("\(dryRun ? "would remove" : "removed"): \(result.removed) attachment(s), \(result.bytesFreed) bytes")
        print("kept: \(result.referenced) referenced, \(result.keptForSnapshots) only by snapshots, \(result.recent) younger than \(minAge) s")
        if result.leftovers > 0 { print("temporary files of killed adds: \(result.leftovers)") }
    }
}
