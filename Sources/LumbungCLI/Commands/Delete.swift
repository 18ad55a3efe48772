import ArgumentParser
import Lumbung

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete a household.",
        discussion: """
            Removes the household with its members, index entries and counts, and records the \
            deletion in the journal. Prints the id deleted; a missing household exits with code 4.

            Example:
              lumbung delete --id 17 --actor operator:desa-2001
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The household id.", valueName: "id"))
    var id: HouseholdID

    @OptionGroup var actorOptions: ActorOption

    func run() throws {
        let store = try storeOptions.open()
        let old = try store.write(actor: actorOptions.actor) { try $0.delete(id: id) }
        print("\(id) deleted")
        Terminal.note("deleted household \(id) (\(old.members.count) members)")
    }
}
