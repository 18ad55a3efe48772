import ArgumentParser
import Foundation
import Lumbung
import LumbungIO

/// `lumbung decree`: the decree (SK) of a period, an admin operation beside the requests.
struct DecreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decree",
        abstract: "Import a decree (SK): set the households it lists ditetapkan, in one transaction.",
        subcommands: [DecreeImportCommand.self])
}

struct DecreeImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a decree (SK) for a period: its households become ditetapkan.",
        discussion: """
            FILE is a CSV with a rumah_tangga_id or nomor_kk column (other columns are ignored), \
            or a JSON array (.json) of household ids, KK numbers or {"rumah_tangga_id"|"nomor_kk": …} \
            objects. Every listed household of the scope (--scope, or the token's) is set ditetapkan; \
            with --complete the SK is the scope's whole list, and the scope's ditetapkan households \
            it does not list go back to terverifikasi (only a request sets tidak_layak, with its \
            reason). All in one transaction, journaled as a "decree import" event naming the SK, \
            and counted in the period's snapshot manifest. An unknown, out-of-scope or tidak_layak \
            household, or an SK number already imported for the period, is refused (exit 3, \
            decree.invalid, naming the line, field, value and rule) and nothing is written. Admin only.

            Example:
              lumbung decree import sk-2026-11.csv --period 2026-11 --sk-number 400.9/123/Dinsos --sk-date 2026-11-20
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var who: RequestActorOptions

    @Argument(help: ArgumentHelp("The SK's list: CSV, or a JSON array (.json).", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The period the SK decrees (YYYY-MM).", valueName: "period"))
    var period: String

    @Option(name: .customLong("sk-number"), help: ArgumentHelp("The SK's number.", valueName: "number"))
    var number: String

    @Option(name: .customLong("sk-date"), help: ArgumentHelp("The SK's date (YYYY-MM-DD).", valueName: "date"))
    var date: String

    @Flag(help: "The SK lists every household of the scope in the decree: the scope's other ditetapkan households become terverifikasi.")
    var complete = false

    @Flag(help: "Print the import's record as JSON.")
    var json = false

    func run() throws {
        let period = try Period(parsing: self.period)
        let sk = try DecreeImport.SK(nomor: number, tanggal: try CalendarDate(parsing: date))
        let store = try storeOptions.open()
        let actor = try who.resolve(store)
        guard actor.role == .admin else {
            throw LumbungError(.workflowRole, field: "role", value: actor.role.rawValue, rule: "a decree import is an admin operation")
        }
        let record: DecreeImport
        if file.hasSuffix(".json") {
            guard let bytes = FileManager.default.contents(atPath: file) else { throw CLIError.invalidInput("cannot read \(file)") }
            var listings = try DecreeListJSON.listings(bytes).makeIterator()
            record = try store.write(actor: actor.actor) { tx in
                try tx.importDecree(sk, period: period, scope: actor.scope, complete: complete) { listings.next() }
            }
        } else {
            let reader = try CSVReader(path: file)
            guard let (column, field) = DecreeImport.Listing.fields.lazy.compactMap({ name in reader.index(ofColumn: name).map { ($0, name) } }).first else {
                throw LumbungError(.decreeInvalid, field: "\(file) line 1", value: (reader.header ?? []).joined(separator: ","),
                                   rule: "a decree CSV has a " + DecreeImport.Listing.fields.joined(separator: " or ") + " column")
            }
            record = try store.write(actor: actor.actor) { tx in
                try tx.importDecree(sk, period: period, scope: actor.scope, complete: complete) {
                    guard let row = try reader.next() else { return nil }
                    return try DecreeImport.Listing(column < row.count ? row[column] : "", field: field, place: "line \(row.line)")
                }
            }
        }
        if json {
            Terminal.write(record.json + [0x0A])
        } else {
            let (set, removed) = record.households
            print("SK \(record.nomor) (\(record.tanggal)) for \(record.period): \(set) households set ditetapkan" + (complete ? ", \(removed) taken out (terverifikasi)" : ""))
        }
    }
}
