/// The counts of one region and of the regions one level down that hold households: what
/// `lumbung stats` prints and `GET /v1/stats` answers, built once for both.
///
/// ```swift
/// let report = try store.read { tx in try tx.statsReport(wilayah: try KodeWilayah("32.16")) }
/// report.json().text    // {"wilayah":"32.16","nama":"…","total":{"households":…},…}
/// ```
public struct StatsReport: Sendable {
    public let counts: RegionCounts
    /// The regions one level down with at least one household or member (none for a desa).
    public let children: [(wilayah: KodeWilayah, total: Count)]
    /// Households and members per PKH component, when asked for (read from the member index).
    public var pkh: PKHCounts?

    public init(counts: RegionCounts, children: [(wilayah: KodeWilayah, total: Count)], pkh: PKHCounts? = nil) {
        self.counts = counts
        self.children = children
        self.pkh = pkh
    }

    /// The region's name; `Seluruh Indonesia` for the whole store.
    public var title: String { Self.regionName(counts.wilayah) }

    /// A region's name for reports: its own name, empty when unknown, `Seluruh Indonesia` for none.
    public static func regionName(_ wilayah: KodeWilayah?) -> String {
        wilayah.map { $0.name ?? "" } ?? "Seluruh Indonesia"
    }

    // MARK: Rows, in the order tables and JSON list them

    public var statusRows: [(String, Count)] {
        HouseholdStatus.allCases.compactMap { status in counts.byStatus[status].map { (status.description, $0) } }
    }

    public var programRows: [(String, Count)] {
        Program.allCases.compactMap { program in counts.byProgram[program].map { (program.name, $0) } }
    }

    public var desilRows: [(String, Count)] {
        counts.byDesil.keys.sorted().map { (String($0), counts.byDesil[$0]!) }
    }

    /// Members by Dukcapil status (households: those with such a member).
    public var dukcapilRows: [(String, Count)] {
        DukcapilStatus.allCases.compactMap { status in counts.byDukcapil[status].map { (status.name, $0) } }
    }

    /// Households and members per PKH component, in the table's order (empty unless asked for).
    public var pkhRows: [(String, Count)] {
        guard let pkh else { return [] }
        return PKHComponent.allCases.map { ($0.name, pkh.byComponent[$0] ?? .zero) }
    }

    public var flaggedRows: [(String, Count)] {
        NIKStatus.Kind.allCases.compactMap { kind in counts.flaggedNIK[kind].map { (kind.rawValue, $0) } }
    }

    // MARK: JSON

    /// A count as the reports write it: `{"households": …, "members": …}`.
    public static func json(_ count: Count) -> JSONValue {
        .object([("households", .int(count.households)), ("members", .int(count.members))])
    }

    /// `{"wilayah", "nama", "total", "status", "program", "desil", "nik_flagged", "status_dukcapil", "children"}`,
    /// then `"file"` when `file` is given (the CLI shows the store file; the API does not).
    public func json(file: Store.FileInfo? = nil) -> JSONValue {
        func count(_ c: Count) -> JSONValue { Self.json(c) }
        func group(_ rows: [(String, Count)]) -> JSONValue { .object(rows.map { ($0.0, count($0.1)) }) }
        var entries: [(String, JSONValue)] = [
            ("wilayah", .optional(counts.wilayah?.dotted)),
            ("nama", .string(title)),
            ("total", count(counts.total)),
            ("status", group(statusRows)),
            ("program", group(programRows)),
            ("desil", group(desilRows)),
            ("nik_flagged", group(flaggedRows)),
            (DukcapilResult.statusField, group(dukcapilRows)),
            ("children", .array(children.map { child, total in
                .object([
                    ("wilayah", .string(child.dotted)), ("nama", .string(child.name ?? "")),
                    ("households", .int(total.households)), ("members", .int(total.members)),
                ])
            })),
        ]
        if let pkh {
            entries.append(("pkh_komponen", .object([("tanggal", .string(pkh.date.description))] + pkhRows.map { ($0.0, count($0.1)) })))
        }
        if let file { entries.append(("file", Self.json(file))) }
        return .object(entries)
    }

    /// `{"bytes", "page_size", "used_pages", "free_pages", "map_size", "map_headroom"}`.
    public static func json(_ file: Store.FileInfo) -> JSONValue {
        .object([
            ("bytes", .int(file.fileSize)), ("page_size", .int(file.pageSize)),
            ("used_pages", .int(file.usedPages)), ("free_pages", .int(file.freePages)),
            ("map_size", .int(file.mapSize)), ("map_headroom", .int(file.mapHeadroom)),
        ])
    }
}

extension ReadTransaction {
    /// The counts of `wilayah` (the whole store when nil) and of its child regions that hold
    /// households, from the counters.
    /// With `pkhOn`, also the PKH components on that date (``pkhCounts(wilayah:on:)``: it walks
    /// the region's members, so it takes time in proportion to them).
    public func statsReport(wilayah: KodeWilayah?, pkhOn date: CalendarDate? = nil) throws -> StatsReport {
        let counts = try counts(wilayah: wilayah)
        var children: [(wilayah: KodeWilayah, total: Count)] = []
        if wilayah?.level != .desa {
            for child in WilayahTable.shared.children(of: wilayah) {
                let total = try self.counts(wilayah: child).total
                if total.households != 0 || total.members != 0 { children.append((child, total)) }
            }
        }
        return StatsReport(counts: counts, children: children, pkh: try date.map { try pkhCounts(wilayah: wilayah, on: $0) })
    }
}
