import Foundation
import Lumbung
import LumbungIO
import Testing

/// Parses CSV text held in memory, with a small chunk size so records straddle chunk boundaries.
private func records(
    _ bytes: [UInt8], delimiter: CSVDelimiter? = nil, encoding: CSVTextEncoding = .utf8, hasHeader: Bool = false,
    chunkSize: Int = 7
) throws -> (CSVReader, [CSVRecord]) {
    let reader = try CSVReader(
        source: ByteSource(bytes: bytes, chunkSize: chunkSize), delimiter: delimiter, encoding: encoding,
        hasHeader: hasHeader)
    var all: [CSVRecord] = []
    while let record = try reader.next() { all.append(record) }
    return (reader, all)
}

private func records(_ text: String, hasHeader: Bool = false, chunkSize: Int = 7) throws -> (CSVReader, [CSVRecord]) {
    try records(Array(text.utf8), hasHeader: hasHeader, chunkSize: chunkSize)
}

/// Writes rows with CSVWriter to a file and returns the bytes.
private func written(
    _ rows: [[String]], directory: TemporaryDirectory, delimiter: CSVDelimiter = .comma,
    lineEnding: CSVWriter.LineEnding = .lf, bom: Bool = false
) throws -> [UInt8] {
    let path = directory.sub("out-\(UUID().uuidString).csv")
    let sink = try ByteSink(path: path)
    let writer = try CSVWriter(sink: sink, delimiter: delimiter, lineEnding: lineEnding, byteOrderMark: bom)
    for row in rows { try writer.write(row) }
    try sink.close()
    return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
}

@Suite struct CSVTests {
    @Test func plainAndQuotedFields() throws {
        let (_, rows) = try records("a,b,c\n\"x,1\",\"he said \"\"hi\"\"\",\"line1\nline2\"\n")
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["x,1", "he said \"hi\"", "line1\nline2"]])
        #expect(rows.map(\.line) == [1, 2])
    }

    @Test func embeddedNewlinesGiveStartingLines() throws {
        let text = "h1,h2\n1,\"two\nthree\nfour\"\n2,x\r\n3,\"a\r\nb\"\r\n\n4,y"
        let (reader, rows) = try records(text, hasHeader: true)
        #expect(reader.header == ["h1", "h2"])
        #expect(rows.map(\.line) == [2, 5, 6, 9])
        #expect(rows.map { $0[0] } == ["1", "2", "3", "4"])
        #expect(rows[2][1] == "a\r\nb")
    }

    @Test func semicolonDetectedFromHeader() throws {
        let text = "nomor_kk;nama;\"alamat, lengkap\"\n3216;Siti, Aminah;Jl. Mawar\n"
        let (reader, rows) = try records(Array(text.utf8), hasHeader: true)
        #expect(reader.delimiter == .semicolon)
        #expect(reader.header == ["nomor_kk", "nama", "alamat, lengkap"])
        #expect(rows[0].fields == ["3216", "Siti, Aminah", "Jl. Mawar"])
        // Commas win when more frequent, even with a ';' inside quotes.
        let (commaReader, _) = try records(Array("a,\"b;c;d\",e\n".utf8), hasHeader: true)
        #expect(commaReader.delimiter == .comma)
        // Forcing the delimiter overrides detection.
        let (forced, forcedRows) = try records(Array("a;b,c\n".utf8), delimiter: .comma)
        #expect(forced.delimiter == .comma)
        #expect(forcedRows[0].fields == ["a;b", "c"])
    }

    @Test func bomAndCRLF() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("nik;nama\r\n1;Budi\r\n2;Ani\r\n".utf8)
        let (reader, rows) = try records(bytes, hasHeader: true, chunkSize: 2)
        #expect(reader.header == ["nik", "nama"])
        #expect(reader.delimiter == .semicolon)
        #expect(rows.map(\.fields) == [["1", "Budi"], ["2", "Ani"]])
        #expect(rows.map(\.line) == [2, 3])
    }

    @Test func emptyFieldsAndEmptyLastColumn() throws {
        let (_, rows) = try records("a,,c,\n,,\n\"\",x,\n,\n,last,")
        #expect(rows.map(\.fields) == [["a", "", "c", ""], ["", "", ""], ["", "x", ""], ["", ""], ["", "last", ""]])
    }

    @Test func unterminatedQuote() throws {
        let error = try #require(throws: LumbungError.self) {
            _ = try records("a,b\n1,2\n3,\"never closed\n4,5\n")
        }
        #expect(error.code == .csvQuoting)
        #expect(error.message.contains("line 3"))
        let stray = try #require(throws: LumbungError.self) { _ = try records("a,b\n\"x\"y,2\n") }
        #expect(stray.code == .csvQuoting)
        #expect(stray.message.contains("line 2"))
    }

    @Test func windows1252IsAnErrorWithLineAndColumn() throws {
        // "José" and "€5" as old Excel writes them: 0xE9 and 0x80.
        let bytes = Array("nik,nama,catatan\n1,Budi,ok\n2,Jos".utf8) + [0xE9] + Array(",".utf8) + [0x80] + Array("5\n".utf8)
        let error = try #require(throws: LumbungError.self) { _ = try records(bytes, hasHeader: true) }
        #expect(error.code == .csvEncoding)
        #expect(error.message.contains("line 3, column 2 (nama)"))
        #expect(error.message.contains("0xE9"))
        #expect(error.message.contains("Windows-1252"))
        #expect(error.message.contains("iconv -f WINDOWS-1252 -t UTF-8"))
    }

    @Test func windows1252IsConvertedWhenAsked() throws {
        let bytes = Array("nama;catatan\nJos".utf8) + [0xE9] + Array(";".utf8) + [0x80, 0x35, 0x20, 0x93, 0x71, 0x94, 0xFF]
            + Array("\n".utf8)
        let (_, rows) = try records(bytes, encoding: .windows1252, hasHeader: true)
        #expect(rows[0].fields == ["José", "€5 \u{201C}q\u{201D}ÿ"])
    }

    @Test func columnCountHelper() throws {
        let (reader, rows) = try records("a,b\n1,2\n1,2,3\n", hasHeader: true)
        try reader.checkColumnCount(rows[0])
        let error = try #require(throws: LumbungError.self) { try reader.checkColumnCount(rows[1]) }
        #expect(error.code == .csvColumnCount)
        #expect(error.message.contains("line 3"))
        #expect(try reader.requireColumn("b") == 1)
        #expect(throws: LumbungError.self) { try reader.requireColumn("z") }
    }

    @Test func randomRoundTrips() throws {
        let directory = TemporaryDirectory()
        var random = SeededRandom(seed: 0xC5F)
        let pieces = [
            "a", "Siti", " ", "\"", "\"\"", ",", ";", "\n", "\r\n", "\r", "\t", "é", "ꦱꦶ", "🌾", "محمد", "x y", "",
        ]
        for round in 0..<40 {
            let columns = Int.random(in: 1...6, using: &random)
            var rows: [[String]] = []
            for _ in 0..<Int.random(in: 1...30, using: &random) {
                rows.append(
                    (0..<columns).map { _ in
                        (0..<Int.random(in: 0...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                            .joined()
                    })
            }
            let delimiter: CSVDelimiter = round % 2 == 0 ? .comma : .semicolon
            let bytes = try written(
                rows, directory: directory, delimiter: delimiter, lineEnding: round % 3 == 0 ? .crlf : .lf,
                bom: round % 4 == 0)
            let (_, back) = try records(bytes, delimiter: delimiter, chunkSize: 1 + round % 9)
            #expect(back.map(\.fields) == rows, "round \(round)")
        }
    }

    @Test func writerQuotesOnlyWhenNeeded() throws {
        let directory = TemporaryDirectory()
        let bytes = try written(
            [["plain", "a,b", "say \"hi\"", " lead", "trail ", "two\nlines", "", "é"], [""]], directory: directory,
            lineEnding: .crlf, bom: true)
        #expect(
            bytes == [0xEF, 0xBB, 0xBF]
                + Array("plain,\"a,b\",\"say \"\"hi\"\"\",\" lead\",\"trail \",\"two\nlines\",,é\r\n\"\"\r\n".utf8))
    }

    /// Peak resident memory in MiB (Linux), for the printed summary.
    private static func peakRSS() -> String {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return "?" }
        return line.split(separator: " ").dropFirst().first.map { "\(Int($0)! / 1024) MiB" } ?? "?"
    }

    /// 200,000 rows by default; `LUMBUNG_CSV_ROWS=4000000 swift test -c release` for a bigger run.
    @Test func twoHundredThousandRowsStream() throws {
        let rows = ProcessInfo.processInfo.environment["LUMBUNG_CSV_ROWS"].flatMap { Int($0) } ?? 200_000
        let directory = TemporaryDirectory()
        let path = directory.sub("big.csv.zst")
        let sink = try ByteSink(path: path)
        let writer = try CSVWriter(sink: sink, delimiter: .semicolon)
        try writer.write(["nomor_kk", "nik", "nama", "alamat", "desil"])
        for i in 0..<rows {
            try writer.write(["3216\(100_000_000_000 + i)", "3216\(200_000_000_000 + i)", "SITI \(i)", "Jl. \"Mawar\"; No \(i)", "\(i % 10 + 1)"])
        }
        try sink.close()
        let clock = ContinuousClock()
        let started = clock.now
        let reader = try CSVReader(path: path)
        #expect(reader.delimiter == .semicolon)
        var count = 0
        var lastLine = 0
        while let record = try reader.next() {
            try reader.checkColumnCount(record)
            count += 1
            lastLine = record.line
        }
        let elapsed = clock.now - started
        #expect(count == rows)
        #expect(lastLine == rows + 1)
        #expect(elapsed < .seconds(30), "took \(elapsed)")
        print("CSVTests: read \(rows) rows in \(elapsed), peak RSS \(Self.peakRSS())")
    }
}
