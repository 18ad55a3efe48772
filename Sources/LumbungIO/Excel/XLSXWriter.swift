import Foundation
import Lumbung
internal import ZIPFoundation

/// Writes rows of text to an `.xlsx` workbook, streaming.
///
/// Rows go, as XML, straight to a worksheet file in a temporary folder beside the target; ``close()``
/// then zips the parts (each worksheet deflated from its file in chunks) into a temporary zip and
/// renames it onto the path. Memory stays at a chunk and a row, whatever the row count; nothing
/// appears at the path until the workbook is complete, and ``abandon()`` (or an error) leaves nothing.
///
/// Every cell is an inline string (`t="inlineStr"`), so Excel and LibreOffice show exactly the text
/// written; the ``textColumns`` (NIK, KK, codes with leading zeros) also carry the Text format `@`,
/// cell and column, so a value typed into them later stays text instead of becoming `3.2E+15`.
/// A sheet holds at most 1 048 576 rows (Excel's limit): more rows continue on `NAME 2`, `NAME 3`,
/// each with the header row again.
///
/// ```swift
/// let writer = try XLSXWriter(path: "ekspor.xlsx", header: ["nomor_kk", "nama"], textColumns: [0])
/// var bytes: [UInt8] = []
/// XLSXWriter.encode(row: ["3216010101010001", "Siti"], textColumns: writer.textColumns, into: &bytes)
/// try writer.write(encoded: bytes, rows: 1)
/// try writer.close()
/// ```
public final class XLSXWriter {
    public let path: String
    public let sheetName: String
    public let header: [String]
    /// Per column, whether it is an identifier kept as text.
    public let textColumns: [Bool]
    /// Rows a sheet takes, header included (Excel's limit).
    public var rowsPerSheet = CellReference.maximumRows

    private let folder: String
    private var sheet: ByteSink?
    private var sheetFiles: [String] = []
    private var rowsInSheet = 0
    private var isOpen = true

    /// Creates the temporary folder and the first sheet, with its header row.
    /// - Throws: `xlsx.unwritable` for standard output (a zip is written by seeking); `file.io`.
    public init(path: String, sheetName: String = "Keluarga", header: [String], textColumns: [Bool]) throws {
        guard path != "-" else {
            throw LumbungError(.xlsxUnwritable, field: "out", value: path, rule: "an .xlsx cannot go to standard output (a zip is written by seeking); name a file")
        }
        self.path = path
        self.sheetName = sheetName
        self.header = header
        self.textColumns = textColumns
        folder = "\(path).tmp-xlsx-\(UUID().uuidString.prefix(8))"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        } catch {
            throw LumbungError(.fileIO, field: "out", value: path, rule: "cannot create the temporary folder \(folder) beside it (\(error))")
        }
        do { try startSheet() } catch {
            abandon()
            throw error
        }
    }

    deinit { abandon() }

    /// Appends one row's XML (`<row>…</row>`) to `bytes`: a value function, safe on any thread,
    /// so rows can be encoded in parallel and written in order.
    public static func encode(row: some Sequence<String>, textColumns: [Bool], into bytes: inout [UInt8]) {
        bytes.append(contentsOf: rowOpen)
        var column = 0
        for var cell in row {
            let text = column < textColumns.count && textColumns[column]
            column += 1
            if cell.isEmpty {
                bytes.append(contentsOf: text ? emptyTextCell : emptyCell)
                continue
            }
            cell.withUTF8 { utf8 in
                // xml:space="preserve" only where it matters: a leading or trailing space, tab or line end.
                let spaced = isSpace(utf8[0]) || isSpace(utf8[utf8.count - 1])
                bytes.append(contentsOf: text ? (spaced ? textCellOpenPreserving : textCellOpen) : (spaced ? cellOpenPreserving : cellOpen))
                appendEscaped(utf8, to: &bytes)
            }
            bytes.append(contentsOf: cellClose)
        }
        bytes.append(contentsOf: rowClose)
    }

    /// How many rows ``encode(row:textColumns:into:)`` wrote into `encoded` (a cell's text is
    /// escaped, so each `</row>` ends a row), for a writer handed rows in batches it did not count.
    public static func rows(in encoded: [UInt8]) -> Int {
        let close = rowClose
        var count = 0
        var index = encoded.startIndex
        while let found = encoded[index...].firstIndex(of: close[0]) {
            if encoded[found...].starts(with: close) { count += 1 }
            index = found + 1
        }
        return count
    }

    /// Appends rows already encoded by ``encode(row:textColumns:into:)``; `rows` counts them. A batch
    /// that would pass the sheet's row limit starts the next sheet first.
    public func write(encoded: [UInt8], rows: Int) throws {
        guard let current = sheet, isOpen else {
            throw LumbungError(.fileIO, field: path, rule: "the workbook is already closed")
        }
        if rowsInSheet + rows > rowsPerSheet && rowsInSheet > 1 {
            try finishSheet()
            try startSheet()
        }
        try (sheet ?? current).write(encoded)
        rowsInSheet += rows
    }

    /// Writes the remaining parts, zips them and renames the workbook onto ``path``.
    public func close() throws {
        guard isOpen else { return }
        do {
            try finishSheet()
            let zipPath = folder + "/workbook.zip"
            let archive = try Archive(url: URL(fileURLWithPath: zipPath), accessMode: .create)
            try add(archive, "[Content_Types].xml", Self.contentTypes(sheets: sheetFiles.count))
            try add(archive, "_rels/.rels", Self.packageRelationships)
            try add(archive, "xl/workbook.xml", Self.workbook(names: sheetNames))
            try add(archive, "xl/_rels/workbook.xml.rels", Self.workbookRelationships(sheets: sheetFiles.count))
            try add(archive, "xl/styles.xml", Self.styles)
            for (index, file) in sheetFiles.enumerated() {
                try archive.addEntry(with: "xl/worksheets/sheet\(index + 1).xml", fileURL: URL(fileURLWithPath: file),
                                     compressionMethod: .deflate, bufferSize: 1 << 20)
            }
            // Durable before it takes the name, as ByteSink's files are.
            let fd = open(zipPath, O_RDONLY | O_CLOEXEC)
            let synced = fd >= 0 && fsync(fd) == 0
            if fd >= 0 { _ = Glibc_close(fd) }
            guard synced else {
                throw LumbungError(.fileIO, field: "out", value: path, rule: "cannot sync the finished workbook (errno \(errno))")
            }
            guard rename(zipPath, path) == 0 else {
                throw LumbungError(.fileIO, field: "out", value: path, rule: "cannot rename the finished workbook onto the path (errno \(errno))")
            }
        } catch let error as LumbungError {
            abandon()
            throw error
        } catch {
            abandon()
            throw LumbungError(.fileIO, field: "out", value: path, rule: "cannot write the workbook (\(error))")
        }
        isOpen = false
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Gives up: removes the temporary folder; the path is not created or changed.
    public func abandon() {
        guard isOpen else { return }
        isOpen = false
        sheet?.abandon()
        sheet = nil
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The sheets' names: `Keluarga`, `Keluarga 2`, …
    var sheetNames: [String] { (0..<sheetFiles.count).map { $0 == 0 ? sheetName : "\(sheetName) \($0 + 1)" } }

    private func startSheet() throws {
        let file = folder + "/sheet\(sheetFiles.count + 1).xml"
        let sink = try ByteSink(path: file, compress: false, durable: false)
        sheet = sink
        sheetFiles.append(file)
        try sink.write(Self.worksheetStart(textColumns: textColumns))
        var bytes: [UInt8] = []
        Self.encode(row: header, textColumns: [], into: &bytes)
        try sink.write(bytes)
        rowsInSheet = 1
    }

    private func finishSheet() throws {
        guard let sink = sheet else { return }
        try sink.write(Self.worksheetEnd)
        try sink.close()
        sheet = nil
    }

    private func add(_ archive: Archive, _ name: String, _ text: String) throws {
        let data = Data(text.utf8)
        try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }

    // MARK: XML

    private static let rowOpen = Array("<row>".utf8)
    private static let rowClose = Array("</row>".utf8)
    // Cells carry no `r`: each follows the one before it, so an empty cell is written, not skipped.
    private static let emptyCell = Array("<c/>".utf8)
    private static let emptyTextCell = Array("<c s=\"1\"/>".utf8)
    private static let cellOpen = Array("<c t=\"inlineStr\"><is><t>".utf8)
    private static let textCellOpen = Array("<c s=\"1\" t=\"inlineStr\"><is><t>".utf8)
    private static let cellOpenPreserving = Array("<c t=\"inlineStr\"><is><t xml:space=\"preserve\">".utf8)
    private static let textCellOpenPreserving = Array("<c s=\"1\" t=\"inlineStr\"><is><t xml:space=\"preserve\">".utf8)
    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    private static let cellClose = Array("</t></is></c>".utf8)
    private static let worksheetEnd = "</sheetData></worksheet>"

    /// XML-escapes `&`, `<`, `>`; writes characters XML 1.0 cannot hold, and a literal `_xHHHH_`,
    /// in OOXML's `_xHHHH_` escape (what Excel does), which ``SpreadsheetText/unescape(_:)`` undoes.
    static func appendEscaped(_ text: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        var plain = true
        for b in text where b == UInt8(ascii: "&") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "_") || b == 0x0D || SpreadsheetText.needsEscape(b) {
            plain = false
            break
        }
        if plain {
            bytes.append(contentsOf: text)
            return
        }
        for i in 0..<text.count {
            let b = text[i]
            switch b {
            case UInt8(ascii: "&"): bytes.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): bytes.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): bytes.append(contentsOf: "&gt;".utf8)
            case 0x0D: bytes.append(contentsOf: "&#13;".utf8)  // a parser would turn a raw CR into LF
            case UInt8(ascii: "_") where SpreadsheetText.startsEscape(text, at: i): bytes.append(contentsOf: "_x005F_".utf8)
            default:
                if SpreadsheetText.needsEscape(b) {
                    bytes.append(contentsOf: "_x00".utf8)
                    bytes.append(contentsOf: hex(b).utf8)
                    bytes.append(UInt8(ascii: "_"))
                } else {
                    bytes.append(b)
                }
            }
        }
    }

    private static func worksheetStart(textColumns: [Bool]) -> String {
        var cols = ""
        for (index, text) in textColumns.enumerated() where text {
            cols += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"20\" style=\"1\" customWidth=\"1\"/>"
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
            + "<worksheet xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\">"
            + (cols.isEmpty ? "" : "<cols>\(cols)</cols>") + "<sheetData>"
    }

    static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationshipNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    private static let packageRelationshipNamespace = "http://schemas.openxmlformats.org/package/2006/relationships"
    private static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    private static func contentTypes(sheets: Int) -> String {
        declaration + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
            + (1...sheets).map { "<Override PartName=\"/xl/worksheets/sheet\($0).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" }.joined()
            + "</Types>"
    }

    private static let packageRelationships = declaration
        + "<Relationships xmlns=\"\(packageRelationshipNamespace)\">"
        + "<Relationship Id=\"rId1\" Type=\"\(relationshipNamespace)/officeDocument\" Target=\"xl/workbook.xml\"/>"
        + "</Relationships>"

    private static func workbook(names: [String]) -> String {
        var nameBytes: [String] = []
        for name in names {
            var escaped: [UInt8] = []
            var copy = name
            copy.withUTF8 { appendEscaped($0, to: &escaped) }
            nameBytes.append(String(decoding: escaped, as: UTF8.self).replacingOccurrences(of: "\"", with: "&quot;"))
        }
        return declaration + "<workbook xmlns=\"\(mainNamespace)\" xmlns:r=\"\(relationshipNamespace)\"><sheets>"
            + nameBytes.enumerated().map { "<sheet name=\"\($1)\" sheetId=\"\($0 + 1)\" r:id=\"rId\($0 + 1)\"/>" }.joined()
            + "</sheets></workbook>"
    }

    private static func workbookRelationships(sheets: Int) -> String {
        declaration + "<Relationships xmlns=\"\(packageRelationshipNamespace)\">"
            + (1...sheets).map { "<Relationship Id=\"rId\($0)\" Type=\"\(relationshipNamespace)/worksheet\" Target=\"worksheets/sheet\($0).xml\"/>" }.joined()
            + "<Relationship Id=\"rId\(sheets + 1)\" Type=\"\(relationshipNamespace)/styles\" Target=\"styles.xml\"/>"
            + "</Relationships>"
    }

    /// Two cell formats: 0 General, 1 Text (`@`, built-in number format 49).
    private static let styles = declaration + "<styleSheet xmlns=\"\(mainNamespace)\">"
        + "<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
        + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>"
        + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
        + "</styleSheet>"
}
