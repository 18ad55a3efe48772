import ArgumentParser
import Lumbung

struct Find: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List households that match filters, a page at a time.",
        discussion: """
            Filters combine with AND: a wilayah at any level, a status (usulan, terverifikasi, \
            ditetapkan, tidak_layak or tidak_layak:REASON), a program (PKH, BPNT, PBI-JK, BLT, PIP, \
            ATENSI, RUTILAHU), a desil range and a NIK status. Prints a table, or with --json one \
            household per line (JSON Lines). When more results follow, the cursor for the next \
            page is printed on standard error as `next cursor: …`; pass it back with --cursor and \
            the same filters.

            Example:
              lumbung find --wilayah 32.16.01 --program PKH --desil-max 3 --limit 50
              lumbung find --nik-status invalid --json --cursor 'AbC…'
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("A kode wilayah at any level, e.g. 32.16.01.", valueName: "code"))
    var wilayah: String?

    @Option(help: ArgumentHelp("usulan, terverifikasi, ditetapkan, tidak_layak or tidak_layak:REASON.", valueName: "status"))
    var status: String?

    @Option(help: ArgumentHelp("PKH, BPNT, PBI-JK, BLT, PIP, ATENSI or RUTILAHU.", valueName: "program"))
    var program: String?

    @Option(name: .customLong("desil-min"), help: ArgumentHelp("The lowest desil, 1-10.", valueName: "n"))
    var desilMin: Int?

    @Option(name: .customLong("desil-max"), help: ArgumentHelp("The highest desil, 1-10.", valueName: "n"))
    var desilMax: Int?

    @Option(name: .customLong("nik-status"), help: "Households with an invalid or missing NIK, or with only valid ones.")
    var nikStatus: NIKStatusChoice?

    @Option(help: ArgumentHelp("Households per page, 1-10000.", valueName: "n"))
    var limit: Int = 20

    @Option(help: ArgumentHelp("Continue after this cursor from an earlier page.", valueName: "cursor"))
    var cursor: String?

    @Flag(help: "Print JSON Lines instead of a table.")
    var json = false

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be 1...10000") }
    }

    func run() throws {
        var query = HouseholdQuery()
        query.wilayah = try parseWilayah(wilayah)
        query.status = try status.map { try HouseholdQuery.StatusFilter(parsing: $0) }
        query.program = try program.map { try Program(parsing: $0) }
        query.nikStatus = nikStatus?.kind
        if desilMin != nil || desilMax != nil {
            let low = desilMin ?? 1, high = desilMax ?? 10
            guard low <= high else {
                throw LumbungError(.queryInvalid, field: "desil", value: "\(low)-\(high)", rule: "--desil-min must not exceed --desil-max")
            }
            query.desil = low...high
        }
        let store = try storeOptions.open(readOnly: true)
        let page = try store.read { tx in try tx.find(query, after: cursor, limit: limit) }
        if json {
            var out: [UInt8] = []
            for household in page.households {
                HouseholdJSON.encode(household, into: &out)
                out.append(0x0A)
            }
            Terminal.write(out)
        } else {
            var table = TextTable(columns: ["ID", "NOMOR KK", "WILAYAH", "STATUS", "DESIL", "PROGRAM", "ANGGOTA"], rightAligned: [0, 4, 6])
            for household in page.households {
                table.add([
                    household.id.map(\.description) ?? "-", household.nomorKK.text, household.wilayah.dotted,
                    household.status.description, household.desil.map(String.init) ?? "-",
                    household.programs.isEmpty ? "-" : household.programs.sorted().map(\.name).joined(separator: ","),
                    String(household.members.count),
                ])
            }
            print(table.rendered(), terminator: "")
        }
        if page.households.isEmpty { Terminal.note("no households match") }
        if let next = page.nextCursor { Terminal.note("next cursor: \(next)") }
    }
}
