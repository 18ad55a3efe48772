import Testing
@testable import Lumbung
import LumbungSynthetic

/// The known attribute codes' table must find exactly what a dictionary of them finds.
@Suite struct CodeTableTests {
    @Test("finds each code at its position and nothing else, as a dictionary does", arguments: [1, 2, 3] as [UInt64])
    func model(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let codes = RecordCodec.knownAttributeCodes
        let table = CodeTable(codes)
        let model = Dictionary(uniqueKeysWithValues: codes.enumerated().map { ($1, $0) })
        for (index, code) in codes.enumerated() { #expect(table.index(of: code) == index) }

        // Near misses: prefixes, suffixes, one byte changed, other cases, other scripts.
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz_.-0123456789AÉé漢")
        var probes = ["", "a", "lantai ", " lantai", "Lantai", "lantai\u{0}", "luas_lantai2", "aset", "aset_"]
        for _ in 0..<5_000 {
            var code = Array(codes.randomElement(using: &random)!)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: code = Array(code.prefix(Int.random(in: 0...code.count, using: &random)))
            case 1: code.append(alphabet.randomElement(using: &random)!)
            case 2: code[Int.random(in: 0..<code.count, using: &random)] = alphabet.randomElement(using: &random)!
            default: code = (0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            }
            probes.append(String(code))
        }
        for probe in probes {
            #expect(table.index(of: probe) == model[probe], "code \(probe.debugDescription)")
        }
    }
}
