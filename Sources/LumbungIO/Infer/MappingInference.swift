import Lumbung

/// Proposes a column mapping for a flat CSV from another register system, from its header and a
/// sample of its first rows (`lumbung mapping infer`).
///
/// Headers are placed by ``ForeignVocabulary``; a coded column's distinct values are tallied:
/// a value Lumbung reads as it is needs no entry, a BPS code whose meaning is certain is proposed
/// in `values`, and every other value is listed under `fill_in` with an empty target, which the
/// loader refuses until the operator fills it in. A date column gets the format that reads its
/// sample. Headers it cannot place go to `ignore` with a note; a required field the file lacks
/// gets a `constant` of `""` to fill in. The file is read as an import reads it (delimiter, BOM,
/// CRLF, `.zst`, encoding), only the first `rows` rows, in memory bounded by the number of
/// columns and ``maxDistinctValues``.
///
/// ```swift
/// let proposal = try MappingInference.propose(path: "register-lama.csv", rows: 10_000)
/// FileManager.default.createFile(atPath: "lama.mapping.json", contents: Data(proposal.mappingFile))
/// print(proposal.summary)   // 11 of 13 columns mapped; 6 values to fill in: …
/// ```
public enum MappingInference {
    /// Rows read when no number is given.
    public static let defaultRows = 10_000
    /// Distinct values kept a column; a column with more is no coded column, and says so.
    public static let maxDistinctValues = 1_000

    /// Reads the header and the first `rows` rows of the CSV at `path` (`-` for stdin).
    public static func propose(
        path: String, rows: Int = defaultRows, delimiter: CSVDelimiter? = nil, encoding: CSVTextEncoding = .utf8
    ) throws -> MappingProposal {
        try propose(reader: CSVReader(path: path, delimiter: delimiter, encoding: encoding), rows: rows)
    }

    /// Reads the header and at most `rows` records of `reader`.
    public static func propose(reader: CSVReader, rows: Int) throws -> MappingProposal {
        let header = reader.header ?? []
        var proposal = MappingProposal()
        var samples: [(index: Int, sample: ColumnSample)] = []
        var placed: [FlatField: String] = [:]
        for (index, name) in header.enumerated() {
            guard let field = ForeignVocabulary.field(forHeader: name) else {
                proposal.ignore(name, because: "no Lumbung field matches this header")
                continue
            }
            if let other = placed[field] {
                proposal.ignore(name, because: "\(field.name) is already mapped from \(other)")
                continue
            }
            placed[field] = name
            proposal.columns.append(.init(header: name, field: field))
            if let sample = ColumnSample(field: field) { samples.append((index, sample)) }
        }
        while proposal.rowsRead < rows, let record = try reader.next() {
            proposal.rowsRead += 1
            for position in samples.indices where samples[position].index < record.count {
                samples[position].sample.add(record[samples[position].index])
            }
        }
        for (index, sample) in samples {
            let position = proposal.columns.firstIndex { $0.header == header[index] }!
            proposal.columns[position].propose(from: sample, rows: proposal.rowsRead, notes: &proposal.notes)
        }
        for field in FlatField.required(groupBy: .nomorKK) where placed[field] == nil && !proposal.missing.contains(field) {
            if field == ColumnMapping.GroupKey.nomorKK.field {
                proposal.notes.append("\(field.name): no column holds it, and rows are grouped by it: map the file's KK column in \"columns\"")
            } else {
                proposal.missing.append(field)
                proposal.notes.append("\(field.name): the file has no column for this required field: fill in its \"constant\"")
            }
        }
        return proposal
    }
}

/// What one coded or date column's sample holds: distinct values and their counts (at most
/// ``MappingInference/maxDistinctValues``), or the date formats that read it.
struct ColumnSample {
    var counts: [String: Int] = [:]
    var overflow = false
    var dates: DateFormatDetection?

    /// A sample for a field whose values infer looks at; nil for any other field.
    init?(field: FlatField) {
        switch field {
        case .memberTanggalLahir: dates = DateFormatDetection()
        case .status, .alasanTidakLayak, .program, .memberJenisKelamin, .memberHubungan, .memberKeberadaan,
            .memberStatusKawin, .memberPendidikan, .memberDisabilitas:
            break
        default: return nil
        }
    }

    mutating func add(_ cell: String) {
        if dates != nil {
            dates!.add(cell)
            return
        }
        let text = cell.trimmingSpaces
        if text.isEmpty { return }
        if let count = counts[text] {
            counts[text] = count + 1
        } else if counts.count < MappingInference.maxDistinctValues {
            counts[text] = 1
        } else {
            overflow = true
        }
    }
}

/// A proposed mapping: ``json`` is the mapping file, ``summary`` what to tell the operator.
public struct MappingProposal: Sendable {
    /// One column of the file placed on a Lumbung field, with what infer proposes for its cells.
    public struct Column: Sendable {
        public var header: String
        public var field: FlatField
        /// Cell → Lumbung value: the BPS codes proposed.
        public var values: [String: String] = [:]
        /// Cells no rule places, for the operator to fill in.
        public var fillIn: [String] = []
        /// Every distinct value of the sample and how often it was seen (coded columns).
        public var seen: [String: Int] = [:]
        public var format: CellFormat?
    }

    public var columns: [Column] = []
    /// Required fields the file has no column for: each gets a constant to fill in.
    public var missing: [FlatField] = []
    /// Headers read past.
    public var ignored: [String] = []
    /// What the operator should know, one line each, in the order found.
    public var notes: [String] = []
    public var rowsRead = 0

    /// How many `""` the operator must fill in before the mapping loads.
    public var blanks: Int { columns.reduce(missing.count) { $0 + $1.fillIn.count } }

    mutating func ignore(_ header: String, because reason: String) {
        ignored.append(header)
        notes.append("\(header): \(reason); read past (listed in \"ignore\"), map it in \"columns\" to keep it")
    }

    /// The mapping file: notes first (the loader skips them), then columns in file order, the
    /// proposed constants, `group_by` and `ignore`; every map sorted by key.
    public var json: JSONValue {
        func map(_ entries: [String: JSONValue]) -> JSONValue {
            .object(entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        var items: [JSONValue] = columns.map { column in
            var entries: [(String, JSONValue)] = [("header", .string(column.header)), ("field", .string(column.field.name))]
            if !column.values.isEmpty { entries.append(("values", map(column.values.mapValues { .string($0) }))) }
            if let format = column.format { entries.append(("format", .string(format.description))) }
            if !column.fillIn.isEmpty {
                entries.append(("fill_in", map(Dictionary(uniqueKeysWithValues: column.fillIn.map { ($0, .string("")) }))))
            }
            if !column.seen.isEmpty { entries.append(("seen", map(column.seen.mapValues { .int($0) }))) }
            return .object(entries)
        }
        items += missing.map { .object([("field", .string($0.name)), ("constant", .string(""))]) }
        return .object([
            ("notes", .array(notes.map { .string($0) })),
            ("columns", .array(items)),
            ("group_by", .string(ColumnMapping.GroupKey.nomorKK.rawValue)),
            ("ignore", .array(ignored.map { .string($0) })),
        ])
    }

    /// The mapping file's bytes: ``json``, pretty, with a final newline.
    public var mappingFile: [UInt8] {
        var out: [UInt8] = []
        json.write(into: &out, pretty: true)
        return out + [0x0A]
    }

    /// A few lines for standard error: what was read, mapped and left to fill in.
    public var summary: String {
        let mapped = columns.count
        var lines = ["read \(rowsRead) row\(rowsRead == 1 ? "" : "s"): \(mapped) of \(mapped + ignored.count) columns mapped"
            + (ignored.isEmpty ? "" : ", \(ignored.count) ignored (\(ignored.joined(separator: ", ")))")]
        let dated = columns.compactMap { column in column.format.map { "\(column.header) \($0)" } }
        if !dated.isEmpty { lines.append("date format: " + dated.joined(separator: ", ")) }
        let open = columns.filter { !$0.fillIn.isEmpty }.map { "\($0.header) \($0.fillIn.count)" }
            + missing.map { "\($0.name) (constant)" }
        lines.append(blanks == 0
            ? "nothing to fill in"
            : "\(blanks) value\(blanks == 1 ? "" : "s") to fill in: " + open.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}

extension MappingProposal.Column {
    /// Decides each distinct value of the sample, or the date format.
    mutating func propose(from sample: ColumnSample, rows: Int, notes: inout [String]) {
        if let dates = sample.dates {
            format = dates.best
            if format == nil, dates.cells > 0 {
                notes.append("\(header): no date format reads its cells; give \"format\" (one of \(CellFormat.names.dropLast().joined(separator: ", ")))")
            } else if let format, dates.unread > 0 {
                notes.append("\(header): \(dates.unread) of \(dates.cells) cells are not \(format); the import will report them")
            }
            return
        }
        seen = sample.counts
        let (codes, codeNotes) = ForeignVocabulary.knownCodes(for: field)
        for value in sample.counts.keys.sorted() {
            if let target = codes[value], field.problem(inCell: target) == nil {
                values[value] = target
            } else if !field.readsForeignNumbers(value), field.problem(inCell: value) == nil {
                continue  // Lumbung reads it as it is.
            } else {
                fillIn.append(value)
                if let note = codeNotes[value] { notes.append("\(header) '\(value)': \(note)") }
            }
        }
        if sample.overflow {
            notes.append("\(header): more than \(MappingInference.maxDistinctValues) distinct values in \(rows) rows; only the first are listed")
        }
    }
}

extension FlatField {
    /// Whether `value` is a bare number that Lumbung would read as its own code of this field,
    /// where a foreign file's numbering need not be Lumbung's (Lumbung's relation 7 is `mertua`,
    /// BPS's famili lain). Jenis kelamin's 1 and 2 are the same everywhere.
    func readsForeignNumbers(_ value: String) -> Bool {
        switch self {
        case .memberHubungan, .memberKeberadaan, .memberStatusKawin, .memberPendidikan, .memberDisabilitas:
            !value.isEmpty && value.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        default: false
        }
    }
}
