import Foundation
import Testing
@testable import Lumbung
@testable import LumbungIO
import LumbungSynthetic

/// ``SortedMatcher`` (runs sorted and merge-joined with the NIK index) against a simple
/// in-memory model of the register, and against the one-at-a-time ``Matcher``.
@Suite("Sorted match")
struct SortedMatchTests {
    /// The model: every valid member NIK and the household it belongs to.
    static func model(_ store: Store) throws -> [UInt64: Household] {
        var byNIK: [UInt64: Household] = [:]
        for household in try ExportMatchTests.stored(store).values {
            for nik in household.validNIKs {
                #expect(byNIK.updateValue(household, forKey: nik.rawValue) == nil, "a NIK in one household only")
            }
        }
        return byNIK
    }

    /// What the model says one input NIK's cells are.
    static func expectedCells(_ text: String, model: [UInt64: Household]) -> [String] {
        let nik: NIK
        do {
            nik = try NIK(text)
        } catch let error as LumbungError {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.count == 16, trimmed.hasPrefix(String(repeating: "9", count: 15)), let reason = NIKPlaceholder(rawValue: UInt8(String(trimmed.last!)) ?? 0) {
                return [NIK.mask(text), "invalid", "nik.placeholder: the placeholder for a member with no NIK (\(reason.name)), not a NIK", "", "", "", "", "", ""]
            }
            return [NIK.mask(text), "invalid", "\(error.code): \(error.rule)", "", "", "", "", "", ""]
        } catch {
            return ["unexpected \(error)"]
        }
        guard let household = model[nik.rawValue] else { return [nik.text, "not_found", "", "", "", "", "", "", ""] }
        return [
            nik.text, "found", "", String(household.id!.rawValue), household.nomorKK.text, household.wilayah.dotted,
            household.status.description, household.desil.map { String($0) } ?? "",
            household.programs.sorted { $0.rawValue < $1.rawValue }.map(\.name).joined(separator: "|"),
        ]
    }

    /// A random list: NIKs of the store (often repeated), valid NIKs it does not hold, and
    /// invalid text of several kinds.
    static func randomList(_ model: [UInt64: Household], count: Int, using random: inout SplitMix64) -> [String] {
        let present = model.keys.sorted()
        let invalid = ["3.21601E+15", "3216010101000000", "12345", "32160101019900x1", "", "0000000000000000", "3216014507900001 7",
                       "9999999999999995", " 9999999999999994", "9999999999999999", "9999999999999997"]
        return (0..<count).map { _ in
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5 where !present.isEmpty:
                let nik = present.randomElement(using: &random)!
                // Now and then with spaces around, as a spreadsheet leaves it.
                return Bool.random(using: &random) ? IdentityDigits.text(nik) : " \(IdentityDigits.text(nik))\t"
            case 5..<8:
                // A valid NIK next to a stored one (another serial), usually absent.
                let base = present.randomElement(using: &random) ?? 3216_0145_0790_0001
                let serial = UInt64.random(in: 1...9999, using: &random)
                return IdentityDigits.text(base / 10_000 * 10_000 + serial)
            default:
                return invalid.randomElement(using: &random)!
            }
        }
    }

    /// Runs the sorted matcher over `list` (line numbers from 1) and returns its rows' cells.
    static func sortedCells(_ list: [String], store: Store, runSize: Int, workers: Int) throws -> (cells: [[String]], lines: [Int], counts: [Matcher.Outcome: Int]) {
        let output = Locked<[(line: Int, cells: [String])]>([])
        let parts = Locked<[[UInt8]]>([])
        let matcher = SortedMatcher(
            store: store, runSize: runSize, workers: workers,
            encode: { line, cells, bytes in
                output.withLock { $0.append((line, cells)) }
                bytes += Array("\(line)\n".utf8)
            },
            write: { bytes in parts.withLock { $0.append(bytes) } })
        for (index, text) in list.enumerated() {
            var bytes = Array(text.utf8)
            let added = try bytes.withUnsafeMutableBufferPointer { try matcher.add(line: index + 1, digits: UnsafeBufferPointer($0)) }
            if !added { try matcher.add(line: index + 1, text: text) }
        }
        try matcher.finish()
        // Encoding runs on several threads; what was written, in order, is the input order.
        let written = String(decoding: parts.withLock { $0 }.joined(), as: UTF8.self).split(separator: "\n").map { Int($0)! }
        let byLine = Dictionary(uniqueKeysWithValues: output.withLock { $0 }.map { ($0.line, $0.cells) })
        return (written.map { byLine[$0]! }, written, matcher.counts)
    }

    @Test(arguments: 0..<12)
    func matchesTheModelOnRandomStoresAndLists(seed: UInt64) throws {
        var random = SplitMix64(seed: seed &* 7919 &+ 1)
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        let generator = SyntheticKabupaten(
            kabupaten: try KodeWilayah("32.16"), seed: seed, dirtyNIKRate: Double.random(in: 0...0.1, using: &random))
        let households = Int.random(in: 0...300, using: &random)
        try store.bulkLoad(nikPolicy: .keepFlagged) { loader in
            for household in generator.households(count: households) { try loader.add(household) }
        }
        let model = try Self.model(store)
        let list = Self.randomList(model, count: Int.random(in: 0...3000, using: &random), using: &random)
        let runSize = [1, 2, 7, 100, 5000].randomElement(using: &random)!
        let workers = Int.random(in: 1...3, using: &random)

        let result = try Self.sortedCells(list, store: store, runSize: runSize, workers: workers)
        #expect(result.lines == list.indices.map { $0 + 1 }, "rows come out in input order")
        let expected = list.map { Self.expectedCells($0, model: model) }
        #expect(result.cells.count == expected.count)
        for (index, (got, wanted)) in zip(result.cells, expected).enumerated() where got != wanted {
            Issue.record("line \(index + 1) (\(NIK.mask(list[index]))): \(got) != \(wanted) [run \(runSize), workers \(workers)]")
            break
        }
        let outcomes = expected.map { $0[1] }
        #expect(result.counts[.found, default: 0] == outcomes.filter { $0 == "found" }.count)
        #expect(result.counts[.notFound, default: 0] == outcomes.filter { $0 == "not_found" }.count)
        #expect(result.counts[.invalid, default: 0] == outcomes.filter { $0 == "invalid" }.count)
    }

    @Test func givesTheOneAtATimeMatchersRowsWhateverTheRunSize() throws {
        let directory = TemporaryDirectory()
        let store = try ExportMatchTests.store(directory, count: 400)
        var random = SplitMix64(seed: 42)
        let list = Self.randomList(try Self.model(store), count: 2500, using: &random)
        let old = try Matcher.match(list.enumerated().map { ($0.offset + 1, $0.element) }, in: store).map(Matcher.cells)
        #expect(Set(old.map { $0[1] }) == ["found", "not_found", "invalid"], "the list has every outcome")
        for (runSize, workers) in [(1, 1), (3, 2), (64, 2), (SortedMatcher.defaultRunSize, 2)] {
            let new = try Self.sortedCells(list, store: store, runSize: runSize, workers: workers)
            #expect(new.cells == old, "run size \(runSize), \(workers) workers")
        }
    }

    @Test(arguments: [MatchOutput.csv, .jsonLines], 0..<4)
    func writesEachFormatsRowsStraightToBytesAsFromTheirCells(output: MatchOutput, seed: UInt64) throws {
        // The bytes a run writes (households encoded once) against each row encoded whole from
        // the one-at-a-time matcher's cells.
        var random = SplitMix64(seed: seed &+ 0x4D41_5443)
        let directory = TemporaryDirectory()
        let store = try ExportMatchTests.store(directory, count: Int.random(in: 1...300, using: &random))
        let list = Self.randomList(try Self.model(store), count: Int.random(in: 0...2500, using: &random), using: &random)
        var expected: [UInt8] = []
        for row in try Matcher.match(list.enumerated().map { ($0.offset + 1, $0.element) }, in: store) {
            output.encode(line: row.line, cells: Matcher.cells(row), into: &expected)
        }
        for (runSize, workers) in [(1, 1), (7, 2), (SortedMatcher.defaultRunSize, 2)] {
            let written = Locked<[UInt8]>([])
            let matcher = SortedMatcher(store: store, runSize: runSize, workers: workers, output: output, write: { bytes in written.withLock { $0 += bytes } })
            for (index, text) in list.enumerated() { try matcher.add(line: index + 1, text: text) }
            try matcher.finish()
            let bytes = written.withLock { $0 }
            #expect(bytes == expected, "\(output), seed \(seed), run \(runSize): \(String(decoding: bytes.prefix(300), as: UTF8.self))")
        }
    }

    @Test func walksTheIndexInOrderAndFindsWhatPointLookupsFind() throws {
        let directory = TemporaryDirectory()
        let store = try ExportMatchTests.store(directory, count: 300)
        let model = try Self.model(store)
        var random = SplitMix64(seed: 5)
        // Every stored NIK, NIKs between and around them, and repeats: ascending.
        var numbers = Array(model.keys) + model.keys.map { $0 + 1 } + model.keys.map { $0 - 1 }
        numbers += (0..<200).map { _ in model.keys.randomElement(using: &random)! }
        numbers += [0, 1, UInt64.max / 2]
        numbers.sort()
        var ids = [UInt32](repeating: 7, count: numbers.count)
        try store.read { tx in
            try numbers.withUnsafeBufferPointer { n in try ids.withUnsafeMutableBufferPointer { try tx.householdIDs(nikNumbers: n, into: $0) } }
        }
        for (number, id) in zip(numbers, ids) {
            #expect(UInt64(id) == (model[number]?.id?.rawValue ?? 0), "NIK \(IdentityDigits.masked(number))")
        }
    }

    @Test func anOutlineIsTheHouseholdsHead() throws {
        let directory = TemporaryDirectory()
        let store = try ExportMatchTests.store(directory, count: 100)
        for (id, household) in try ExportMatchTests.stored(store) {
            #expect(try store.read { tx in try tx.outline(id: id) } == HouseholdOutline(household))
        }
        #expect(try store.read { tx in try tx.outline(id: 100_000) } == nil)
    }
}
