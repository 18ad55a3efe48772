import Foundation
import Lumbung
internal import ZIPFoundation

/// One row of a worksheet: the sheet's row number and its cells as text, column A first.
public struct XLSXRow: Sendable, Hashable {
    /// The 1-based row number the sheet gives (rows left out of the sheet are skipped, so the
    /// numbers an import reports are the ones Excel shows).
    public var line: Int
    public var cells: [String]
}

/// Reads one worksheet of an `.xlsx` workbook as rows of text cells, streaming.
///
/// The worksheet part is inflated in chunks into ``XMLChunkScanner`` and each row is handed on
/// as it ends, so memory stays at a chunk, one row and the shared-string table (held compactly,
/// see ``SharedStrings``: the table's text plus 4 bytes a string; the one part kept whole). Cells:
/// shared strings (`t="s"`), inline strings, formula strings (`t="str"`), booleans (`TRUE`/`FALSE`),
/// errors (`#N/A`) and numbers (as Excel shows them, 15 significant digits; see
/// ``SpreadsheetText``). A cell's `r="C5"` decides its column; missing cells are empty.
///
/// ```swift
/// let reader = try XLSXReader(path: "dinsos.xlsx", sheet: "Keluarga")   // nil: the first sheet
/// try reader.forEachRow { row in print(row.line, row.cells); return true }
/// ```
public final class XLSXReader {
    public let path: String
    /// The sheet being read.
    public let sheetName: String
    /// Every sheet in workbook order.
    public let sheetNames: [String]
    /// The worksheet part's inflated size, for progress.
    public let sheetSize: Int
    /// How many bytes of the worksheet part were read so far (inflated).
    public private(set) var bytesConsumed = 0

    private let archive: Archive
    private let sheetEntry: Entry
    private let strings: SharedStrings

    /// The zip's local-file-header signature, `PK\3\4`: how an .xlsx begins.
    static let zipSignature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]

    /// Opens the workbook, finds the sheet and loads the shared strings.
    /// - Parameter sheet: the sheet's name; `nil` for the first sheet in workbook order.
    /// - Throws: `file.notFound`, `xlsx.notWorkbook` (not a zip, or a zip without a workbook),
    ///   `xlsx.corrupt`, `xlsx.sheetNotFound` naming the sheets there are.
    public init(path: String, sheet: String? = nil) throws {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LumbungError(.fileNotFound, field: "file", value: path, rule: "no such file")
        }
        let head = (try? handle.read(upToCount: 4)) ?? nil
        try? handle.close()
        guard let head, Array(head) == Self.zipSignature else {
            throw LumbungError(.xlsxNotWorkbook, field: "file", value: path,
                               rule: "not an .xlsx workbook: it does not start as a zip does (an old .xls, or a CSV named .xlsx? save it from Excel as .xlsx)")
        }
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw LumbungError(.xlsxCorrupt, field: "file", value: path, rule: "the zip cannot be opened (\(error)): the file is truncated or damaged")
        }
        let parts = try WorkbookParts(archive: archive, file: path)
        let chosen = try parts.sheet(named: sheet, file: path)
        guard let entry = archive[chosen.path] else {
            throw LumbungError(.xlsxCorrupt, field: chosen.path, value: path, rule: "the workbook names sheet '\(chosen.name)' but the zip has no such part")
        }
        sheetName = chosen.name
        sheetNames = parts.sheets.map(\.name)
        sheetEntry = entry
        sheetSize = Int(entry.uncompressedSize)
        if let stringsPath = parts.sharedStrings, let stringsEntry = archive[stringsPath] {
            strings = try Self.loadSharedStrings(stringsEntry, archive, file: path)
        } else {
            strings = SharedStrings()
        }
    }

    /// Calls `body` with each row that has a cell, in sheet order, until it returns false.
    /// - Parameter identifierColumns: 0-based columns whose numeric cells are read as identifiers
    ///   (``SpreadsheetText/identifier(_:)``: lost digits become visible as scientific notation).
    public func forEachRow(identifierColumns: Set<Int> = [], _ body: (XLSXRow) throws -> Bool) throws {
        var parser = SheetParser(strings: strings, identifierColumns: identifierColumns)
        parser.scanner.partName = sheetEntry.path
        bytesConsumed = 0
        do {
            let checksum = try archive.extract(sheetEntry, bufferSize: 1 << 18) { chunk in
                self.bytesConsumed += chunk.count
                parser.scanner.append(chunk)
                try parser.run { row in if try !body(row) { throw Stop() } }
            }
            parser.scanner.finish()
            try parser.run { row in _ = try body(row) }
            guard checksum == sheetEntry.checksum else {
                throw LumbungError(.xlsxCorrupt, field: sheetEntry.path, value: path, rule: "the sheet fails its CRC-32 check: the file is damaged")
            }
        } catch is Stop {
            return
        } catch let error as LumbungError {
            throw error
        } catch {
            throw WorkbookParts.corrupt(sheetEntry.path, path, error)
        }
    }

    /// The first row with a cell (the header), or `nil` for an empty sheet.
    public func firstRow() throws -> XLSXRow? {
        var first: XLSXRow?
        try forEachRow { row in
            first = row
            return false
        }
        return first
    }

    private struct Stop: Error {}

    private static func loadSharedStrings(_ entry: Entry, _ archive: Archive, file: String) throws -> SharedStrings {
        var scanner = XMLChunkScanner()
        scanner.partName = entry.path
        var table = SharedStrings()
        var text: [UInt8] = []
        var inItem = false, inText = false, phonetic = 0
        func drain() throws {
            while let token = try scanner.next() {
                switch token {
                case .open(let name, _, let selfClosing):
                    if scanner.name(name, is: "si") {
                        text.removeAll(keepingCapacity: true)
                        inItem = true
                        if selfClosing { try table.append([UInt8]()); inItem = false }
                    } else if scanner.name(name, is: "rPh") {
                        if !selfClosing { phonetic += 1 }
                    } else if scanner.name(name, is: "t") {
                        inText = !selfClosing && inItem && phonetic == 0
                    }
                case .close(let name):
                    if scanner.name(name, is: "si") {
                        try table.append(Array(SpreadsheetText.unescape(text).utf8))
                        inItem = false
                    } else if scanner.name(name, is: "rPh") {
                        phonetic -= 1
                    } else if scanner.name(name, is: "t") {
                        inText = false
                    }
                case .text(let range):
                    if inText { scanner.appendDecoded(range, to: &text) }
                case .cdata(let range):
                    if inText { scanner.appendLiteral(range, to: &text) }
                }
            }
        }
        do {
            let checksum = try archive.extract(entry, bufferSize: 1 << 18) { chunk in
                scanner.append(chunk)
                try drain()
            }
            scanner.finish()
            try drain()
            guard checksum == entry.checksum else {
                throw LumbungError(.xlsxCorrupt, field: entry.path, value: file, rule: "the shared strings fail their CRC-32 check: the file is damaged")
            }
        } catch let error as LumbungError {
            throw error
        } catch {
            throw WorkbookParts.corrupt(entry.path, file, error)
        }
        return table
    }
}

/// The worksheet subset: `<row r>`, `<c r t>`, `<v>`, `<is>` with `<t>` runs (phonetic `<rPh>`
/// skipped), `<f>` ignored. Keeps one row.
struct SheetParser {
    var scanner = XMLChunkScanner()
    let strings: SharedStrings
    let identifierColumns: Set<Int>

    private enum CellType { case number, shared, inline, string, boolean, error, other }

    private var inSheetData = false
    private var rowNumber = 0
    private var cells: [String] = []
    private var nextColumn = 0
    private var column = 0
    private var type = CellType.number
    private var value: [UInt8] = []
    private var capturing = false
    private var phonetic = 0
    private var inCell = false
    private var inInline = false

    init(strings: SharedStrings, identifierColumns: Set<Int>) {
        self.strings = strings
        self.identifierColumns = identifierColumns
    }

    /// Reads every complete token, calling `emit` with each row that ends.
    mutating func run(_ emit: (XLSXRow) throws -> Void) throws {
        while let token = try scanner.next() {
            switch token {
            case .open(let name, let attributes, let selfClosing):
                if !inSheetData {
                    if scanner.name(name, is: "sheetData") && !selfClosing { inSheetData = true }
                    continue
                }
                if scanner.name(name, is: "c") {
                    startCell(attributes)
                    if selfClosing { endCell() }
                } else if scanner.name(name, is: "v") {
                    capturing = inCell && !selfClosing
                } else if scanner.name(name, is: "t") {
                    capturing = inInline && phonetic == 0 && !selfClosing
                } else if scanner.name(name, is: "is") {
                    inInline = inCell && !selfClosing
                } else if scanner.name(name, is: "rPh") {
                    if !selfClosing { phonetic += 1 }
                } else if scanner.name(name, is: "row") {
                    startRow(attributes)
                    if selfClosing { try endRow(emit) }
                }
            case .close(let name):
                if !inSheetData { continue }
                if scanner.name(name, is: "v") || scanner.name(name, is: "t") {
                    capturing = false
                } else if scanner.name(name, is: "c") {
                    endCell()
                } else if scanner.name(name, is: "is") {
                    inInline = false
                } else if scanner.name(name, is: "rPh") {
                    phonetic -= 1
                } else if scanner.name(name, is: "row") {
                    try endRow(emit)
                } else if scanner.name(name, is: "sheetData") {
                    inSheetData = false
                }
            case .text(let range):
                if capturing { scanner.appendDecoded(range, to: &value) }
            case .cdata(let range):
                if capturing { scanner.appendLiteral(range, to: &value) }
            }
        }
    }

    private mutating func startRow(_ attributes: Range<Int>) {
        let number = scanner.attribute("r", in: attributes).flatMap { Int(String(decoding: scanner.bytes($0), as: UTF8.self)) }
        rowNumber = number ?? rowNumber + 1
        cells.removeAll(keepingCapacity: true)
        nextColumn = 0
    }

    private mutating func endRow(_ emit: (XLSXRow) throws -> Void) throws {
        while let last = cells.last, last.isEmpty { cells.removeLast() }
        if !cells.isEmpty { try emit(XLSXRow(line: rowNumber, cells: cells)) }
        cells.removeAll(keepingCapacity: true)
    }

    private mutating func startCell(_ attributes: Range<Int>) {
        column = nextColumn
        if let reference = scanner.attribute("r", in: attributes), let parsed = CellReference(parsing: scanner.bytes(reference)) {
            column = parsed.column
        }
        type = .number
        if let t = scanner.attribute("t", in: attributes) {
            switch String(decoding: scanner.bytes(t), as: UTF8.self) {
            case "s": type = .shared
            case "inlineStr": type = .inline
            case "str": type = .string
            case "b": type = .boolean
            case "e": type = .error
            case "n": type = .number
            default: type = .other  // "d": an ISO 8601 date, kept as written
            }
        }
        value.removeAll(keepingCapacity: true)
        inCell = true
        capturing = false
    }

    private mutating func endCell() {
        inCell = false
        inInline = false
        capturing = false
        nextColumn = column + 1
        guard !value.isEmpty else { return }
        let text: String
        switch type {
        case .shared:
            let index = Int(String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespaces)) ?? -1
            text = strings.string(at: index) ?? ""
        case .inline, .string: text = SpreadsheetText.unescape(value)
        case .boolean: text = value == [UInt8(ascii: "1")] ? "TRUE" : "FALSE"
        case .error, .other: text = String(decoding: value, as: UTF8.self)
        case .number:
            let raw = String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            text = identifierColumns.contains(column) ? SpreadsheetText.identifier(raw) : SpreadsheetText.number(raw)
        }
        if column >= cells.count {
            if column > cells.count { cells.append(contentsOf: repeatElement("", count: column - cells.count)) }
            cells.append(text)
        } else {
            cells[column] = text
        }
    }
}
