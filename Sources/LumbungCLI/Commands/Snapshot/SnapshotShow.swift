import ArgumentParser
import Lumbung

struct SnapshotShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a snapshot's manifest.",
        discussion: """
            Prints the period, creation time, schema version, journal sequence, totals, content \
            digest, files and national counts by status, program and desil; --wilayah shows the \
            counts of one region instead; --json prints manifest.json as stored.

            Example:
              lumbung snapshot show 2026-11
              lumbung snapshot show 2026-11 --wilayah 32.16.01
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The period, YYYY-MM (or an auto-… name).", valueName: "period"))
    var period: String

    @Option(help: ArgumentHelp("Show the counts of this kode wilayah.", valueName: "code"))
    var wilayah: String?

    @Flag(help: "Print manifest.json.")
    var json = false

    func run() throws {
        let name = try parseSnapshotName(period)
        let region = try parseWilayah(wilayah)
        let manifest = try Snapshots(storePath: storeOptions.path).manifest(name)
        if json {
            Terminal.write(Array(manifest.encoded()))
            return
        }
        print(Self.summary(manifest), terminator: "")
        guard let counts = manifest.counts(wilayah: region) else {
            Terminal.note("no households in \(region?.dotted ?? "the snapshot")")
            return
        }
        print("\n" + Self.counts(counts, title: region.map { "\($0.dotted)  \($0.name ?? "")" } ?? "Seluruh Indonesia"), terminator: "")
    }

    static func summary(_ manifest: SnapshotManifest) -> String {
        var table = TextTable(columns: ["", ""])
        table.add(["Period", manifest.period])
        table.add(["Created", manifest.createdAt])
        table.add(["Schema version", String(manifest.schemaVersion)])
        table.add(["Journal sequence", String(manifest.journalSequence)])
        table.add(["Households", String(manifest.households)])
        table.add(["Members", String(manifest.members)])
        table.add(["Content digest", manifest.contentDigest])
        for file in manifest.files {
            table.add(["File", "\(file.name)  \(file.bytes) bytes  sha256:\(file.sha256)"])
        }
        if let replaced = manifest.replaced {
            table.add(["Replaced", "\(replaced.previousCreatedAt) (\(replaced.previousContentDigest)): \(replaced.reason)"])
        }
        if let decree = manifest.decree {
            let types = decree.jenis.keys.sorted().map { "\($0) \(decree.jenis[$0]!)" }.joined(separator: ", ")
            table.add(["Decree", "\(decree.period) (cut-off \(decree.cutoff)): \(decree.total) requests\(types.isEmpty ? "" : " (\(types))"), \(decree.ditetapkan) households set ditetapkan"])
            for sk in decree.sk { table.add(["SK", "\(sk.nomor) (\(sk.tanggal))"]) }
        }
        return table.rendered(header: false)
    }

    static func counts(_ entry: SnapshotManifest.RegionEntry, title: String) -> String {
        var table = TextTable(columns: [title, "households", "members"], rightAligned: [1, 2])
        table.add(["Total", String(entry.total.households), String(entry.total.members)])
        for (section, group) in [("Status", entry.status), ("Program", entry.program), ("Desil", entry.desil), ("NIK flagged", entry.nikFlagged)] where !group.isEmpty {
            table.add([section, "", ""])
            let keys = section == "Desil" ? group.keys.sorted { Int($0) ?? 0 < Int($1) ?? 0 } : group.keys.sorted()
            for key in keys {
                table.add(["  " + key, String(group[key]!.households), String(group[key]!.members)])
            }
        }
        return table.rendered()
    }
}
