import ArgumentParser
import Foundation
import Lumbung

/// `lumbung period`: the monthly cycle's cut-off and what is still open.
struct PeriodCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "period",
        abstract: "The monthly cycle: the cut-off day, and the requests still open per desa.",
        subcommands: [Status.self, Cutoff.self])

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The current period, its cut-off, and the open requests per desa and state.",
            discussion: """
                Example:
                  lumbung period status --wilayah 32.16.01 --json
                """)
        @OptionGroup var storeOptions: StoreOptions
        @OptionGroup var who: RequestActorOptions
        @Option(help: ArgumentHelp("Only this wilayah.", valueName: "code")) var wilayah: String?
        @Flag(help: "JSON.") var json = false

        func run() throws {
            let store = try storeOptions.open(readOnly: true)
            var actor = try who.resolve(store)
            if let wilayah {
                guard case .within(let narrowed) = actor.scope.narrow(try KodeWilayah(wilayah)) else { throw CLIError.notFound("\(wilayah) is outside your scope") }
                actor = RequestActor(actor: actor.actor, role: actor.role, scope: AccessScope(narrowed))
            }
            let now = Date()
            let (cutoff, tally) = try store.read { tx in (try tx.cutoffDay(), try tx.requestTally(period: nil, openOnly: true, for: actor)) }
            let period = Period.containing(now, cutoff: cutoff)
            if json {
                print(JSONValue.object([
                    ("periode", .string(period.description)), ("cutoff", .string(period.cutoffDate(cutoff).description)),
                    ("terbuka", tally.json),
                ]).text)
                return
            }
            print("period \(period): cut-off \(period.cutoffDate(cutoff)) (day \(cutoff.day)); \(tally.total) open requests")
            var table = TextTable(columns: ["kode_wilayah"] + RequestQuery.openStates.map(\.name), rightAligned: Set(1...RequestQuery.openStates.count))
            for desa in tally.byDesa.keys.sorted() {
                table.add([desa.dotted] + RequestQuery.openStates.map { String(tally.byDesa[desa]![$0] ?? 0) })
            }
            print(table.rendered(), terminator: "")
        }
    }

    struct Cutoff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set the store's cut-off day (1-28, default 17).",
            discussion: """
                An approval after the cut-off day (WIB) belongs to the next period.

                Example:
                  lumbung period cutoff 20
                """)
        @OptionGroup var storeOptions: StoreOptions
        @Argument(help: ArgumentHelp("The new day.", valueName: "day")) var day: Int?

        func run() throws {
            if let day {
                let cutoff = try CutoffDay(day)
                let store = try storeOptions.open()
                try store.write(actor: "lumbung-cli") { tx in try tx.setCutoffDay(cutoff) }
                print("cut-off day \(cutoff.day)")
            } else {
                let store = try storeOptions.open(readOnly: true)
                print("cut-off day \(try store.read { tx in try tx.cutoffDay() }.day)")
            }
        }
    }
}
