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
            appears only when complete. With --with-evidence, every evidence attachment the \
            snapshot references is added as evidence/SHA256 (named by its digest, listed in \
            SHA256SUMS, hashed again as it is copied).

            Example:
              lumbung snapshot export 2026-11 --out /srv/kirim/2026-11
              lumbung snapshot export 2026-11 --out /srv/kirim/2026-11 --with-evidence
              (cd /srv/kirim/2026-11 && sha256sum -c SHA256SUMS)
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The period, YYYY-MM (or an auto-… name).", valueName: "period"))
    var period: String

    @Option(help: ArgumentHelp("The package directory to create.", valueName: "dir"))
    var out: String

    @Flag(help: "Add the evidence attachments the snapshot references, under evidence/SHA256.")
    var withEvidence = false

    func run() throws {
        let name = try parseSnapshotName(period)
        var attachments = 0, attachmentBytes = 0
        let files = try SnapshotPackage.write(Snapshots(storePath: storeOptions.path), name, to: out, withEvidence: withEvidence, attachment: { file in
            attachments += 1
            attachmentBytes += file.bytes
        })
        for file in files { print("\(file.sha256)  \(file.name)  \(file.bytes) bytes") }
        if withEvidence { print("evidence: \(attachments) attachment(s), \(attachmentBytes) bytes") }
        Terminal.note("package for \(name) written to \(out)")
    }
}
