import Lumbung

/// The columns of a keyed file (a desil ranking, a Dukcapil answer): one row names one
/// household or member by a key and carries a few values. Each wanted Lumbung field is found
/// through a ``ColumnMapping`` (a column mapped to it, with its value map, code list, default
/// and format), or else by its own name (`desil`, `nomor_kk`, `anggota.nik` also as `nik`).
///
/// ```swift
/// let columns = try KeyedColumns(header: ["NO_KK", "DESIL"], mapping: mapping, fields: [.nomorKK, .desil], required: [.nomorKK, .desil])
/// columns.cell(1, of: record)     // .success("3"), or nil when the file lacks the column
/// ```
struct KeyedColumns {
    /// Per wanted field: its header index (nil: not in the file).
    let indexes: [Int?]
    /// Per wanted field: the header's name for it, for issues (the field's name when absent).
    let names: [String]
    private let translations: [CellTranslation?]

    /// - Throws: `row.mappingInvalid` on line 1 naming a required field no column holds.
    init(header: [String], mapping: ColumnMapping?, fields: [FlatField], required: [FlatField]) throws {
        var indexes: [Int?] = [], names: [String] = [], translations: [CellTranslation?] = []
        let trimmed = header.map(\.trimmingSpaces)
        for field in fields {
            var found: (Int, String, CellTranslation?)?
            if let mapping {
                for (name, column) in mapping.columns.sorted(by: { $0.key < $1.key }) where FlatField(name: column.field) == field {
                    if let index = trimmed.firstIndex(of: name.trimmingSpaces) {
                        found = (index, header[index], column.translates ? CellTranslation(column, field: field, codeLists: mapping.codeLists) : nil)
                        break
                    }
                }
            }
            if found == nil, mapping?.acceptsLumbungNames ?? true {
                let spellings = [field.name] + (field.name.hasPrefix("anggota.") ? [String(field.name.dropFirst(8))] : [])
                if let index = trimmed.firstIndex(where: { spellings.contains($0) }) { found = (index, header[index], nil) }
            }
            if found == nil, required.contains(field) {
                throw LumbungError(
                    .rowMappingInvalid, field: field.name, value: header.joined(separator: ","),
                    rule: "no column holds \(field.name): name a column \(field.name), or map one to it with --mapping")
            }
            indexes.append(found?.0)
            names.append(found?.1 ?? field.name)
            translations.append(found?.2)
        }
        self.indexes = indexes
        self.names = names
        self.translations = translations
    }

    /// Wanted field `position`'s value on a row, translated (trimmed); nil when the file lacks
    /// the column, a failure when the column's format cannot read the cell.
    func cell(_ position: Int, of record: CSVRecord) -> Result<String, LumbungError>? {
        guard let index = indexes[position] else { return nil }
        let raw = index < record.fields.count ? record.fields[index] : ""
        guard let translation = translations[position] else { return .success(raw.trimmingSpaces) }
        return translation.translate(raw).map(\.trimmingSpaces)
    }
}
