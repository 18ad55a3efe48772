/// An A1-style cell reference (`C5`, `AB12`): the 0-based column and the 1-based row.
///
/// ```swift
/// CellReference(parsing: Array("AB12".utf8)[...])   // column 27, row 12
/// CellReference.columnLetters(27)                    // "AB"
/// ```
struct CellReference: Hashable, Sendable {
    /// 0-based: A is 0, Z 25, AA 26. Excel's last column, XFD, is 16 383.
    var column: Int
    /// 1-based, as the sheet numbers rows (0 when the reference has no row part, as in `C`).
    var row: Int

    /// Excel's limits: 16 384 columns and 1 048 576 rows a sheet.
    static let maximumColumns = 16_384
    static let maximumRows = 1_048_576

    /// Reads letters then digits; `nil` for anything else or a column past XFD.
    init?(parsing bytes: some Collection<UInt8>) {
        var column = 0, row = 0, letters = 0, digits = 0
        for byte in bytes {
            let upper = byte & 0xDF
            if digits == 0 && upper >= UInt8(ascii: "A") && upper <= UInt8(ascii: "Z") {
                column = column * 26 + Int(upper - UInt8(ascii: "A")) + 1
                letters += 1
                if column > Self.maximumColumns { return nil }
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") && letters > 0 {
                row = row * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                if row > Self.maximumRows { return nil }
            } else if byte == UInt8(ascii: "$") {
                continue  // an absolute reference's marker
            } else {
                return nil
            }
        }
        guard letters > 0 else { return nil }
        self.column = column - 1
        self.row = row
    }

    init(column: Int, row: Int) {
        self.column = column
        self.row = row
    }

    /// The column's letters: 0 → `A`, 26 → `AA`.
    static func columnLetters(_ column: Int) -> String {
        var n = column + 1
        var letters: [UInt8] = []
        while n > 0 {
            n -= 1
            letters.append(UInt8(ascii: "A") + UInt8(n % 26))
            n /= 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }
}
