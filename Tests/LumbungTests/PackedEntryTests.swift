import Testing
@testable import Lumbung
import LumbungSynthetic
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

    @Test("an entry packed from integers equals the one read from its bytes", arguments: [4, 5] as [UInt64])
    func packedFromIntegers(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        for _ in 0..<5_000 {
            let keyWidth = Int.random(in: 1...8, using: &random), entryWidth = Int.random(in: 0...(PackedEntry.capacity - keyWidth), using: &random)
            let key = UInt64.random(in: 0 ... .max, using: &random) >> UInt64(8 * (8 - keyWidth))
            let entry = UInt128.random(in: 0 ... .max, using: &random) >> UInt128(8 * (16 - entryWidth))
            let packed = PackedEntry(key: key, keyWidth: keyWidth, entry: entry, entryWidth: entryWidth)
            #expect(packed == PackedEntry(Keys.be(key, width: keyWidth), Keys.be(wide: entry, width: entryWidth)))
        }
    }

    @Test("check's packed entries of a household are the bytes its writes put in the indexes")
    func householdEntries() throws {
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 6, dirtyNIKRate: 0.1)
        for (index, generated) in generator.households(count: 500).enumerated() {
            var household = generated
            household.id = HouseholdID(rawValue: UInt64(index) * 7_919 + 1)
            var packed: [(IndexDimension, PackedEntry)] = []
            IndexDimension.forEachEntry(household, Contribution(household)) { kind, key, entry, width in
                packed.append((kind, PackedEntry(key: key, keyWidth: kind.keyWidth, entry: entry, entryWidth: width)))
            }
            let written = IndexDimension.entries(household)
            #expect(packed.count == written.count)
            #expect(packed.filter { $0.0 == .member }.count == household.members.count)
            #expect(packed.filter { $0.0 == .wilayah }.count == 1)
            for ((kind, entry), (writtenKind, key, value)) in zip(packed, written) {
                #expect(kind == writtenKind)
                #expect(key.count == kind.keyWidth)
                #expect(entry == PackedEntry(key, value))
            }
        }
    }
}
