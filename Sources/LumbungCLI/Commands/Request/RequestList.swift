import ArgumentParser
import Foundation
import Lumbung

struct RequestList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the change requests you may see, by wilayah, state, type, period or household.",
        discussion: """
            A desa operator sees its desa's requests, a citizen only its own. Pages follow \
            --cursor (printed on standard error after a full page).

            Example:
              lumbung request list --wilayah 32.16.01.2001 --state diajukan --state diverifikasi
              lumbung request list --period 2026-11 --type usul_ulang --json
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var who: RequestActorOptions

    @Option(help: ArgumentHelp("A wilayah code (desa, kecamatan, …).", valueName: "code")) var wilayah: String?
    @Option(help: ArgumentHelp("A state (repeat for several).", valueName: "state")) var state: [String] = []
    @Flag(help: "The open states (draft, diajukan, diverifikasi, disetujui).") var open = false
    @Option(help: ArgumentHelp("A request type.", valueName: "type")) var type: String?
    @Option(help: ArgumentHelp("A period, YYYY-MM.", valueName: "period")) var period: String?
    @Option(help: ArgumentHelp("A household id.", valueName: "id")) var household: HouseholdID?
    @Option(help: ArgumentHelp("Requests a page.", valueName: "n")) var limit = 100
    @Option(help: ArgumentHelp("Where the page starts (the previous page's next cursor).", valueName: "cursor")) var cursor: String?
    @Flag(help: "Print each request as JSON, one a line.") var json = false

    func run() throws {
        let store = try storeOptions.open(readOnly: true)
        let actor = try who.resolve(store)
        var query = RequestQuery(
            wilayah: try wilayah.map { try KodeWilayah($0) }, states: try state.map { try RequestState(parsing: $0) },
            type: try type.map { try RequestType(parsing: $0, field: "type") }, period: try period.map { try Period(parsing: $0) },
            householdID: household)
        if open { query.states += RequestQuery.openStates }
        let page = try store.read { tx in try tx.requests(query, for: actor, after: cursor, limit: max(1, limit)) }
        RequestOutput.print(page.requests, for: actor, json: json)
        if let next = page.nextCursor { Terminal.note("next page: --cursor \(next)") }
    }
}
