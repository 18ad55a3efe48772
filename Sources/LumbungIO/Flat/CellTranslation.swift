import Lumbung

/// How one mapped column's cells become Lumbung's values, precomputed once per file: the value
/// map and the code list merged into one dictionary (one lookup a cell), the default, the format.
///
/// ```swift
/// let status = CellTranslation(.init(field: "status", values: ["aktif": "ditetapkan"]), field: .status, codeLists: [:])
/// status.translate("aktif")   // .success("ditetapkan")
/// status.translate("AKTIF")   // .success("ditetapkan"): case does not count
/// status.translate("usulan")  // .success("usulan"): not in the map, passed on
/// ```
struct CellTranslation: Sendable {
    /// The file's cell text (trimmed) → Lumbung's value; the column's `values` win over its code list.
    let lookup: [String: String]
    /// The same keys lowercased, for a cell whose case differs from every key (`ISTRI` for
    /// `Istri`). A lowercased key whose spellings map to different values is left out: only an
    /// exact spelling reaches those.
    let foldedLookup: [String: String]
    let defaultValue: String?
    let format: CellFormat?

    init(_ column: ColumnMapping.Column, field: FlatField, codeLists: [String: [String: String]]) {
        var lookup = column.codeList.flatMap { codeLists[$0] } ?? [:]
        for (key, value) in column.values { lookup[key] = value }
        var trimmed: [String: String] = [:]
        for (key, value) in lookup { trimmed[key.trimmingSpaces] = value }
        self.lookup = trimmed
        var folded: [String: String?] = [:]
        for (key, value) in trimmed {
            let fold = key.lowercased()
            if let seen = folded[fold] { folded[fold] = seen == value ? seen : .some(nil) } else { folded[fold] = value }
        }
        foldedLookup = folded.compactMapValues { $0 }
        defaultValue = column.defaultValue
        format = column.format
    }

    /// The Lumbung value for a cell: the default for an empty one, the mapped value, the cell
    /// read in the column's format, or the cell itself; an error when the format cannot read it.
    @inline(__always)
    func translate(_ cell: String) -> Result<String, LumbungError> {
        let text = cell.trimmingSpaces
        if text.isEmpty { return .success(defaultValue ?? text) }
        if let mapped = lookup[text] ?? (foldedLookup.isEmpty ? nil : foldedLookup[text.lowercased()]) {
            return .success(mapped)
        }
        guard let format else { return .success(cell) }
        return format.read(text)
    }
}

/// Turns each row's cells into Lumbung's vocabulary before the row is decoded: the translating
/// columns' cells in place, then the constants appended. Built only when the mapping translates
/// something, so a plain mapping costs nothing.
struct RowTranslator: Sendable {
    let translations: [(index: Int, translation: CellTranslation)]
    let constantCells: [String]

    init?(_ resolved: ColumnMapping.Resolved) {
        guard !resolved.translations.isEmpty || !resolved.constantCells.isEmpty else { return nil }
        translations = resolved.translations
        constantCells = resolved.constantCells
    }

    /// Translates one row; a cell its format cannot read becomes empty and an issue on `line`.
    func translate(_ cells: inout [String], line: Int, names: [String], issues: inout [RowIssue]) {
        // One copy of the row (it is shared with the group), with room for the constants.
        if !constantCells.isEmpty { cells.reserveCapacity(cells.count + constantCells.count) }
        for (index, translation) in translations {
            switch translation.translate(cells[index]) {
            case .success(let value):
                cells[index] = value
            case .failure(let error):
                issues.append(RowIssue(line: line, column: names[index], error: error))
                cells[index] = ""
            }
        }
        if !constantCells.isEmpty { cells += constantCells }
    }
}
