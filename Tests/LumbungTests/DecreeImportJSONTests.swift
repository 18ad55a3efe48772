import Foundation
import Testing
@testable import Lumbung
import LumbungSynthetic  // SplitMix64: a seeded generator, so a failing round can be run again

/// A decree import's JSON (`decree import --json` and the stored records) against Foundation's
/// `JSONEncoder` as the model, and the stores written before it (camel-case keys) still read.
@Suite("Decree import JSON")
struct DecreeImportJSONTests {
    /// Texts with every escape class: quotes, backslashes, slashes, control characters, non-ASCII.
    static let texts = ["", "400.9/77/Dinsos", "kadis \"lama\"", "a\\b", "tab\there", "baris\nbaru", "\u{1}\u{1F}\u{7F}",
                        "Déwi Ségara", "日本", "emoji 🙂", "32.16.01.2001", "*"]

    static func random(_ random: inout SplitMix64) -> DecreeImport {
        func pick(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
        func text() -> String { texts[pick(texts.count)] + (pick(2) == 0 ? "" : texts[pick(texts.count)]) }
        var desa: [String: DecreeImport.Counts] = [:]
        for _ in 0..<pick(6) {
            let code = "32.16.\(String(format: "%02d", 1 + pick(23))).\(2001 + pick(20))"
            desa[code] = DecreeImport.Counts(ditetapkan: pick(5_000), dicabut: pick(300))
        }
        if pick(4) == 0 { desa[text()] = DecreeImport.Counts(ditetapkan: 1, dicabut: 0) }
        return DecreeImport(period: "2026-\(String(format: "%02d", 1 + pick(12)))", nomor: text(), tanggal: "2026-11-20",
                            scope: pick(2) == 0 ? "*" : "32.16.01", complete: pick(2) == 0, actor: text(),
                            importedAt: "2026-11-27T15:\(10 + pick(50)):00Z", desa: desa)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func theWriterWritesWhatTheEncoderWrote(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var imports: [DecreeImport] = []
        for _ in 0..<200 {
            let record = Self.random(&random)
            imports.append(record)
            #expect(record.json == Array(try encoder.encode(EncodedDecree(record))), "\(record)")
        }
        // The stored array reads back equal, and an older store's camel-case array reads too.
        #expect(try DecreeImport.decodeStored(Data(DecreeImport.encodeStored(imports))) == imports)
        #expect(try DecreeImport.decodeStored(try JSONEncoder().encode(imports.map(EncodedDecree.init))) == imports)
        #expect(try DecreeImport.decodeStored(Data(DecreeImport.encodeStored([]))) == [])
    }

    /// The model: what `JSONEncoder` wrote of a decree import before (its synthesized `Encodable`,
    /// camel-case keys; snake-case with `.convertToSnakeCase`).
    struct EncodedDecree: Encodable {
        let record: DecreeImport
        init(_ record: DecreeImport) { self.record = record }

        struct Counts: Encodable {
            let ditetapkan: Int
            let dicabut: Int
        }

        enum Key: String, CodingKey { case period, nomor, tanggal, scope, complete, actor, importedAt, desa }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(record.period, forKey: .period)
            try container.encode(record.nomor, forKey: .nomor)
            try container.encode(record.tanggal, forKey: .tanggal)
            try container.encode(record.scope, forKey: .scope)
            try container.encode(record.complete, forKey: .complete)
            try container.encode(record.actor, forKey: .actor)
            try container.encode(record.importedAt, forKey: .importedAt)
            try container.encode(record.desa.mapValues { Counts(ditetapkan: $0.ditetapkan, dicabut: $0.dicabut) }, forKey: .desa)
        }
    }
}
