import Foundation
import Lumbung
import LumbungIO
import Testing

private let zstdTool = ["/usr/bin/zstd", "/usr/local/bin/zstd", "/opt/homebrew/bin/zstd"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// Runs the zstd tool, returning its exit status.
@discardableResult
private func zstd(_ arguments: [String], stdout: String? = nil) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: zstdTool!)
    process.arguments = arguments
    if let stdout {
        FileManager.default.createFile(atPath: stdout, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
    }
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

private func readAll(_ source: ByteSource) throws -> [UInt8] {
    var bytes: [UInt8] = []
    while let chunk = try source.nextChunk() { bytes += chunk }
    return bytes
}

private func sampleText(lines: Int) -> [UInt8] {
    var text = ""
    for i in 0..<lines { text += "{\"nomor_kk\":\"3216\(i)\",\"nama\":\"SITI 🌾 \(i)\"}\n" }
    return Array(text.utf8)
}

private func writeFile(_ path: String, _ bytes: [UInt8], compress: Bool? = nil) throws {
    let sink = try ByteSink(path: path, compress: compress, bufferSize: 4096)
    try sink.write(bytes)
    try sink.close()
}

@Suite struct ZstdStreamTests {
    @Test func roundTripThroughSinkAndSource() throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("data.jsonl.zst")
        let text = sampleText(lines: 50_000)
        try writeFile(path, text)
        let raw = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(raw.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])
        #expect(raw.count < text.count / 3)
        let source = try ByteSource(path: path, chunkSize: 1000)
        #expect(source.isCompressed)
        #expect(try readAll(source) == text)
        // The magic alone is enough, whatever the name.
        let renamed = directory.sub("data.bin")
        try FileManager.default.moveItem(atPath: path, toPath: renamed)
        #expect(try readAll(ByteSource(path: renamed)) == text)
    }

    @Test func linesWithNumbers() throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("lines.jsonl.zst")
        try writeFile(path, [0xEF, 0xBB, 0xBF] + Array("one\r\ntwo\n\nfour".utf8))
        let source = try ByteSource(path: path, chunkSize: 3)
        var lines: [(Int, String)] = []
        while let line = try source.nextLine() { lines.append((source.lineNumber, String(decoding: line, as: UTF8.self))) }
        #expect(lines.map(\.0) == [1, 2, 3, 4])
        #expect(lines.map(\.1) == ["one", "two", "", "four"])
        let big = try ByteSource(bytes: sampleText(lines: 10_000), chunkSize: 100)
        var count = 0
        while let line = try big.nextLine() {
            count += 1
            #expect(line.last == UInt8(ascii: "}"))
        }
        #expect(count == 10_000)
    }

    @Test func plainFilesPassThrough() throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("plain.csv")
        let text = sampleText(lines: 1000)
        try writeFile(path, text)
        let source = try ByteSource(path: path, chunkSize: 10)
        #expect(!source.isCompressed)
        #expect(try readAll(source) == text)
    }

    @Test func abandonedSinkLeavesNoFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("never.csv.zst")
        do {
            let sink = try ByteSink(path: path)
            try sink.write(sampleText(lines: 100))
            try sink.flush()
            #expect(FileManager.default.fileExists(atPath: sink.temporaryPath!))
            #expect(!FileManager.default.fileExists(atPath: path))
            sink.abandon()
        }
        do {
            let sink = try ByteSink(path: path)
            try sink.write(sampleText(lines: 100))
            _ = sink  // dropped without close
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func truncatedAndBogusInputAreErrors() throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("t.zst")
        try writeFile(path, sampleText(lines: 5000))
        let raw = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let truncated = try #require(throws: LumbungError.self) {
            _ = try readAll(ByteSource(bytes: Array(raw.dropLast(20))))
        }
        #expect(truncated.code == .fileZstd)
        let bogus = directory.sub("bogus.zst")
        try writeFile(bogus, Array("not zstd at all".utf8), compress: false)
        let notZstd = try #require(throws: LumbungError.self) { _ = try ByteSource(path: bogus) }
        #expect(notZstd.code == .fileZstd)
        let missing = try #require(throws: LumbungError.self) { _ = try ByteSource(path: directory.sub("nope")) }
        #expect(missing.code == .fileNotFound)
    }

    @Test(.enabled(if: zstdTool != nil, "the zstd command-line tool is not installed; skipping interop"))
    func zstdToolReadsOurOutput() throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("ours.csv.zst")
        let text = sampleText(lines: 30_000)
        try writeFile(path, text)
        #expect(try zstd(["-t", "-q", path]) == 0)  // checks the content checksum too
        let out = directory.sub("ours.csv")
        #expect(try zstd(["-d", "-q", "-f", path, "-o", out]) == 0)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: out))) == text)
    }

    @Test(.enabled(if: zstdTool != nil, "the zstd command-line tool is not installed; skipping interop"))
    func weReadZstdToolOutputIncludingMultiFrame() throws {
        let directory = TemporaryDirectory()
        let first = sampleText(lines: 20_000)
        let second = Array("second part\nlast line without newline".utf8)
        let a = directory.sub("a.txt")
        let b = directory.sub("b.txt")
        try Data(first).write(to: URL(fileURLWithPath: a))
        try Data(second).write(to: URL(fileURLWithPath: b))
        #expect(try zstd(["-c", "-q", "-19", a], stdout: a + ".zst") == 0)
        #expect(try zstd(["-c", "-q", b], stdout: b + ".zst") == 0)
        #expect(try readAll(ByteSource(path: a + ".zst", chunkSize: 777)) == first)
        // cat a.zst b.zst > both.zst: two frames.
        let both = directory.sub("both.zst")
        let joined = try Data(contentsOf: URL(fileURLWithPath: a + ".zst")) + Data(contentsOf: URL(fileURLWithPath: b + ".zst"))
        try joined.write(to: URL(fileURLWithPath: both))
        #expect(try readAll(ByteSource(path: both, chunkSize: 4096)) == first + second)
        let lines = try ByteSource(path: both)
        var last = ""
        while let line = try lines.nextLine() { last = String(decoding: line, as: UTF8.self) }
        #expect(lines.lineNumber == 20_002)
        #expect(last == "last line without newline")
    }
}
