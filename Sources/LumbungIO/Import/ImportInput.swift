import Foundation
import Lumbung
import Synchronization

/// One household as read from the file, before decoding.
enum RawHousehold: Sendable {
    /// A flat file's rows of one household, as text.
    case rows(FlatRowGroup<[String]>)
    /// A CSV file's rows of one household, as bytes (the fast path).
    case cellRows(FlatRowGroup<CSVCells>)
    /// A JSON Lines line and its number.
    case json(line: Int, bytes: [UInt8])
}

/// An import's input file: its format and, for CSV, its header resolved against the mapping.
/// Each pass over it (a load retried after the map grew reads it again) is a ``DecodePipeline``
/// followed by an ``InOrderStage`` of the file-wide checks.
struct ImportInput: Sendable {
    let path: String
    let format: FileFormat
    let options: ImportOptions
    /// The file's size in bytes, for progress (0 for a pipe).
    let bytesTotal: Int
    /// The flat decoder's parts, from the header (CSV, .xlsx).
    let flat: FlatRowDecoder?
    /// The CSV fast path, which reads records as bytes; nil when the file is read as text.
    let byteDecoder: FlatByteDecoder?
    /// The .xlsx sheet's header row and its NIK and KK columns (read as identifiers).
    private let sheetHeader: (line: Int, width: Int, identifiers: Set<Int>)?
    let policy: NIKPolicy

    /// Opens the file once to check it reads and that its header fits the mapping.
    /// - Throws: ``RowIssues`` for a header the mapping cannot read; `file.*`/`csv.*` errors.
    init(path: String, format: FileFormat, options: ImportOptions) throws {
        self.path = path
        self.format = format
        self.options = options
        policy = options.keepInvalidNIK ? .keepFlagged : .strict
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        bytesTotal = (attributes?[.type] as? FileAttributeType) == .typeRegular ? (attributes?[.size] as? Int ?? 0) : 0
        switch format {
        case .csv:
            let reader = try CSVReader(path: path, delimiter: options.delimiter, encoding: options.encoding)
            let decoder = try FlatRowDecoder(
                header: reader.header ?? [], mapping: options.mapping, options: .init(keepInvalidNIK: options.keepInvalidNIK))
            flat = decoder
            // The one place the path is chosen: bytes for UTF-8 and a mapping that translates
            // nothing (then each household still falls back to the text decoder on any doubt).
            byteDecoder = options.encoding == .utf8 ? FlatByteDecoder(decoder.householdDecoder) : nil
            sheetHeader = nil
        case .jsonl:
            _ = try ByteSource(path: path)
            flat = nil
            byteDecoder = nil
            sheetHeader = nil
        case .xlsx:
            let reader = try XLSXReader(path: path, sheet: options.sheet)
            guard let header = try reader.firstRow() else {
                throw LumbungError(.csvHeader, field: "\(path) sheet '\(reader.sheetName)'", rule: "the sheet is empty: a header row is expected")
            }
            let decoder = try FlatRowDecoder(
                header: header.cells, mapping: options.mapping, options: .init(keepInvalidNIK: options.keepInvalidNIK), headerLine: header.line)
            flat = decoder
            byteDecoder = nil
            let identifiers = header.cells.indices.filter { decoder.fields[$0] == .memberNIK || decoder.fields[$0] == .nomorKK }
            sheetHeader = (header.line, header.cells.count, Set(identifiers))
        }
    }

    /// The column NIK issues name: the CSV header's NIK column (JSON Lines names each member's path).
    var nikColumn: String { flat?.fileChecks.nikColumn ?? "anggota.nik" }

    /// The column source-id issues name: the CSV header's, or the JSON key.
    var sourceIDColumn: String { flat?.fileChecks.sourceIDColumn ?? FlatField.sourceID.name }

    /// The checks that span the file, fresh for a pass.
    func fileChecks() -> FlatFileChecks {
        flat?.fileChecks ?? FlatFileChecks(
            nikColumn: "anggota.nik", kkColumn: "nomor_kk", sourceIDColumn: FlatField.sourceID.name, checksKK: true, checksSourceID: true)
    }

    /// Starts a pass: reading on a thread of its own, decoding on every core, and the file-wide
    /// checks (``FlatFileChecks``, fresh for the pass) in file order on a thread of their own, which
    /// forgets what they remember once reading ends, before the consumer sees the end.
    func checkedHouseholds(bytesRead: BytesRead) -> InOrderStage<DecodePipeline<RawHousehold, FlatDecodedGroup>, FlatFileChecks> {
        let input = self
        let decoded = DecodePipeline(
            read: { emit in try input.read(bytesRead: bytesRead, emit) },
            decode: { raw in input.decode(raw) })
        return InOrderStage(
            upstream: decoded, state: fileChecks(),
            step: { checks, group in checks.check(inPlace: &group) },
            atEnd: { checks in checks.forgetFile() })
    }

    private func read(bytesRead: BytesRead, _ emit: (RawHousehold) throws -> Void) throws {
        var count = 0
        switch format {
        case .jsonl:
            let source = try ByteSource(path: path)
            while let line = try source.nextLine() {
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }) { continue }
                try emit(.json(line: source.lineNumber, bytes: Array(line)))
                count += 1
                if count & 255 == 0 { bytesRead.value.store(source.bytesConsumed, ordering: .relaxed) }
            }
            bytesRead.value.store(source.bytesConsumed, ordering: .relaxed)
        case .csv where byteDecoder != nil:
            let reader = try CSVReader(path: path, delimiter: options.delimiter, encoding: options.encoding)
            var grouper = flat!.cellGrouper
            while let (line, cells) = try reader.nextCells() {
                if let group = grouper.push(line: line, row: cells) {
                    try emit(.cellRows(group))
                    count += 1
                    if count & 255 == 0 { bytesRead.value.store(reader.bytesConsumed, ordering: .relaxed) }
                }
            }
            if let group = grouper.finish() { try emit(.cellRows(group)) }
            bytesRead.value.store(reader.bytesConsumed, ordering: .relaxed)
        case .csv:
            let reader = try CSVReader(path: path, delimiter: options.delimiter, encoding: options.encoding)
            var grouper = flat!.grouper
            while let record = try reader.next() {
                if let group = grouper.push(line: record.line, row: record.fields) {
                    try emit(.rows(group))
                    count += 1
                    if count & 255 == 0 { bytesRead.value.store(reader.bytesConsumed, ordering: .relaxed) }
                }
            }
            if let group = grouper.finish() { try emit(.rows(group)) }
            bytesRead.value.store(reader.bytesConsumed, ordering: .relaxed)
        case .xlsx:
            // The sheet's rows feed the same grouper as a CSV's records; a row Excel cut short
            // (trailing empty cells are not stored) is padded to the header's width.
            let reader = try XLSXReader(path: path, sheet: options.sheet)
            let header = sheetHeader!
            var grouper = flat!.grouper
            // Progress counts the compressed file by the share of the sheet inflated so far.
            let scale = reader.sheetSize > 0 ? Double(bytesTotal) / Double(reader.sheetSize) : 0
            try reader.forEachRow(identifierColumns: header.identifiers) { row in
                guard row.line > header.line else { return true }
                var cells = row.cells
                if cells.count < header.width { cells.append(contentsOf: repeatElement("", count: header.width - cells.count)) }
                if let group = grouper.push(line: row.line, row: cells) {
                    try emit(.rows(group))
                    count += 1
                    if count & 255 == 0 { bytesRead.value.store(Int(Double(reader.bytesConsumed) * scale), ordering: .relaxed) }
                }
                return true
            }
            if let group = grouper.finish() { try emit(.rows(group)) }
            bytesRead.value.store(bytesTotal, ordering: .relaxed)
        }
    }

    /// Decodes and validates one household (any thread).
    private func decode(_ raw: RawHousehold) -> FlatDecodedGroup {
        var decoded: FlatDecodedGroup
        switch raw {
        case .rows(let group):
            decoded = flat!.householdDecoder.decode(group)
        case .cellRows(let group):
            decoded = byteDecoder!.decode(group)
        case .json(let line, let bytes):
            decoded = FlatDecodedGroup(result: JSONLines.decode(line: line, bytes), firstLine: line)
            if case .success(let household) = decoded.result {
                var columns: [String] = []
                for (position, member) in household.members.enumerated() {
                    guard let nik = member.nik.nik else { continue }
                    decoded.niks.append((nik.rawValue, line))
                    columns.append("anggota[\(position)].nik")
                }
                decoded.nikColumns = columns
                decoded.nomorKK = (household.nomorKK.rawValue, line)
                decoded.sourceID = household.sourceID.map { ($0, line) }
            }
        }
        // The flat decoder runs the core's validation itself; a JSON line is only parsed, so it
        // is validated here, every problem named by its JSON path.
        if case .json = raw, case .success(let household) = decoded.result {
            let check = household.checked(policy: policy)
            decoded.result = check.problems.isEmpty
                ? .success(check.stored)
                : .failure(RowIssues(
                    issues: check.problems.map { RowIssue(line: decoded.firstLine, error: $0) }, firstLine: decoded.firstLine))
        }
        return decoded
    }
}

/// Input bytes read so far, shared by the reader thread and the importing thread.
final class BytesRead: Sendable {
    let value = Atomic<Int>(0)
}
