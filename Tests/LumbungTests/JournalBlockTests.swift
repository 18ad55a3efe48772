import Foundation
import LumbungTestSupport
import Testing
@testable import Lumbung

/// The journal's blocks against a simple model, the entries themselves: however the entries are
/// cut into blocks, decoding the blocks gives them back, each block fills its page as far as the
/// next entry allows, and only an entry too large for a page alone makes a larger block.
@Suite("Journal blocks")
struct JournalBlockTests {
    @Test("blocks decode to the entries, each the longest prefix that fits one page", arguments: 0..<40)
    func roundTrip(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let entries = Self.entries(count: Int.random(in: 1...1_500, using: &random), &random)
        var start = 0
        while start < entries.count {
            let rest = entries[start...]
            let (block, count) = JournalBlock.encode(prefixOf: rest)
            #expect(count >= 1 && count <= JournalBlock.maxEntries)
            let decoded = try block.withUnsafeBytes { try JournalBlock.decode(first: rest.first!.sequence, $0) }
            #expect(decoded == Array(rest.prefix(count)))
            // Format 2's layout (every desa written out) decodes to the same entries.
            let (older, olderCount) = JournalBlock.encode(prefixOf: rest.prefix(count), repeatWilayah: false)
            #expect(olderCount <= count)
            #expect(try older.withUnsafeBytes { try JournalBlock.decode(first: rest.first!.sequence, $0) } == Array(rest.prefix(olderCount)))
            if count > 1 { #expect(block.count <= JournalBlock.pageBudget) }
            if start + count < entries.count, count < JournalBlock.maxEntries {
                // One more entry would not have fitted.
                let (longer, longerCount) = JournalBlock.encode(prefixOf: entries[start...(start + count)])
                #expect(longerCount == count && longer == block)
            }
            start += count
        }
    }

    @Test("a bulk load's entries take about a page per 150 households, not one per 100")
    func bulkDensity() {
        var random = SeededRandom(seed: 7)
        let entries = Self.entries(count: 10_000, &random, bulk: true)
        var blocks = 0, start = 0
        while start < entries.count {
            start += JournalBlock.encode(prefixOf: entries[start...]).count
            blocks += 1
        }
        #expect(blocks <= 10_000 / 140)
    }

    /// Entries as transactions write them: one actor, rising sequence and time, inserts with
    /// digests and a desa (a bulk load's), and, unless `bulk`, updates, deletes, moves and events
    /// with notes of any length, some longer than a page.
    static func entries(count: Int, _ random: inout SeededRandom, bulk: Bool = false) -> [JournalEntry] {
        var milliseconds: Int64 = 1_790_000_000_000
        var id = UInt64.random(in: 1...1_000_000, using: &random)
        var desaOffset: UInt64 = 0
        return (0..<count).map { index in
            milliseconds += Int64.random(in: 0...2_000, using: &random)
            id = id &+ UInt64.random(in: 1...3, using: &random)
            let action = bulk ? .insert : JournalEntry.Action.allCases.randomElement(using: &random)!
            func randomDigest() -> [UInt8] { (0..<JournalEntry.digestLength).map { _ in UInt8.random(in: 0...255, using: &random) } }
            // Format 3: an insert may leave its digest to the record, a change carry the one it replaced.
            let inRecord = action == .insert && Bool.random(using: &random)
            let digest = action == .delete || inRecord ? [] : randomDigest()
            let prior = action.changesRecord && action != .insert && Int.random(in: 0..<4, using: &random) == 0 ? randomDigest() : []
            let noteLength = bulk || Int.random(in: 0..<4, using: &random) > 0 ? 0 : [5, 300, 5_000].randomElement(using: &random)!
            // Runs of one desa, as a register's file in desa order gives.
            if Int.random(in: 0..<8, using: &random) == 0 { desaOffset = UInt64.random(in: 0..<900, using: &random) }
            let desa = KodeWilayah(unchecked: 3_216_012_001 + desaOffset, level: .desa)
            let wilayah = action == .event || inRecord ? [] : Int.random(in: 0..<10, using: &random) == 0 && !bulk
                ? [desa, KodeWilayah(unchecked: desa.packed + 1, level: .desa)] : [desa]
            return JournalEntry(
                sequence: 1_000 + UInt64(index), time: RecordCodec.date(milliseconds: milliseconds), actor: "operator", action: action,
                householdID: HouseholdID(rawValue: id), digest: digest,
                note: String(repeating: "c", count: noteLength), wilayah: wilayah, fromRecord: inRecord, priorDigest: prior)
        }
    }
}
