import Testing
@testable import Lumbung
import LumbungTestSupport

/// `check` compares index entries packed into integers; the packing must keep byte order and
/// give back the fields it holds, for the widths the indexes use and for damaged, wider ones.
@Suite struct PackedEntryTests {
    @Test("packed entries sort as their bytes do, and read back the bytes they hold", arguments: [1, 2, 3] as [UInt64])
    func model(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var entries: [[UInt8]] = []
        for _ in 0..<2_000 {
            // Short alphabets make shared prefixes and zero bytes (the padding) common.
            let width = Int.random(in: 0...24, using: &random)
            entries.append((0..<width).map { _ in [0, 1, 0xFF, UInt8.random(in: 0...255, using: &random)].randomElement(using: &random)! })
        }
        let split = entries.map { Int.random(in: 0...$0.count, using: &random) }
        let packed = zip(entries, split).map { PackedEntry($0.prefix($1), $0.dropFirst($1)) }

        let byBytes = entries.indices.sorted { entries[$0].lexicographicallyPrecedes(entries[$1]) }
        let byPacked = packed.indices.sorted { packed[$0] < packed[$1] }
        #expect(byBytes.map { entries[$0] } == byPacked.map { entries[$0] })
        for (index, entry) in entries.enumerated() {
            #expect(packed[index].width == entry.count)
            for other in [index / 2, (index + 1) % entries.count] {
                #expect((packed[index] == packed[other]) == (entry == entries[other]))
            }
            guard entry.count > 0 else { continue }
            let offset = Int.random(in: 0..<entry.count, using: &random)
            let width = Int.random(in: 1...min(8, entry.count - offset), using: &random)
            let expected = entry.withUnsafeBytes { Keys.read($0, at: offset, width: width) }
            #expect(packed[index].read(at: offset, width: width) == expected)
        }
    }
}
