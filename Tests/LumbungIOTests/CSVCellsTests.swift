import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung
@testable import LumbungIO

/// The reader's record scan (plain records in place, quoted ones parsed) and the cells it hands
/// the import's fast path, against a model: records written field by field, so the fields and
/// each record's starting line are known before reading.
@Suite struct CSVCellsTests {
    /// A random file: its bytes, and each record's fields and the line it starts on.
    struct Written {
        var bytes: [UInt8] = []
        var records: [(line: Int, fields: [String])] = []
    }

    /// Plain pieces (no quote first, no delimiter or line end) and pieces that need quotes.
    static let plainPieces = ["a", "Siti", " ", "\t", "é", "🌾", "x\"y", "12", "K", "\u{212A}", ""]
    static let quotedPieces = ["\"", ",", ";", "\n", "\r\n", "\r", "a,b"]

    /// Writes `count` records of random fields; line ends LF, CRLF or CR, blank lines between,
    /// the last line end sometimes left out.
    static func write(records count: Int, columns: Int, delimiter: UInt8, random: inout SplitMix64) -> Written {
        var written = Written()
        var line = 1
        let delimiterText = String(UnicodeScalar(delimiter))
        // A plain piece holding the delimiter (a tab) would split its field.
        let plain = plainPieces.filter { !$0.utf8.contains(delimiter) }
        for index in 0..<count {
            var fields: [String] = []
            var encoded: [String] = []
            let start = line
            for _ in 0..<columns {
                let quoted = Int.random(in: 0..<5, using: &random) == 0
                let pieces = quoted ? plainPieces + quotedPieces : plain
                var field = (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
                if !quoted && field.hasPrefix("\"") { field = "q" + field }
                fields.append(field)
                if quoted {
                    encoded.append("\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
                    // A CRLF, an LF or a CR alone inside quotes is one line break.
                    line += field.replacingOccurrences(of: "\r\n", with: "\n").utf8.filter { $0 == 0x0A || $0 == 0x0D }.count
                } else {
                    encoded.append(field)
                }
            }
            // A record of one empty plain field is a blank line, which is skipped: quote it.
            if columns == 1 && encoded[0].isEmpty { encoded[0] = "\"\"" }
            written.records.append((start, fields))
            written.bytes += Array(encoded.joined(separator: delimiterText).utf8)
            let last = index == count - 1
            if last && Bool.random(using: &random) { break }
            let ending = ["\n", "\r\n", "\r"].randomElement(using: &random)!
            written.bytes += Array(ending.utf8)
            line += 1
            // Blank lines (not after a bare CR, which a following LF would make a CRLF).
            if ending != "\r" {
                for _ in 0..<Int.random(in: 0...2, using: &random) where Int.random(in: 0..<4, using: &random) == 0 {
                    written.bytes += Array((Bool.random(using: &random) ? "\n" : "\r\n").utf8)
                    line += 1
                }
            }
        }
        return written
    }

    @Test func recordsAndCellsMatchTheModel() throws {
        var random = SplitMix64(seed: 0x5EED_17)
        for round in 0..<300 {
            let delimiter: UInt8 = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09][round % 3]
            let columns = Int.random(in: 1...7, using: &random)
            let written = Self.write(records: Int.random(in: 1...25, using: &random), columns: columns, delimiter: delimiter, random: &random)
            let chunkSize = [1, 2, 7, 64, 1 << 16][round % 5]
            let forced = CSVDelimiter(byte: delimiter)
            let textReader = try CSVReader(source: ByteSource(bytes: written.bytes, chunkSize: chunkSize), delimiter: forced, hasHeader: false)
            let cellReader = try CSVReader(source: ByteSource(bytes: written.bytes, chunkSize: chunkSize), delimiter: forced, hasHeader: false)
            var records: [(line: Int, fields: [String])] = []
            var cells: [(line: Int, cells: CSVCells)] = []
            while let record = try textReader.next() { records.append((record.line, record.fields)) }
            while let next = try cellReader.nextCells() { cells.append(next) }
            #expect(records.map { $0.fields } == written.records.map { $0.fields }, "round \(round)")
            #expect(records.map { $0.line } == written.records.map { $0.line }, "round \(round)")
            // Cells read later must not have changed earlier ones (they share blocks).
            #expect(cells.map { $0.cells.strings } == written.records.map { $0.fields }, "round \(round)")
            #expect(cells.map { $0.line } == written.records.map { $0.line }, "round \(round)")
            #expect(cells.map { $0.cells.count } == written.records.map { $0.fields.count }, "round \(round)")
        }
    }

    /// The word-at-a-time delimiter scan against a byte loop, on random bytes of every length.
    @Test func delimiterOffsetsMatchAByteLoop() {
        var random = SplitMix64(seed: 0xD311)
        for round in 0..<2_000 {
            let delimiter = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, 0x00, 0x80, 0xFF][round % 6]
            // Bytes near the delimiter too (one bit apart), where a carry could err.
            let alphabet: [UInt8] = [delimiter, delimiter ^ 1, delimiter ^ 0x80, delimiter &+ 1, delimiter &- 1, 0x00, 0x7F, 0x80, 0xFF, UInt8(ascii: "a")]
            let bytes = (0..<Int.random(in: 0...70, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            var expected = bytes.indices.filter { bytes[$0] == delimiter }.map(Int32.init)
            expected.append(Int32(bytes.count))
            let ends = UnsafeMutablePointer<Int32>.allocate(capacity: bytes.count + 1)
            defer { ends.deallocate() }
            // One byte more, so that even no bytes have an address.
            let count = (bytes + [0]).withUnsafeBufferPointer { buffer in
                CSVReader.delimiterOffsets(buffer.baseAddress!, count: bytes.count, delimiter: delimiter, into: ends)
            }
            #expect(Array(UnsafeBufferPointer(start: ends, count: count)) == expected, "round \(round): \(bytes)")
        }
    }

    @Test func bothReadersNameTheSameBadByteAndQuote() throws {
        let inputs: [[UInt8]] = [
            Array("a,b\nc,d".utf8) + [0xE9, 0x0A],  // Windows-1252 é in a plain record
            Array("a,b\n\"c\",\"d".utf8) + [0xE9] + Array("\"\n".utf8),  // ... and in a quoted one
            Array("a,b\n\"c\"x,d\n".utf8),  // a stray byte after a closing quote
            Array("a,b\nc,\"d\n".utf8),  // a quote never closed
        ]
        for bytes in inputs {
            func failure(_ read: (CSVReader) throws -> Void) -> String {
                do {
                    let reader = try CSVReader(source: ByteSource(bytes: bytes, chunkSize: 3), hasHeader: false)
                    try read(reader)
                    return "no error"
                } catch {
                    return "\(error)"
                }
            }
            let text = failure { reader in while try reader.next() != nil {} }
            let cells = failure { reader in while try reader.nextCells() != nil {} }
            #expect(text != "no error")
            #expect(text == cells)
        }
    }

    @Test func longRecordsGetBlocksOfTheirOwn() throws {
        let long = String(repeating: "x", count: CSVCellBlock.standardByteCapacity + 5)
        let many = Array(repeating: "", count: CSVCellBlock.standardByteCapacity / 4 + 3).joined(separator: ",")
        let text = "a,b\n\(long),c\n\(many)\nd,e\n"
        let reader = try CSVReader(source: ByteSource(bytes: Array(text.utf8), chunkSize: 1 << 12), hasHeader: false)
        var all: [CSVCells] = []
        while let (_, cells) = try reader.nextCells() { all.append(cells) }
        #expect(all.map(\.strings) == [["a", "b"], [long, "c"], Array(repeating: "", count: CSVCellBlock.standardByteCapacity / 4 + 3), ["d", "e"]])
    }

    /// The grouper on bytes (its key compared without text) against the grouper on text.
    @Test func groupsOfCellsMatchGroupsOfText() throws {
        var random = SplitMix64(seed: 0x6209)
        let keys = ["1", "2", " 1", "1 ", "", "K", "\u{212A}", "3", "02", "2"]
        for round in 0..<200 {
            var rows: [String] = ["id,nama,x"]
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                let key = keys.randomElement(using: &random)!
                let width = Int.random(in: 0..<10, using: &random) == 0 ? 2 : 3
                rows.append(([key, "n"] + (width == 3 ? ["v"] : [])).joined(separator: ","))
            }
            let bytes = Array((rows.joined(separator: "\n") + "\n").utf8)
            let textReader = try CSVReader(source: ByteSource(bytes: bytes, chunkSize: 5))
            let cellReader = try CSVReader(source: ByteSource(bytes: bytes, chunkSize: 5))
            let header = textReader.header!
            var textGrouper = FlatRowGrouper<[String]>(header: header, groupColumn: 0, groupBy: .id)
            var cellGrouper = FlatRowGrouper<CSVCells>(header: header, groupColumn: 0, groupBy: .id)
            var textGroups: [FlatRowGroup<[String]>] = []
            var cellGroups: [FlatRowGroup<[String]>] = []
            while let record = try textReader.next() {
                if let group = textGrouper.push(line: record.line, row: record.fields) { textGroups.append(group) }
            }
            if let group = textGrouper.finish() { textGroups.append(group) }
            while let (line, cells) = try cellReader.nextCells() {
                if let group = cellGrouper.push(line: line, row: cells) { cellGroups.append(group.asText) }
            }
            if let group = cellGrouper.finish() { cellGroups.append(group.asText) }
            #expect(cellGroups.map(\.key) == textGroups.map(\.key), "round \(round)")
            #expect(cellGroups.map(\.firstLine) == textGroups.map(\.firstLine), "round \(round)")
            #expect(cellGroups.map { $0.rows.map { $0.line } } == textGroups.map { $0.rows.map { $0.line } }, "round \(round)")
            #expect(cellGroups.map { $0.rows.map { $0.cells } } == textGroups.map { $0.rows.map { $0.cells } }, "round \(round)")
            #expect(cellGroups.map { $0.issues.map(\.description) } == textGroups.map { $0.issues.map(\.description) }, "round \(round)")
        }
    }
}
