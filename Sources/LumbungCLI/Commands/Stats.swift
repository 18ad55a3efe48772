import ArgumentParser
import Lumbung

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show household and member counts for a region or the whole store.",
        discussion: """
            Reads the store's counters, so it is instant at any size: totals, then households and \
            members by status, program and desil, and members with an invalid or missing NIK. For \
            the whole store, a provinsi, kabupaten or kecamatan it also lists the regions one level \
            down that hold households. Last comes the store file: the size of data.mdb, LMDB's \
            page size, the used and free pages (free pages are reused; `lumbung compact` returns \
            them to the file system) and the map headroom (how far the file may grow before the \
            map grows). With --snapshot PERIOD it reads that snapshot instead.

            --json prints one object: {"wilayah", "nama", "total": {"households", "members"}, \
            "status": {name: {…}}, "program": {…}, "desil": {…}, "nik_flagged": {…}, "children": [...], \
            "file": {"bytes", "page_size", "used_pages", "free_pages", "map_size", "map_headroom"}}.

            Example:
              lumbung stats --wilayah 32.16
              lumbung stats --wilayah 32.16.01 --json
              lumbung stats --snapshot 2026-10
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var snapshotOption: SnapshotOption

    @Option(help: ArgumentHelp("Limit to a kode wilayah at any level, e.g. 32.16 or 32.16.01.2001.", valueName: "code"))
    var wilayah: String?

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func run() throws {
        let region = try parseWilayah(wilayah)
        let (counts, children, file) = try snapshotOption.withStore(storeOptions) { store in
            let (counts, children) = try store.read { tx -> (RegionCounts, [(KodeWilayah, Count)]) in
                let counts = try tx.counts(wilayah: region)
                var children: [(KodeWilayah, Count)] = []
                if region?.level != .desa {
                    for child in WilayahTable.shared.children(of: region) {
                        let total = try tx.counts(wilayah: child).total
                        if total.households != 0 || total.members != 0 { children.append((child, total)) }
                    }
                }
                return (counts, children)
            }
            return (counts, children, try store.fileInfo())
        }
        let title = region.map { $0.name ?? "" } ?? "Seluruh Indonesia"
        if json {
            var object = Self.json(counts, title: title, children: children)
            if case .object(var entries) = object {
                entries.append(("file", Self.json(file)))
                object = .object(entries)
            }
            print(object.rendered)
        } else {
            print(Self.table(counts, title: title, children: children), terminator: "")
            print("\n" + Self.table(file), terminator: "")
        }
    }

    // MARK: Rows

    static func statusRows(_ counts: RegionCounts) -> [(String, Count)] {
        HouseholdStatus.allCases.compactMap { status in counts.byStatus[status].map { (status.description, $0) } }
    }

    static func programRows(_ counts: RegionCounts) -> [(String, Count)] {
        Program.allCases.compactMap { program in counts.byProgram[program].map { (program.name, $0) } }
    }

    static func desilRows(_ counts: RegionCounts) -> [(String, Count)] {
        counts.byDesil.keys.sorted().map { (String($0), counts.byDesil[$0]!) }
    }

    static func flaggedRows(_ counts: RegionCounts) -> [(String, Count)] {
        NIKStatus.Kind.allCases.compactMap { kind in counts.flaggedNIK[kind].map { (kind.rawValue, $0) } }
    }

    // MARK: Table

    static func table(_ counts: RegionCounts, title: String, children: [(KodeWilayah, Count)]) -> String {
        var out = ""
        out += (counts.wilayah.map { "\($0.dotted)  " } ?? "") + title + "\n"
        var table = TextTable(columns: ["", "households", "members"], rightAligned: [1, 2])
        table.add(["Total", String(counts.total.households), String(counts.total.members)])
        func section(_ name: String, _ rows: [(String, Count)]) {
            guard !rows.isEmpty else { return }
            table.add([name, "", ""])
            for (label, count) in rows {
                table.add(["  " + label, String(count.households), String(count.members)])
            }
        }
        section("Status", statusRows(counts))
        section("Program", programRows(counts))
        section("Desil", desilRows(counts))
        section("NIK flagged", flaggedRows(counts))
        out += table.rendered()
        if !children.isEmpty {
            var regions = TextTable(columns: ["wilayah", "nama", "households", "members"], rightAligned: [2, 3])
            for (child, count) in children {
                regions.add([child.dotted, child.name ?? "", String(count.households), String(count.members)])
            }
            out += "\n" + regions.rendered()
        }
        return out
    }

    // MARK: The file

    static func table(_ file: Store.FileInfo) -> String {
        func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
        var table = TextTable(columns: ["Store file", ""])
        table.add(["  data.mdb", "\(file.fileSize) bytes (\(mib(file.fileSize)))"])
        table.add(["  page size", "\(file.pageSize) bytes"])
        table.add(["  used pages", String(file.usedPages)])
        table.add(["  free pages", "\(file.freePages) (\(mib(file.freePages * file.pageSize)); `lumbung compact` returns them)"])
        table.add(["  map size", mib(file.mapSize)])
        table.add(["  map headroom", mib(file.mapHeadroom)])
        return table.rendered(header: true)
    }

    static func json(_ file: Store.FileInfo) -> JSONValue {
        .object([
            ("bytes", .int(file.fileSize)), ("page_size", .int(file.pageSize)),
            ("used_pages", .int(file.usedPages)), ("free_pages", .int(file.freePages)),
            ("map_size", .int(file.mapSize)), ("map_headroom", .int(file.mapHeadroom)),
        ])
    }

    // MARK: JSON

    static func json(_ counts: RegionCounts, title: String, children: [(KodeWilayah, Count)]) -> JSONValue {
        func count(_ c: Count) -> JSONValue { .object([("households", .int(c.households)), ("members", .int(c.members))]) }
        func group(_ rows: [(String, Count)]) -> JSONValue { .object(rows.map { ($0.0, count($0.1)) }) }
        return .object([
            ("wilayah", counts.wilayah.map { .string($0.dotted) } ?? .null),
            ("nama", .string(title)),
            ("total", count(counts.total)),
            ("status", group(statusRows(counts))),
            ("program", group(programRows(counts))),
            ("desil", group(desilRows(counts))),
            ("nik_flagged", group(flaggedRows(counts))),
            ("children", .array(children.map { child, total in
                .object([
                    ("wilayah", .string(child.dotted)), ("nama", .string(child.name ?? "")),
                    ("households", .int(total.households)), ("members", .int(total.members)),
                ])
            })),
        ])
    }
}
