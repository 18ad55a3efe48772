/// A plain text table: columns padded to their widest cell, two spaces apart.
struct TextTable {
    let columns: [String]
    let rightAligned: Set<Int>
    private var rows: [[String]] = []

    init(columns: [String], rightAligned: Set<Int> = []) {
        self.columns = columns
        self.rightAligned = rightAligned
    }

    mutating func add(_ row: [String]) { rows.append(row) }

    func rendered(header: Bool = true) -> String {
        let all = (header ? [columns] : []) + rows
        var widths = Array(repeating: 0, count: columns.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        var out = ""
        for row in all {
            var line = ""
            for (index, cell) in row.enumerated() where index < widths.count {
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                if index > 0 { line += "  " }
                line += rightAligned.contains(index) ? pad + cell : cell + pad
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }
}
