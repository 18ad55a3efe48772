import Foundation
import Lumbung
import LumbungSynthetic
import Testing

@testable import LumbungIO

/// The .xlsx reader and writer: cell references against a simple model, the worksheet parser on a
/// hand-written sheet with every cell type (fed in chunks of every size), a write → read round trip
/// on random rows, identifier numbers that lost digits, and the errors for bad files.
@Suite("Excel .xlsx")
struct XLSXTests {
    // MARK: Cell references

    /// The model: bijective base 26, A = 1, written the slow way.
    static func modelLetters(_ column: Int) -> String {
        var n = column + 1, letters = ""
        while n > 0 {
            let digit = (n - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + digit))) + letters
            n = (n - 1) / 26
        }
        return letters
    }

    static func modelColumn(_ letters: String) -> Int {
        letters.unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
    }

    @Test func cellReferencesAgreeWithTheModel() throws {
        var random = SeededRandom(seed: 0xA1)
        for column in Array(0..<800) + (0..<2_000).map({ _ in Int.random(in: 0..<CellReference.maximumColumns, using: &random) }) {
            let row = Int.random(in: 1...CellReference.maximumRows, using: &random)
            let letters = Self.modelLetters(column)
            #expect(CellReference.columnLetters(column) == letters)
            #expect(Self.modelColumn(letters) == column)
            let text = letters + String(row)
            #expect(CellReference(parsing: Array(text.utf8)) == CellReference(column: column, row: row), "\(text)")
            #expect(CellReference(parsing: Array(text.lowercased().utf8))?.column == column)
            #expect(CellReference(parsing: Array("$\(letters)$\(row)".utf8))?.column == column)
        }
        #expect(CellReference(parsing: Array("XFD1".utf8))?.column == 16_383)
        for bad in ["", "1", "A1B", "XFE1", "A1048577", "A-1", "é1"] {
            #expect(CellReference(parsing: Array(bad.utf8)) == nil, "\(bad)")
        }
        #expect(CellReference(parsing: Array("C".utf8)) == CellReference(column: 2, row: 0))
    }

    // MARK: The worksheet parser

    static let handWritten = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <!-- written by hand --><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
        <x:sheetData>
        <x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="s"><x:v>1</x:v></x:c><x:c r="C1" t="inlineStr"><x:is><x:t>nik</x:t></x:is></x:c></x:row>
        <x:row r="3" spans="1:9">
          <x:c r="A3" t="inlineStr"><x:is><x:r><x:t xml:space="preserve">Siti </x:t></x:r><x:r><x:t>&amp; Ani &lt;3&gt; &#233;&#x1F33E;</x:t></x:r><x:rPh><x:t>phonetic</x:t></x:rPh></x:is></x:c>
          <x:c r="B3" t="str"><x:f>A3&amp;""</x:f><x:v>formula text</x:v></x:c>
          <x:c r="C3"><x:v>3216012345678901</x:v></x:c>
          <x:c r="E3" t="b"><x:v>1</x:v></x:c>
          <x:c r="F3" t="b"><x:v>0</x:v></x:c>
          <x:c r="G3" t="e"><x:v>#N/A</x:v></x:c>
          <x:c r="H3" s="4"><x:v>0.10000000000000001</x:v></x:c>
          <x:c r="I3" t="s"><x:v>2</x:v></x:c>
        </x:row>
        <x:row r="4"><x:c r="C4"><x:v>3.2160123456789E+15</x:v></x:c><x:c r="D4" s="1"/><x:c r="B4" t="n"><x:v>45000</x:v></x:c></x:row>
        <x:row r="5"><x:c r="A5" t="inlineStr"><x:is><x:t><![CDATA[<kept & raw>]]></x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>line&#13;
        two</x:t></x:is></x:c><x:c r="C5"><x:v>3216012345678900</x:v></x:c></x:row>
        <x:row r="6"><x:c r="A6" s="1"/></x:row>
        <x:row r="7"/>
        <x:row><x:c r="A8" t="inlineStr"><x:is><x:t>after _x0007_ bell</x:t></x:is></x:c></x:row>
        </x:sheetData></x:worksheet>
        """

    static func parse(_ xml: String, chunk: Int, strings: SharedStrings, identifiers: Set<Int> = [2]) throws -> [XLSXRow] {
        var parser = SheetParser(strings: strings, identifierColumns: identifiers)
        var rows: [XLSXRow] = []
        let bytes = Array(xml.utf8)
        var start = 0
        while start < bytes.count {
            parser.scanner.append(Data(bytes[start..<min(start + chunk, bytes.count)]))
            try parser.run { rows.append($0) }
            start += chunk
        }
        parser.scanner.finish()
        try parser.run { rows.append($0) }
        return rows
    }

    @Test func theParserReadsEveryCellTypeInChunksOfAnySize() throws {
        var strings = SharedStrings()
        for text in ["nama", "kk", "Bekasi \"Timur\""] { try strings.append(Array(text.utf8)) }
        let expected = [
            XLSXRow(line: 1, cells: ["nama", "kk", "nik"]),
            XLSXRow(line: 3, cells: ["Siti & Ani <3> é🌾", "formula text", "3216012345678901", "", "TRUE", "FALSE", "#N/A", "0.1", "Bekasi \"Timur\""]),
            // A cell's r decides its column (B4 after D4); lost digits show as scientific notation.
            XLSXRow(line: 4, cells: ["", "45000", "3.2160123456789E+15"]),
            // &#13; is a CR kept (a reference is not line-end normalized); the cell without r follows A5.
            XLSXRow(line: 5, cells: ["<kept & raw>", "line\r\ntwo", "3.2160123456789E+15"]),
            XLSXRow(line: 8, cells: ["after \u{7} bell"]),
        ]
        for chunk in [1, 2, 3, 5, 7, 16, 64, 1 << 20] {
            #expect(try Self.parse(Self.handWritten, chunk: chunk, strings: strings) == expected, "chunk \(chunk)")
        }
    }

    @Test func identifierNumbersKeepExactDigitsAndShowLostOnes() {
        // Exact: 16 digits below 2^53 not ending in 0 (no spreadsheet rounding makes those).
        #expect(SpreadsheetText.identifier("3216012345678901") == "3216012345678901")
        // Ending in 0: what Excel leaves after cutting to 15 significant digits.
        #expect(SpreadsheetText.identifier("3216012345678900") == "3.2160123456789E+15")
        // Past 2^53 a double cannot hold every integer.
        #expect(SpreadsheetText.identifier("9216012345678901") == "9.2160123456789E+15")
        #expect(SpreadsheetText.identifier("3.21601E+15") == "3.21601E+15")
        #expect(SpreadsheetText.identifier("32160123456789") == "32160123456789")
        #expect(SpreadsheetText.number("94.7") == "94.7")
        #expect(SpreadsheetText.number("1E-3") == "0.001")
        #expect(SpreadsheetText.number("3216012345678901") == "3.2160123456789E+15")
        // The decision holds for every lost digit: a value ending in 0 is always reported.
        var random = SeededRandom(seed: 0x16)
        for _ in 0..<500 {
            let kept = UInt64.random(in: 100_000_000_000_000...999_999_999_999_999, using: &random)
            let cell = String(kept * 10)
            #expect(IdentityDigitsProbe.isScientific(SpreadsheetText.identifier(cell)), "\(cell)")
        }
    }

    // MARK: Round trip

    @Test func writtenRowsReadBackTheSame() throws {
        let directory = TemporaryDirectory("lumbung-xlsx")
        var random = SeededRandom(seed: 0x715)
        let pieces = ["a", "Siti", " ", "&", "<", ">", "\"", "'", "]]>", "\n", "\t", "\r\n", "é", "ꦱꦶ", "🌾", "_x0041_", "\u{1}", "\u{1F}", "0012", "=1+1", ""]
        for round in 0..<12 {
            let columns = Int.random(in: 1...8, using: &random)
            let header = (0..<columns).map { "kolom\($0)" }
            var rows: [[String]] = []
            for _ in 0..<Int.random(in: 0...40, using: &random) {
                rows.append((0..<columns).map { column in
                    if column == 0 { return "r" }  // a row with only empty cells is not a row on a sheet
                    if Int.random(in: 0..<20, using: &random) == 0 {
                        return String(repeating: "panjang ", count: Int.random(in: 500...4_000, using: &random))
                    }
                    return (0..<Int.random(in: 0...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
                })
            }
            let path = directory.sub("round\(round).xlsx")
            let text = (0..<columns).map { _ in Bool.random(using: &random) }
            let writer = try XLSXWriter(path: path, header: header, textColumns: text)
            writer.rowsPerSheet = round == 3 ? 7 : CellReference.maximumRows  // continuation sheets too
            for row in rows {
                var bytes: [UInt8] = []
                XLSXWriter.encode(row: row, textColumns: text, into: &bytes)
                try writer.write(encoded: bytes, rows: 1)
            }
            try writer.close()
            let reader = try XLSXReader(path: path)
            var back: [[String]] = []
            try reader.forEachRow { row in
                var cells = row.cells
                cells += repeatElement("", count: columns - cells.count)
                back.append(cells)
                return true
            }
            if round == 3 {
                // 6 data rows a sheet: the first sheet holds the header and the first six.
                #expect(back == [header] + rows.prefix(6), "round \(round)")
                #expect(reader.sheetNames.count == max(1, (rows.count + 5) / 6))
            } else {
                #expect(back == [header] + rows, "round \(round)")
                #expect(reader.sheetNames == ["Keluarga"])
            }
        }
    }

    // MARK: Errors

    @Test func badFilesAreNamedClearly() throws {
        let directory = TemporaryDirectory("lumbung-xlsx")
        let csv = directory.sub("bukan.xlsx")
        try Data("nomor_kk,nama\n".utf8).write(to: URL(fileURLWithPath: csv))
        let notZip = try #require(throws: LumbungError.self) { try XLSXReader(path: csv) }
        #expect(notZip.code == .xlsxNotWorkbook)

        let good = directory.sub("baik.xlsx")
        let writer = try XLSXWriter(path: good, header: ["a"], textColumns: [true])
        try writer.close()
        let missing = try #require(throws: LumbungError.self) { try XLSXReader(path: good, sheet: "Rekap") }
        #expect(missing.code == .xlsxSheetNotFound)
        #expect(missing.message.contains("'Keluarga'") && missing.message.contains("Rekap"))
        #expect(try XLSXReader(path: good, sheet: "keluarga").sheetName == "Keluarga")

        let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncated = directory.sub("terpotong.xlsx")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        let cut = try #require(throws: LumbungError.self) { try XLSXReader(path: truncated) }
        #expect(cut.code == .xlsxCorrupt)
    }
}

/// The core's scientific-notation shape, as the NIK rule sees it.
enum IdentityDigitsProbe {
    static func isScientific(_ text: String) -> Bool {
        if case .invalid(_, let reason) = MemberNIK(parsing: text) { return reason == .nikSpreadsheetMangled }
        return false
    }
}
