import LumbungTestSupport
import Testing
@testable import LumbungIO

/// ``SixteenDigitLines`` against the `[UInt64: UInt32]` it replaces: the same first line for
/// every number, whatever the numbers, lines and growth.
@Suite struct SixteenDigitLinesTests {
    /// The model: the first line of each number, clamped as the table clamps it.
    struct Model {
        var lines: [UInt64: UInt32] = [:]

        mutating func firstLine(of number: UInt64, orInsert line: Int) -> UInt32? {
            if let first = lines[number] { return first }
            lines[number] = UInt32(clamping: line)
            return nil
        }
    }

    /// Random NIK-like numbers (few regions and birth dates, so they crowd), repeats, numbers past
    /// 54 bits, and lines past 28 bits and past `UInt32`: each answer as the model's.
    @Test func answersAsADictionaryDoes() {
        var random = SeededRandom(seed: 17)
        var table = SixteenDigitLines()
        var model = Model()
        var seen: [UInt64] = []
        for step in 0..<300_000 {
            let number: UInt64
            switch random.next() % 10 {
            case 0 where !seen.isEmpty: number = seen[Int(random.next() % UInt64(seen.count))]
            case 1: number = random.next()   // past 54 bits: the overflow
            case 2: number = random.next() % 1000   // small, many in few slots
            default:
                let region = 3216_00 + random.next() % 40
                let birth = random.next() % 1_000_000
                number = region * 10_000_000_000 + birth * 10_000 + random.next() % 10_000
            }
            let line: Int
            switch random.next() % 20 {
            case 0: line = (1 << 28) - 2 + Int(random.next() % 4)   // around the overflow line
            case 1: line = Int(UInt32.max) + Int(random.next() % 3)   // clamped
            default: line = step + 2
            }
            if seen.count < 10_000 { seen.append(number) }
            #expect(table.firstLine(of: number, orInsert: line) == model.firstLine(of: number, orInsert: line))
        }
        #expect(table.count == model.lines.count)
        for (number, line) in model.lines {
            #expect(table.firstLine(of: number, orInsert: 5) == line)
        }
        #expect(table.count == model.lines.count)
    }

    /// A million consecutive NIKs of one kecamatan (every small table grows many times).
    @Test func remembersAMillionNumbersOfOneRegion() {
        var table = SixteenDigitLines()
        let base: UInt64 = 3216_0512_3456_0000
        for offset in 0..<UInt64(1_000_000) {
            #expect(table.firstLine(of: base + offset, orInsert: Int(offset) + 2) == nil)
        }
        var wrong = 0
        for offset in stride(from: UInt64(0), to: 1_000_000, by: 7) where table.firstLine(of: base + offset, orInsert: 1) != UInt32(offset + 2) {
            wrong += 1
        }
        #expect(wrong == 0)
        #expect(table.count == 1_000_000)
    }
}
