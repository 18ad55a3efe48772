import ArgumentParser
import Foundation
import Lumbung
import LumbungPublish

struct Publish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish a snapshot into PostgreSQL, partitioned by kabupaten, for national queries and BI tools.",
        discussion: """
            Verifies the snapshot, then streams its households and members (COPY, one \
            transaction) into lumbung_household and lumbung_member, partitioned by kabupaten and \
            then by period, and records the manifest and its content digest in \
            lumbung_publication. Each (kabupaten, period) is one partition: a rerun replaces it \
            atomically, and a failed or killed run leaves the previous one as it was. The row \
            counts are checked against the manifest before the swap. The tables are created if \
            absent; see docs/NATIONAL.md for their columns, national queries and Citus.

            URL: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE, or a Unix socket directory: \
            postgresql://USER@/DATABASE?host=/run/postgresql. TLS is not negotiated.

            Exit codes: 0 published, 1 PostgreSQL refused or unreachable (publish.postgres), a \
            snapshot that does not verify (snapshot.corrupt) or a storage error, 2 bad option, \
            3 a URL that does not parse (publish.url), 4 no such snapshot or store.

            Example:
              lumbung publish --store /srv/lumbung/3216 --postgres postgres://bi@db.internal/dtks 2026-11
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The PostgreSQL URL to publish into.", valueName: "url"))
    var postgres: String

    @Argument(help: ArgumentHelp("The period, YYYY-MM (or an auto-… name).", valueName: "period"))
    var period: String

    func run() async throws {
        let name = try parseSnapshotName(period)
        let start = Date()
        let summary = try await SnapshotPublisher.publish(
            Snapshots(storePath: storeOptions.path), name, to: postgres, progress: { Terminal.note($0) })
        for partition in summary.partitions {
            print("\(partition.kabupaten.dotted)\t\(summary.period)\t\(partition.households) households\t\(partition.members) members")
        }
        Terminal.note(
            "published \(summary.period) (\(summary.contentDigest)) in \(Progress.format(seconds: Date().timeIntervalSince(start))) → \(PostgresURL.masked(postgres))")
    }
}
