import CLMDB
import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung

/// The pieces `snapshot create` is made of at national size, each against what it replaces: a
/// thread's own decompressor against the shared compressor, the copy's file writer against the
/// bytes it was given, and the snapshot copy against LMDB's own compacted copy.
@Suite("Snapshot copy")
struct SnapshotCopyTests {
    @Test("a thread's own decompressor opens every record as the shared compressor does", arguments: 0..<4 as Range<UInt64>)
    func ownDecompressorEqualsTheCompressor(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let store = try SnapshotContentTests.randomStore(directory.sub("store"), seed: seed)
        let compressor = store.environment.compressor
        let decompressor = RecordDecompressor(compressor)
        var compared = 0
        try store.read { tx in
            try tx.environment.loadDictionaries(tx.txn)
            let cursor = try tx.txn.cursor(tx.dbs.records)
            var found = try cursor.move(MDB_FIRST)
            while found {
                let stored = cursor.valueBytes
                let expected = try compressor.open(stored) { [UInt8]($0) }
                #expect(try Self.opened(stored, by: decompressor) == expected)
                compared += 1
                found = try cursor.move(MDB_NEXT)
            }
        }
        // A raw record (too short to compress) is copied as it is.
        let raw: [UInt8] = [Compressor.rawTag, 1, 2, 3]
        #expect(try raw.withUnsafeBytes { try Self.opened($0, by: decompressor) } == [1, 2, 3])
        #expect(compared == (try store.read { tx in try tx.householdCount() }))
    }

    static func opened(_ stored: UnsafeRawBufferPointer, by decompressor: RecordDecompressor) throws -> [UInt8] {
        let envelope = try Compressor.Envelope(stored)
        let size = try envelope.payloadSize()
        var bytes = [UInt8](repeating: 0, count: size + 1)
        let written = try bytes.withUnsafeMutableBytes { try decompressor.decompress(envelope, into: $0.baseAddress!, capacity: size) }
        #expect(written == size, "the frame states its size")
        return Array(bytes[..<written])
    }

    @Test("the copy's file writer writes the buffers it is given in order, a short unaligned last one too", arguments: [
        [CopyFileWriter.bufferSize, CopyFileWriter.bufferSize, 3 * 4096],
        [CopyFileWriter.bufferSize, 5_000],
        [1],
        [0],
    ])
    func writerWritesInOrder(counts: [Int]) throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("data.mdb")
        let file = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        try #require(file >= 0)
        var expected: [UInt8] = []
        var random = SeededRandom(seed: UInt64(counts.reduce(0, +)))
        let writer = CopyFileWriter(file, path: path, needed: 0)
        for count in counts {
            let buffer = try writer.emptyBuffer()
            for offset in 0..<count { buffer[offset] = UInt8.random(in: 0...255, using: &random) }
            expected += buffer[..<count]
            writer.write(count)
        }
        try writer.finish()
        close(file)
        #expect(FileManager.default.contents(atPath: path) == Data(expected))
    }

    @Test("the snapshot copy is LMDB's own compacted copy, byte for byte, and its SHA-256", arguments: 0..<4 as Range<UInt64>)
    func copyEqualsLMDBsCopy(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let store = try SnapshotContentTests.randomStore(directory.sub("store"), seed: seed)
        try FileManager.default.createDirectory(atPath: directory.sub("reference"), withIntermediateDirectories: true)
        let sum = try store.read { _ in
            try LMDB.check(mdb_env_copy2(store.environment.handle, directory.sub("reference"), UInt32(MDB_CP_COMPACT)), "reference copy")
            let copy = try SnapshotCopy(store.environment, to: directory.sub("data.mdb"))
            copy.waitUntilStarted()
            return try copy.finish()
        }
        let reference = try #require(FileManager.default.contents(atPath: directory.sub("reference/data.mdb")))
        #expect(FileManager.default.contents(atPath: directory.sub("data.mdb")) == reference)
        let expected = try FileDigest.sha256(path: directory.sub("reference/data.mdb"))
        #expect(sum.bytes == expected.bytes && sum.hex == expected.hex)
    }
}
