import Lumbung

/// The file formats Lumbung exports and imports.
public enum FileFormat: String, CaseIterable, Sendable {
    /// Flat CSV: one member per row, household columns repeated (``FlatRowEncoder``).
    case csv
    /// JSON Lines: one household per line, members nested (``HouseholdJSON``).
    case jsonl
    /// An Excel workbook: the flat CSV's rows on a sheet (``XLSXWriter``, ``XLSXReader``).
    case xlsx

    /// The format a file name implies (`.csv`, `.jsonl`, `.ndjson`, each optionally `.zst`; `.xlsx`).
    public init?(path: String) {
        let name = path.lowercased().hasSuffix(".zst") ? String(path.lowercased().dropLast(4)) : path.lowercased()
        if path.lowercased().hasSuffix(".xlsx") {
            self = .xlsx
        } else if name.hasSuffix(".csv") {
            self = .csv
        } else if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") {
            self = .jsonl
        } else {
            return nil
        }
    }
}

extension FileFormat {
    /// Whether the format is rows of cells (CSV, .xlsx), one member a row, as ``FlatRowEncoder`` lays them out.
    public var isFlat: Bool { self != .jsonl }
}

/// Streams the households that match a query from a store to a file, page by page.
///
/// Each page is read in its own short read transaction (pages stay stable while writers write);
/// the file appears under its name only when complete (``ByteSink`` renames on close). A `.zst`
/// path is zstd-compressed.
///
/// ```swift
/// let summary = try Exporter.export(from: store, matching: HouseholdQuery(program: .pkh),
///                                   as: .csv, to: "pkh.csv.zst")
/// ```
public enum Exporter {
    public struct Summary: Sendable, Hashable {
        public var households = 0
        public var members = 0
    }

    static let pageSize = 2_000

    public static func export(
        from store: Store, matching query: HouseholdQuery, as format: FileFormat, to path: String,
        progress: ((Int) -> Void)? = nil
    ) throws -> Summary {
        let (codes, memberCodes) = format.isFlat ? try attributeCodes(store, query) : ([], [])
        let writer = try HouseholdFileWriter(path: path, format: format, attributeCodes: codes, memberAttributeCodes: memberCodes)
        do {
            try encodePages(store, query, writer.encoder) { page in
                try writer.write(encoded: page.bytes, households: page.households, members: page.members)
                progress?(writer.summary.households)
            }
            return try writer.close()
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Streams the matching households as flat CSV (``export(from:matching:as:to:progress:)``'s
    /// file, header first) to `write`, a page of rows at a time, for a caller that sends them on
    /// (an HTTP download): memory holds a few pages, whatever the selection's size.
    public static func exportCSV(
        from store: Store, matching query: HouseholdQuery, write: ([UInt8]) throws -> Void
    ) throws -> Summary {
        let (codes, memberCodes) = try attributeCodes(store, query)
        let encoder = HouseholdFileWriter.Encoder(format: .csv, attributeCodes: codes, memberAttributeCodes: memberCodes)
        try write(encoder.csvHeader)
        var summary = Summary()
        try encodePages(store, query, encoder) { page in
            try write(page.bytes)
            summary.households += page.households
            summary.members += page.members
        }
        return summary
    }

    /// The attribute codes in use by the matching households and their members: CSV needs its
    /// attribute columns up front, so a first pass collects them.
    static func attributeCodes(_ store: Store, _ query: HouseholdQuery) throws -> (Set<String>, Set<String>) {
        var codes = Set<String>(), memberCodes = Set<String>()
        try forEachPage(store, query) { households in
            for household in households {
                codes.formUnion(household.attributes.codes)
                for member in household.members { memberCodes.formUnion(member.attributes.codes) }
            }
        }
        return (codes, memberCodes)
    }

    /// Hands each page of matching households, encoded, to `body`, in order: pages are read on
    /// one thread, encoded on the others, and handed on here.
    static func encodePages(
        _ store: Store, _ query: HouseholdQuery, _ encoder: HouseholdFileWriter.Encoder,
        _ body: (_ page: (bytes: [UInt8], households: Int, members: Int)) throws -> Void
    ) throws {
        let pages = DecodePipeline<[Household], EncodedPage>(
            batchSize: 1, depth: 8,
            read: { emit in try forEachPage(store, query) { households in try emit(households) } },
            decode: { households in
                var bytes: [UInt8] = []
                bytes.reserveCapacity(households.count * 1024)
                do {
                    for household in households { try encoder.encode(household, into: &bytes) }
                } catch {
                    return EncodedPage(bytes: .failure(error), households: 0, members: 0)
                }
                return EncodedPage(
                    bytes: .success(bytes), households: households.count,
                    members: households.reduce(0) { $0 + $1.members.count })
            })
        defer { pages.cancel() }
        while let page = try pages.next() {
            try body((try page.bytes.get(), page.households, page.members))
        }
    }

    /// One page of households as file bytes.
    struct EncodedPage: Sendable {
        var bytes: Result<[UInt8], any Error>
        var households: Int
        var members: Int
    }

    /// Calls `body` with each page of matching households.
    static func forEachPage(_ store: Store, _ query: HouseholdQuery, _ body: ([Household]) throws -> Void) throws {
        var cursor: String?
        repeat {
            let page = try store.read { tx in try tx.find(query, after: cursor, limit: pageSize) }
            try body(page.households)
            cursor = page.nextCursor
        } while cursor != nil
    }
}
