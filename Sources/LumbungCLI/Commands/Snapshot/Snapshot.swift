import ArgumentParser
import Foundation
import Lumbung

/// `lumbung snapshot …`: monthly snapshots of the store.
struct Snapshot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Freeze, verify, compare, export and restore monthly snapshots of the store.",
        discussion: """
            A snapshot is a compacted, consistent copy of the store taken in one read transaction \
            while writers go on writing, kept under STORE/snapshots/PERIOD/ as data.mdb plus \
            manifest.json (period, creation time, schema version, the journal sequence it reflects, \
            counts by status, program and desil for every wilayah level, a SHA-256 content digest \
            over the records in key order, and each file's size and SHA-256). PERIOD is YYYY-MM. \
            A restore keeps the state it replaced as an automatic snapshot named \
            auto-YYYYMMDDTHHMMSSZ, which every command accepts as a PERIOD too.

            Snapshots are immutable: a period is written once (--replace --reason to replace it, \
            which is journaled). A snapshot is written under a temporary name and appears only \
            when complete; `list` flags leftovers of failed ones as incomplete.

            get, find, stats and export read a snapshot with --snapshot PERIOD.

            Example:
              lumbung snapshot create 2026-11
              lumbung snapshot verify 2026-11
              lumbung snapshot diff 2026-10 2026-11
              lumbung snapshot export 2026-11 --out /srv/kirim/2026-11
            """,
        subcommands: [
            SnapshotCreate.self, SnapshotList.self, SnapshotShow.self, SnapshotVerify.self,
            SnapshotDiffCommand.self, SnapshotExport.self, SnapshotPrune.self, SnapshotRestore.self,
        ])
}

/// A PERIOD argument, parsed strictly by the core (exit 3 on a bad one).
func parseSnapshotName(_ text: String) throws -> SnapshotName {
    try SnapshotName(text)
}
