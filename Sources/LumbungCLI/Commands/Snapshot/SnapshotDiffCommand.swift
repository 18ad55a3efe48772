import ArgumentParser
import Lumbung

struct SnapshotDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two snapshots, or a snapshot and the live store.",
        discussion: """
            A and B are periods (YYYY-MM or auto-…) or `live`; A is the older state. Counts \
            households added, removed and changed, members added and removed, and how many \
            households changed each field (member fields as anggota.FIELD), summarised per \
            wilayah at the --by level (default kabupaten). --changes lists every household change \
            and field instead (before and after values; member keys are NIKs as written).

            --format table (default), json or csv. JSON (the shape GET /v1/snapshots/diff answers): \
            {"from", "to", "added", "removed", "changed", "members_added", "members_removed", \
            "regions": [{"wilayah", "nama", "added", "removed", "changed", "members_added", \
            "members_removed"}], "changes": [{"id", "kind", "wilayah", "fields": [{"field", \
            "before", "after"}], "members_added", "members_removed"}], "changes_truncated" (with \
            --changes)}. CSV: the region rows, or with --changes one row per change: \
            id,change,wilayah,field,before,after.

            Example:
              lumbung snapshot diff 2026-10 2026-11
              lumbung snapshot diff 2026-11 live --by kecamatan --format csv
              lumbung snapshot diff 2026-10 2026-11 --changes --format json
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The older state: a period or `live`.", valueName: "a"))
    var from: String

    @Argument(help: ArgumentHelp("The newer state: a period or `live`.", valueName: "b"))
    var to: String

    @Option(help: "table, json or csv.")
    var format: Format = .table

    @Option(help: "The wilayah level of the summary.")
    var by: SnapshotDiff.Grouping = .default

    @Flag(help: "List every changed household and field instead of the summary.")
    var changes = false

    func run() throws {
        let a = try DiffSide(from), b = try DiffSide(to)
        let snapshots = Snapshots(storePath: storeOptions.path)
        let diff = try snapshots.diff(from: a, to: b)
        switch format {
        case .table: print(Self.table(diff, level: by.level, changes: changes), terminator: "")
        case .json: print(diff.json(level: by.level, changes: changes ? Int.max : nil).text)
        case .csv: print(Self.csv(diff, level: by.level, changes: changes), terminator: "")
        }
    }

    static func table(_ diff: SnapshotDiff, level: KodeWilayah.Level?, changes: Bool) -> String {
        var out = "diff \(diff.from) → \(diff.to): \(diff.householdsCompared) households compared\n"
        out += "households: \(diff.added) added, \(diff.removed) removed, \(diff.changed) changed; "
        out += "members: \(diff.membersAdded) added, \(diff.membersRemoved) removed\n"
        if changes {
            var table = TextTable(columns: ["ID", "CHANGE", "WILAYAH", "FIELD", "BEFORE", "AFTER"], rightAligned: [0])
            for change in diff.changes {
                for row in rows(change) { table.add(row) }
            }
            return out + "\n" + table.rendered()
        }
        let regions = diff.regions(at: level)
        if !regions.isEmpty {
            var table = TextTable(columns: ["WILAYAH", "NAMA", "ADDED", "REMOVED", "CHANGED", "MEMBERS ADDED", "MEMBERS REMOVED"], rightAligned: [2, 3, 4, 5, 6])
            for region in regions {
                table.add([
                    region.wilayah?.dotted ?? "-", StatsReport.regionName(region.wilayah), String(region.added), String(region.removed),
                    String(region.changed), String(region.membersAdded), String(region.membersRemoved),
                ])
            }
            out += "\n" + table.rendered()
        }
        let fields = diff.fieldCounts
        if !fields.isEmpty {
            var table = TextTable(columns: ["FIELD", "HOUSEHOLDS CHANGED"], rightAligned: [1])
            for (field, count) in fields.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
                table.add([field, String(count)])
            }
            out += "\n" + table.rendered()
        }
        return out
    }

    /// One row per field change, member added or removed; one row for an added or removed household.
    static func rows(_ change: SnapshotDiff.HouseholdChange) -> [[String]] {
        let head = [change.id.description, change.kind.rawValue, change.wilayah.dotted]
        var rows: [[String]] = []
        if change.kind == .changed {
            for field in change.fields { rows.append(head + [field.field, field.before ?? "", field.after ?? ""]) }
        }
        for key in change.membersAdded { rows.append(head + ["anggota", "", key]) }
        for key in change.membersRemoved { rows.append(head + ["anggota", key, ""]) }
        if rows.isEmpty { rows.append(head + ["", "", ""]) }
        return rows
    }

    static func csv(_ diff: SnapshotDiff, level: KodeWilayah.Level?, changes: Bool) -> String {
        func line(_ cells: [String]) -> String {
            cells.map { cell in
                cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
            }.joined(separator: ",") + "\n"
        }
        if changes {
            var out = line(["id", "change", "wilayah", "field", "before", "after"])
            for change in diff.changes {
                for row in rows(change) { out += line(row) }
            }
            return out
        }
        var out = line(["wilayah", "nama", "added", "removed", "changed", "members_added", "members_removed"])
        for region in diff.regions(at: level) {
            out += line([
                region.wilayah?.dotted ?? "", StatsReport.regionName(region.wilayah), String(region.added), String(region.removed),
                String(region.changed), String(region.membersAdded), String(region.membersRemoved),
            ])
        }
        return out
    }
}

/// `--by`: the names and their parse are the core's.
extension SnapshotDiff.Grouping: ExpressibleByArgument {}
