import ArgumentParser
import Lumbung

struct SnapshotRestore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Make the live store equal to a snapshot (disaster recovery).",
        discussion: """
            Verifies the snapshot, keeps the current state as an automatic snapshot \
            (auto-YYYYMMDDTHHMMSSZ, printed), then swaps in a copy of the snapshot atomically and \
            records the restore in the journal. Undo it by restoring the automatic snapshot. The \
            store must not be open in any other process (exit 1, store.busy, naming the process).

            Example:
              lumbung snapshot restore 2026-10
              lumbung snapshot restore auto-20261123T101500Z     # undo
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOption: ActorOption

    @Argument(help: ArgumentHelp("The period, YYYY-MM (or an auto-… name).", valueName: "period"))
    var period: String

    func run() throws {
        let name = try parseSnapshotName(period)
        let result = try Snapshots(storePath: storeOptions.path).restore(name, actor: actorOption.actor)
        print("restored \(result.restored); the replaced state is snapshot \(result.previousState) (journal entry \(result.journalSequence))")
        Terminal.note("undo with: lumbung snapshot restore \(result.previousState)")
    }
}
