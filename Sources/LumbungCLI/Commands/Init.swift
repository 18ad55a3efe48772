import ArgumentParser
import Lumbung

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an empty store.",
        discussion: """
            Creates the store directory and its databases; an existing store is left as it is, \
            but for what opening it for writing brings up to date: an index a newer Lumbung \
            keeps (the journal's household index, the member index) is built from what the \
            store holds. The path is printed on standard error.

            Example:
              lumbung init --store /var/lib/lumbung/3216
            """)

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let store = try storeOptions.open(create: true)
        let households = try store.read { try $0.householdCount() }
        Terminal.note("store ready at \(store.path) (\(households) households)")
    }
}
