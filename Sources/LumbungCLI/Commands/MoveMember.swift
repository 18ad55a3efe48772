import ArgumentParser
import Lumbung

struct MoveMember: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move-member",
        abstract: "Move a member to another household.",
        discussion: """
            Moves the member with this NIK into household --to, optionally with a new relation to \
            its head. Both households must stay valid (the source keeps its head and a member). \
            Prints the member's new household id.

            Relations: \(Relation.allCases.map(\.name).joined(separator: ", ")).

            Example:
              lumbung move-member --nik 3216015608900003 --to 42 --relation istri_suami
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The member's NIK.", valueName: "nik"))
    var nik: String

    @Option(help: ArgumentHelp("The id of the household to move into.", valueName: "id"))
    var to: HouseholdID

    @Option(help: ArgumentHelp("The member's new relation to the head.", valueName: "relation"))
    var relation: Relation?

    @OptionGroup var actorOptions: ActorOption

    func run() throws {
        let value = try NIK(nik)
        let store = try storeOptions.open()
        try store.write(actor: actorOptions.actor) { try $0.moveMember(nik: value, to: to, relation: relation) }
        print("\(value.masked) moved to \(to)")
    }
}
