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
            the same filters. A search for a member who … (--has-member, --pkh-komponen, \
            --head-sex/--head-age) also shows which members matched: a COCOK column of their \
            positions, or with --json each line as {"household": …, "anggota_cocok": \
            [{"posisi", "nik" (masked), "hubungan"}, …]}.

            Example:
              lumbung find --wilayah 32.16.01 --program PKH --desil-max 3 --limit 50
              lumbung find --nik-status invalid --json --cursor 'AbC…'
              lumbung find --program PKH --snapshot 2026-10
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var snapshotOption: SnapshotOption

    @OptionGroup var filters: QueryOptions

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
        var query = try filters.query()
        query.pinReferenceDate()
        let matched = MatchedMembersReport.applies(to: query)
        let page = try snapshotOption.withStore(storeOptions) { store in
            try store.read { tx in try tx.find(query, after: cursor, limit: limit) }
        }
        if json {
            var out: [UInt8] = []
            for household in page.households {
                if matched, let members = MatchedMembersReport.json(household, for: query) {
                    out += JSONValue.object([("household", .raw(HouseholdJSON.encode(household))), (MatchedMembersReport.field, members)]).bytes
                } else {
                    HouseholdJSON.encode(household, into: &out)
                }
                out.append(0x0A)
            }
            Terminal.write(out)
        } else {
            var table = TextTable(columns: ["ID", "NOMOR KK", "WILAYAH", "STATUS", "DESIL", "PROGRAM", "ANGGOTA"] + (matched ? ["COCOK"] : []), rightAligned: [0, 4, 6])
            for household in page.households {
                let positions = matched ? [query.matchingMembers(of: household).map { $0.map(String.init).joined(separator: ",") } ?? "-"] : []
                table.add([
                    household.id.map(\.description) ?? "-", household.nomorKK.text, household.wilayah.dotted,
                    household.status.description, household.desilLabel,
                    household.programs.isEmpty ? "-" : household.programs.sorted().map(\.name).joined(separator: ","),
                    String(household.members.count),
                ] + positions)
            }
            print(table.rendered(), terminator: "")
        }
        if page.households.isEmpty { Terminal.note("no households match") }
        if let next = page.nextCursor { Terminal.note("next cursor: \(next)") }
    }
}
