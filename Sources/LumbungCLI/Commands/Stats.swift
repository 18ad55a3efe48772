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

            --pkh adds households and members per PKH component (ibu_hamil, anak_usia_dini 0-6, \
            anak_sd 7-12, anak_smp 13-15, anak_sma 16-18, lansia 60+, disabilitas_berat), ages on \
            --date (default today); it walks the region's member index (no record is read), so it \
            takes time in proportion to the members. With --json it is "pkh_komponen": \
            {"tanggal", name: {"households", "members"}}.

            --nik-reasons adds the members without a NIK by the reason the BPS placeholder \
            written in its place gives (9999999999999995 under_17, …6 age_17_plus, …9 \
            foreign_national, …4 refused; none_written for an empty cell). It reads the \
            households with a missing NIK, so it takes time in proportion to them (memory stays \
            flat); with --json it is "nik_missing_reasons": {name: {"households", "members"}}.

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

    @Flag(help: "Also count households and members per PKH component (reads the member index, not records).")
    var pkh = false

    @Option(name: .customLong("date"), help: ArgumentHelp("The day PKH ages are reckoned on (YYYY-MM-DD; default today).", valueName: "date"))
    var referenceDate: String?

    @Flag(name: .customLong("nik-reasons"), help: "Also count missing NIKs by the placeholder's reason (reads those households).")
    var nikReasons = false

    func run() throws {
        let region = try parseWilayah(wilayah)
        let pkhDate: CalendarDate? = try referenceDate.map(parseReferenceDate) ?? (pkh ? .today() : nil)
        let (report, reasons, file) = try snapshotOption.withStore(storeOptions) { store in
            let (report, reasons) = try store.read { tx in
                (try tx.statsReport(wilayah: region, pkhOn: pkhDate), nikReasons ? try tx.missingNIKReasons(wilayah: region) : nil)
            }
            return (report, reasons, try store.fileInfo())
        }
        if json {
            var object = report.json(file: file)
            if let reasons, case .object(var entries) = object {
                entries.append(("nik_missing_reasons", .object(reasons.rows.map { ($0.0, StatsReport.json($0.1)) })))
                object = .object(entries)
            }
            print(object.text)
        } else {
            print(Self.table(report), terminator: "")
            if let reasons {
                var table = TextTable(columns: ["NIK missing, by reason", "households", "members"], rightAligned: [1, 2])
                for (name, count) in reasons.rows { table.add(["  " + name, String(count.households), String(count.members)]) }
                print("\n" + table.rendered(), terminator: "")
            }
            print("\n" + Self.table(file), terminator: "")
        }
    }

    // MARK: Table

    static func table(_ report: StatsReport) -> String {
        let counts = report.counts
        var out = ""
        out += (counts.wilayah.map { "\($0.dotted)  " } ?? "") + report.title + "\n"
        var table = TextTable(columns: ["", "households", "members"], rightAligned: [1, 2])
        table.add(["Total", String(counts.total.households), String(counts.total.members)])
        func section(_ name: String, _ rows: [(String, Count)]) {
            guard !rows.isEmpty else { return }
            table.add([name, "", ""])
            for (label, count) in rows {
                table.add(["  " + label, String(count.households), String(count.members)])
            }
        }
        section("Status", report.statusRows)
        section("Program", report.programRows)
        section("Desil", report.desilRows)
        section("NIK flagged", report.flaggedRows)
        section("Dukcapil (members)", report.dukcapilRows)
        section("PKH components" + (report.pkh.map { " on \($0.date)" } ?? ""), report.pkhRows)
        out += table.rendered()
        if !report.children.isEmpty {
            var regions = TextTable(columns: ["wilayah", "nama", "households", "members"], rightAligned: [2, 3])
            for (child, count) in report.children {
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
}
