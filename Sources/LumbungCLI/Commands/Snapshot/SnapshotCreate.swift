import ArgumentParser
import Foundation
import Lumbung

struct SnapshotCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Take a snapshot of the store for a period (default: the current month, UTC).",
        discussion: """
            Copies the store in one read transaction (writers are not stopped), compacted, then \
            writes the manifest. An existing period is refused (exit 3, snapshot.exists) unless \
            --replace is given with --reason; the replacement is recorded in the journal and in \
            the new manifest. Prints the manifest's summary; --json prints the manifest.

            The copy is hashed as it is written, and the records are read for the content digest \
            on every core while it is written (from the store itself when the copy provably holds \
            the same snapshot, otherwise from the copy). Memory: \(Snapshots.memoryBound).

            Example:
              lumbung snapshot create
              lumbung snapshot create 2026-11 --replace --reason "late corrections from Kec. Tambun"
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOption: ActorOption

    @Argument(help: ArgumentHelp("The period, YYYY-MM (default: the current month).", valueName: "period"))
    var period: String?

    @Flag(help: "Replace an existing snapshot of the period (needs --reason).")
    var replace = false

    @Option(help: ArgumentHelp("Why the snapshot is replaced (recorded in the journal).", valueName: "text"))
    var reason: String?

    @Flag(help: "Print the manifest as JSON.")
    var json = false

    func validate() throws {
        if replace && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--replace needs --reason \"…\": a replacement is journaled with its reason")
        }
        if !replace && reason != nil { throw ValidationError("--reason goes with --replace") }
    }

    func run() throws {
        let name = try period.map(parseSnapshotName) ?? .month(containing: Date())
        let store = try storeOptions.open()
        let manifest = try store.snapshots.create(period: name, replacing: replace ? reason : nil, actor: actorOption.actor)
        if json {
            Terminal.write(Array(manifest.encoded()))
        } else {
            print(SnapshotShow.summary(manifest), terminator: "")
        }
        Terminal.note("snapshot \(name) \(manifest.replaced == nil ? "created" : "replaced") at \(store.snapshots.path(of: name))")
    }
}
