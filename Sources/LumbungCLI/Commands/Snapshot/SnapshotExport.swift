import ArgumentParser
import Lumbung
import LumbungIO

struct SnapshotExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a snapshot's submission package: CSV.zst, JSONL.zst, manifest and SHA256SUMS.",
        discussion: """
            Verifies the snapshot, then writes into DIR (new or empty): dtks-PERIOD.csv.zst (flat \
            CSV, one row per member), dtks-PERIOD.jsonl.zst (one household per line), \
            manifest.json, and SHA256SUMS, which `sha256sum -c SHA256SUMS` checks. The directory \
            appears only when complete.

            Example:
              lumbung snapshot export 2026-11 --out /srv/kirim/2026-11
              (cd /srv/kirim/2026-11 && sha256sum -c SHA256SUMS)
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The period, YYYY-MM (or an auto-… name).", valueName: "period"))
    var period: String

    @Option(help: ArgumentHelp("The package directory to create.", valueName: "dir"))
    var out: String

    func run() throws {
        let name = try parseSnapshotName(period)
        let files = try SnapshotPackage.write(Snapshots(storePath: storeOptions.path), name, to: out)
        for file in files { print("\(file.sha256)  \(file.name)  \(file.bytes) bytes") }
        Terminal.note("package for \(name) written to \(out)")
    }
}
