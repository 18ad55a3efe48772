import Testing
@testable import Lumbung
import LumbungSynthetic

/// The held index entries' radix sort must order exactly as a stable comparison sort does,
/// ties kept in their order, and two sorts (second key, then first) must sort by the pair.
@Suite struct RadixSortTests {
    struct Item: Equatable { var key: UInt64, minor: UInt64, tag: Int }

    /// Keys that share bytes (one varying byte, a few values, full range) and tie often.
    static func items(_ random: inout SeededRandom, count: Int) -> [Item] {
        let shape = Int.random(in: 0..<4, using: &random)
        return (0..<count).map { tag in
            let key: UInt64 = switch shape {
            case 0: UInt64.random(in: 0...UInt64.max, using: &random)
            case 1: UInt64.random(in: 0..<8, using: &random) << 40 | 0x1234
            case 2: 3_216_000_000_000_000 + UInt64.random(in: 0..<50_000, using: &random) * 977
            default: [0, 1, 0xFF, UInt64.max, 1 << 63].randomElement(using: &random)!
            }
            return Item(key: key, minor: UInt64.random(in: 0..<16, using: &random) << UInt64.random(in: 0..<60, using: &random), tag: tag)
        }
    }

    @Test("sorts as a stable comparison sort, alone and by a pair of keys", arguments: 1...40 as ClosedRange<UInt64>)
    func model(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let items = Self.items(&random, count: Int.random(in: 0...3_000, using: &random))

        var byKey = items
        RadixSort.sort(&byKey) { $0.key }
        #expect(byKey == items.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element))

        var byPair = items
        RadixSort.sort(&byPair) { $0.minor }
        RadixSort.sort(&byPair) { $0.key }
        #expect(byPair == items.enumerated().sorted {
            ($0.element.key, $0.element.minor, $0.offset) < ($1.element.key, $1.element.minor, $1.offset)
        }.map(\.element))
    }

    @Test("one key for all, or none to sort, leaves the order as it was")
    func trivial() {
        var same = (0..<100).map { Item(key: 7, minor: 0, tag: $0) }
        let before = same
        RadixSort.sort(&same) { $0.key }
        #expect(same == before)
        var empty: [Item] = []
        RadixSort.sort(&empty) { $0.key }
        #expect(empty.isEmpty)
    }
}
