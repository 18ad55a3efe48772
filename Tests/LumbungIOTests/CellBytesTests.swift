import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung
@testable import LumbungIO

/// The byte readers the CSV fast path uses against the text parsers they stand in for (the
/// simple model): wherever a byte reader gives a value it is the parser's value, and it gives
/// one for every cell Lumbung writes.
@Suite struct CellBytesTests {
    /// Random cells from pieces real files hold: digits, points, signs, spaces, names, separators.
    static func cell(_ random: inout SplitMix64, pieces: [String]) -> String {
        (0..<Int.random(in: 0...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        Array(text.utf8).withUnsafeBufferPointer(body)
    }

    @Test func attributeBytesReadAsTheTextCell() {
        var random = SplitMix64(seed: 17)
        let pieces = ["0", "1", "7", "9", "26", ".", ".5", "-", "+", "e", "E", " ", "\t", "'", "a", "inf", "12345678", "999999999"]
        var numbers = 0
        for round in 0..<20_000 {
            var text = Self.cell(&random, pieces: pieces)
            // Every fourth cell a plain decimal of up to 17 digits, as attribute columns hold.
            if round % 4 == 0 {
                let whole = String(UInt64.random(in: 0...999_999_999, using: &random))
                let fraction = String(UInt64.random(in: 0...99_999_999, using: &random)).prefix(Int.random(in: 0...8, using: &random))
                text = fraction.isEmpty ? whole : whole + "." + fraction
            }
            let expected = FlatCells.attribute(cell: text)
            let read = Self.withBytes(text) { FlatCells.attribute(bytes: $0) }
            #expect(read == expected, "cell \(text.debugDescription)")
            if case .number = expected { numbers += 1 }
        }
        #expect(numbers > 1000)
        // Decimals whose nearest double is a close call, and the limits of the byte path.
        for text in ["0.1", "0.3", "2.675", "9007199254740.993", "123456789012345", "999999999999999999", "1000000000000000000",
                     "0.000000000000001", "1.0000000000000001", "00.50", "5.", ".5", "1.2.3", "36.0", "0"] {
            #expect(Self.withBytes(text) { FlatCells.attribute(bytes: $0) } == FlatCells.attribute(cell: text), "cell \(text)")
        }
    }

    @Test func programBytesReadAsTheTextCell() {
        var random = SplitMix64(seed: 5)
        let pieces = Program.allCases.map(\.name) + ["|", ",", ";", " ", "pkh", "SEMBAKO", "PBI", "X"]
        var exact = 0
        for _ in 0..<10_000 {
            let text = Self.cell(&random, pieces: pieces)
            // The model: the names the text path reads, each parsed; nil when any is refused.
            var model: Set<Program>? = []
            for name in FlatCells.programNames(text) {
                guard let program = try? Program(parsing: name) else { model = nil; break }
                model!.insert(program)
            }
            guard let read = Self.withBytes(text, { FlatCells.programs(bytes: $0) }) else { continue }
            exact += 1
            #expect(read == model, "cell \(text.debugDescription)")
        }
        #expect(exact > 1000)
        // What Lumbung writes always reads on bytes.
        for programs in [Set<Program>(), [.pkh], [.pkh, .pbiJK], Set(Program.allCases)] {
            let text = programs.sorted().map(\.name).joined(separator: "|")
            #expect(Self.withBytes(text) { FlatCells.programs(bytes: $0) } == programs)
        }
    }

    @Test func statusBytesReadAsTheParser() {
        var random = SplitMix64(seed: 9)
        let statuses = HouseholdStatus.allCases.map(\.description) + ["tidak_layak", "TIDAK_LAYAK", "usulan ", "tidak layak", "x", ""]
        let reasons = TidakLayakReason.allCases.map(\.name) + ["Mampu", "tidak ditemukan", "x", ""]
        var exact = 0
        for _ in 0..<5_000 {
            let status = statuses.randomElement(using: &random)!
            let reason = Bool.random(using: &random) ? nil : reasons.randomElement(using: &random)!
            let parsed = try? HouseholdStatus(parsing: status, reason: reason)
            let read = Self.withBytes(status) { statusBytes in
                reason.map { reason in Self.withBytes(reason) { HouseholdStatus(exactly: statusBytes, reason: $0) } }
                    ?? HouseholdStatus(exactly: statusBytes, reason: nil)
            }
            guard let read else { continue }
            exact += 1
            #expect(read == parsed, "status \(status.debugDescription), reason \(reason.debugDescription)")
        }
        #expect(exact > 1000)
        // Every status as Lumbung writes it reads on bytes.
        for status in HouseholdStatus.allCases {
            #expect(Self.withBytes(status.description) { HouseholdStatus(exactly: $0, reason: nil) } == status)
        }
    }

    @Test func wilayahBytesReadAsTheParser() {
        var random = SplitMix64(seed: 3)
        let pieces = ["32", "16", "01", "2001", "36", "00", ".", " ", "1", "9999", "3216012001"]
        var found = 0
        for _ in 0..<10_000 {
            let text = Self.cell(&random, pieces: pieces)
            let parsed = try? KodeWilayah(text)
            let read = Self.withBytes(text) { KodeWilayah(checkedBytes: $0) }
            // Nil where the parser trims what the bytes hold; else the same code or the same refusal.
            if read != nil || !text.contains(" ") { #expect(read == parsed, "code \(text.debugDescription)") }
            if read != nil { found += 1 }
        }
        #expect(found > 50)
    }
}
