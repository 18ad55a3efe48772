import Lumbung

/// Streams households, one at a time, to a flat CSV or JSON Lines file (`.zst` compresses).
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
    public let format: FileFormat
    /// Households and members written so far.
    public private(set) var summary = Exporter.Summary()

    private let sink: ByteSink
    private let csv: (encoder: FlatRowEncoder, writer: CSVWriter)?
    private var line: [UInt8] = []

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
        sink = try ByteSink(path: path)
        switch format {
        case .jsonl:
            csv = nil
        case .csv:
            do {
                let encoder = FlatRowEncoder(attributeCodes: attributeCodes, memberAttributeCodes: memberAttributeCodes)
                let writer = try CSVWriter(sink: sink)
                try writer.write(encoder.header)
                csv = (encoder, writer)
            } catch {
                sink.abandon()
                throw error
            }
        }
    }

    /// Appends one household: one CSV row per member, or one JSON line.
    public func write(_ household: Household) throws {
        if let csv {
            for row in try csv.encoder.rows(for: household) { try csv.writer.write(row) }
        } else {
            line.removeAll(keepingCapacity: true)
            JSONLines.append(household, to: &line)
            try sink.write(line)
        }
        summary.households += 1
        summary.members += household.members.count
    }

    /// Completes the file (flush, end the zstd frame, sync, rename) and returns what was written.
    @discardableResult
    public func close() throws -> Exporter.Summary {
        try sink.close()
        return summary
    }

    /// Gives up: the target file is not created or changed.
    public func abandon() { sink.abandon() }
}
