import Lumbung

/// Streams households, one at a time, to a flat CSV or JSON Lines file (`.zst` compresses), or
/// to an .xlsx workbook (the CSV's rows on a sheet, through ``XLSXWriter``).
///
/// Constant memory: each household is encoded and handed to a ``ByteSink`` as it comes, so the
/// file appears under its name only when ``close()`` completes it; ``abandon()`` (or an error)
/// leaves no partial file. CSV is ``FlatRowEncoder``'s layout (the header of
/// ``ColumnMapping/lumbungDefault``), so its attribute columns are fixed up front.
///
/// ```swift
/// let writer = try HouseholdFileWriter(path: "bekasi.csv.zst", format: .csv,
///                                      attributeCodes: ["lantai", "luas_lantai"])
/// for household in households { try writer.write(household) }
/// let summary = try writer.close()   // households and members written
/// ```
public final class HouseholdFileWriter {
    /// Turns one household into the bytes of its CSV rows or JSON line. A value, safe to use on
    /// several threads at once: encode batches in parallel, then ``write(encoded:households:members:)``
    /// them in order.
    public struct Encoder: Sendable {
        public let format: FileFormat
        /// The CSV layout; `nil` for JSON Lines.
        public let flat: FlatRowEncoder?
        /// For .xlsx, per column, whether it is kept as text (``FlatField/isIdentifier``).
        let textColumns: [Bool]

        /// The encoder of `format`, with these CSV attribute columns (ignored for JSON Lines).
        public init(format: FileFormat, attributeCodes: some Sequence<String>, memberAttributeCodes: some Sequence<String>) {
            self.format = format
            flat = format.isFlat ? FlatRowEncoder(attributeCodes: attributeCodes, memberAttributeCodes: memberAttributeCodes) : nil
            textColumns = flat?.fields.map(\.isIdentifier) ?? []
        }

        /// The CSV header row's bytes; empty for JSON Lines (an .xlsx writes its header itself).
        public var csvHeader: [UInt8] {
            var bytes: [UInt8] = []
            if let flat { CSVWriter.encode(flat.header, into: &bytes) }
            return bytes
        }

        /// Appends the household's rows (CSV, .xlsx sheet XML) or line (JSON Lines) to `bytes`.
        /// - Throws: ``LumbungError`` `row.attributeNotExported` for an attribute outside the CSV columns.
        public func encode(_ household: Household, into bytes: inout [UInt8]) throws {
            if let flat, format == .xlsx {
                for row in try flat.rows(for: household) { XLSXWriter.encode(row: row, textColumns: textColumns, into: &bytes) }
            } else if let flat {
                for row in try flat.rows(for: household) { CSVWriter.encode(row, into: &bytes) }
            } else {
                JSONLines.append(household, to: &bytes)
            }
        }
    }

    public let format: FileFormat
    public let encoder: Encoder
    /// Households and members written so far.
    public private(set) var summary = Exporter.Summary()

    private let sink: ByteSink?
    private let workbook: XLSXWriter?
    private var bytes: [UInt8] = []

    /// Creates the file (as a temporary until ``close()``) and, for CSV, writes the header.
    /// - Parameters:
    ///   - path: the file; `-` for standard output; a `.zst` suffix compresses.
    ///   - attributeCodes, memberAttributeCodes: the CSV attribute columns; a household holding
    ///     another code is refused (`row.attributeNotExported`). Ignored for JSON Lines.
    public init(
        path: String, format: FileFormat, attributeCodes: some Sequence<String> = [String](),
        memberAttributeCodes: some Sequence<String> = [String]()
    ) throws {
        self.format = format
        encoder = Encoder(format: format, attributeCodes: attributeCodes, memberAttributeCodes: memberAttributeCodes)
        if format == .xlsx, let flat = encoder.flat {
            workbook = try XLSXWriter(path: path, header: flat.header, textColumns: encoder.textColumns)
            sink = nil
            return
        }
        workbook = nil
        let sink = try ByteSink(path: path)
        self.sink = sink
        if encoder.flat != nil {
            do { try sink.write(encoder.csvHeader) } catch {
                sink.abandon()
                throw error
            }
        }
    }

    /// Appends one household: one CSV row per member, or one JSON line.
    public func write(_ household: Household) throws {
        bytes.removeAll(keepingCapacity: true)
        try encoder.encode(household, into: &bytes)
        try write(encoded: bytes, households: 1, members: household.members.count)
    }

    /// Appends households already turned into bytes by ``encoder`` (counted in the summary).
    public func write(encoded: [UInt8], households: Int, members: Int) throws {
        if let workbook {
            try workbook.write(encoded: encoded, rows: members)
        } else {
            try sink?.write(encoded)
        }
        summary.households += households
        summary.members += members
    }

    /// Completes the file (flush, end the zstd frame, sync, rename) and returns what was written.
    @discardableResult
    public func close() throws -> Exporter.Summary {
        try sink?.close()
        try workbook?.close()
        return summary
    }

    /// Gives up: the target file is not created or changed.
    public func abandon() {
        sink?.abandon()
        workbook?.abandon()
    }
}
