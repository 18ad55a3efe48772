import ArgumentParser
import Foundation
import Lumbung

struct SnapshotPrune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete old snapshots, keeping the newest N.",
        discussion: """
            Keeps the newest N snapshots and deletes older ones, but never a snapshot less than N \
            months old (by its month) unless --force is given: those are listed as kept. Also \
            removes temporary directories left by snapshot processes that are gone. Prints each \
            deleted snapshot.

            Example:
              lumbung snapshot prune --keep 24
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("How many of the newest snapshots to keep (at least 1).", valueName: "n"))
    var keep: Int

    @Flag(help: "Also delete snapshots beyond the newest N that are less than N months old.")
    var force = false

    func validate() throws {
        guard keep >= 1 else { throw ValidationError("--keep must be at least 1") }
    }

    func run() throws {
        let result = try Snapshots(storePath: storeOptions.path).prune(keep: keep, force: force)
        for name in result.deleted { print("deleted \(name)") }
        for leftover in result.removedLeftovers { print("removed leftover \(leftover)") }
        for name in result.protected {
            Terminal.note("kept \(name): less than \(keep) months old (use --force to delete it)")
        }
        if result.deleted.isEmpty && result.removedLeftovers.isEmpty { Terminal.note("nothing to prune") }
    }
}
