import ArgumentParser
import Lumbung

struct SnapshotList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the snapshots, oldest first, and flag incomplete ones.",
        discussion: """
            One row per snapshot: period, creation time, journal sequence, households, members, \
            size. Directories that are not complete snapshots (being written, or left by a failed \
            or killed one) are listed as INCOMPLETE with the reason; they are never used. --json \
            prints the shape GET /v1/snapshots answers, {"snapshots": [{"period", "created_at", \
            "households", "members", "journal_sequence", "content_digest"}]}, then \
            "incomplete": [{"directory", "reason"}].

            Example:
              lumbung snapshot list
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let listings = try Snapshots(storePath: storeOptions.path).list()
        if json {
            print(SnapshotListReport(listings).json(incomplete: true).text)
            return
        }
        var table = TextTable(columns: ["PERIOD", "CREATED", "JOURNAL", "HOUSEHOLDS", "MEMBERS", "BYTES"], rightAligned: [2, 3, 4, 5])
        for listing in listings {
            if let manifest = listing.manifest {
                table.add([
                    listing.directoryName, manifest.createdAt, String(manifest.journalSequence), String(manifest.households),
                    String(manifest.members), String(manifest.files.reduce(0) { $0 + $1.bytes }),
                ])
            } else if case .incomplete(let reason) = listing.state {
                table.add([listing.directoryName, "INCOMPLETE: " + reason, "", "", "", ""])
            }
        }
        print(table.rendered(), terminator: "")
        if listings.isEmpty { Terminal.note("no snapshots") }
    }
}
