import Foundation
import Testing

@testable import Lumbung
import LumbungSynthetic  // SplitMix64: a seeded generator, so a failing round can be run again

/// `manifest.json` from ``JSONWriter`` is byte for byte what Foundation's `JSONEncoder` wrote
/// before (snake-case keys, sorted keys, pretty-printed, slashes unescaped): random manifests,
/// whole and scoped, against the old encoding, kept here as the model.
@Suite struct SnapshotManifestJSONTests {
    @Test func randomManifestsAreTheEncodersBytes() throws {
        var random = SplitMix64(seed: 17)
        for round in 0..<400 {
            let manifest = Self.manifest(&random)
            let whole = try OldManifestEncoding.encode(manifest, wholeStore: true)
            #expect(manifest.encoded() == whole, "round \(round)")
            let scoped = try OldManifestEncoding.encode(manifest, wholeStore: false)
            #expect(manifest.json(wholeStore: false) == scoped, "round \(round)")
            if manifest.encoded() != whole {
                // Show where they part, not 50 KB of JSON.
                let new = Array(manifest.encoded()), old = Array(whole)
                let at = new.indices.first { $0 >= old.count || new[$0] != old[$0] } ?? new.count
                Issue.record("first difference at byte \(at): new \(String(decoding: new[max(0, at - 60)..<min(new.count, at + 60)], as: UTF8.self)) old \(String(decoding: old[max(0, at - 60)..<min(old.count, at + 60)], as: UTF8.self))")
                break
            }
        }
    }

    /// A scoped reader's manifest through the public call: the encoder's bytes for the cut manifest.
    @Test func aScopedManifestIsTheEncodersBytes() throws {
        var random = SplitMix64(seed: 3)
        var manifest = Self.manifest(&random)
        manifest.counts.append(SnapshotManifest.RegionEntry(RegionCounts(wilayah: try KodeWilayah("32.16.01"))))
        let scope = AccessScope(try KodeWilayah("32.16"))
        var cut = manifest
        cut.counts = manifest.counts.filter { $0.wilayah == "32.16.01" }
        cut.households = 0
        cut.members = 0
        cut.decree = manifest.decree?.scoped(to: try KodeWilayah("32.16"))
        #expect(manifest.encoded(for: scope) == (try OldManifestEncoding.encode(cut, wholeStore: false)))
        #expect(manifest.encoded(for: .everything) == (try OldManifestEncoding.encode(manifest, wholeStore: true)))
    }

    /// Fixed bytes: the layout (`" : "`, empty containers over two lines) and the escapes.
    @Test func exactBytes() {
        let manifest = SnapshotManifest(
            format: 1, period: "2026-10", createdAt: "2026-10-31T23:59:59.000Z", schemaVersion: 9, journalSequence: 7,
            households: 0, members: 0, contentDigest: "sha256:ab", files: [], counts: [],
            replaced: .init(reason: "a/b \"c\"\n\u{1}", previousCreatedAt: "x", previousContentDigest: "sha256:cd"))
        let expected = """
            {
              "content_digest" : "sha256:ab",
              "counts" : [

              ],
              "created_at" : "2026-10-31T23:59:59.000Z",
              "files" : [

              ],
              "format" : 1,
              "households" : 0,
              "journal_sequence" : 7,
              "members" : 0,
              "period" : "2026-10",
              "replaced" : {
                "previous_content_digest" : "sha256:cd",
                "previous_created_at" : "x",
                "reason" : "a/b \\"c\\"\\n\\u0001"
              },
              "schema_version" : 9
            }

            """
        #expect(String(decoding: manifest.encoded(), as: UTF8.self) == expected)
    }

    // MARK: Random manifests

    /// Text with everything that escapes or sorts differently: quotes, backslashes, slashes,
    /// control characters, capitals (dictionary keys are not snake-cased), digits, non-ASCII.
    static func text(_ random: inout SplitMix64, maxPieces: Int = 4) -> String {
        let pieces = ["a", "b", "Z", "_", "10", "9", "1", "/", "\"", "\\", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", " ", "é", "🌾", "desil", "pkh", "aB"]
        return (0..<Int.random(in: 0...maxPieces, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
    }

    static func number(_ random: inout SplitMix64) -> Int {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: Int.random(in: Int.min...Int.max, using: &random)
        case 1: 0
        default: Int.random(in: 0...5_000_000, using: &random)
        }
    }

    /// A count the decree may sum without overflow.
    static func count(_ random: inout SplitMix64) -> Int {
        Int.random(in: 0...5_000_000, using: &random)
    }

    static func dictionary<Value>(_ random: inout SplitMix64, _ value: (inout SplitMix64) -> Value) -> [String: Value] {
        var result: [String: Value] = [:]
        for _ in 0..<Int.random(in: 0...6, using: &random) { result[text(&random, maxPieces: 3)] = value(&random) }
        return result
    }

    static func pair(_ random: inout SplitMix64) -> SnapshotManifest.CountPair {
        .init(households: number(&random), members: number(&random))
    }

    static func manifest(_ random: inout SplitMix64) -> SnapshotManifest {
        let regions = (0..<Int.random(in: 0...12, using: &random)).map { _ -> SnapshotManifest.RegionEntry in
            var entry = SnapshotManifest.RegionEntry(RegionCounts(wilayah: nil))
            entry.wilayah = Bool.random(using: &random) ? text(&random) : nil
            entry.level = text(&random)
            entry.total = pair(&random)
            entry.status = dictionary(&random, pair)
            entry.program = dictionary(&random, pair)
            entry.desil = dictionary(&random, pair)
            entry.nikFlagged = dictionary(&random, pair)
            entry.dukcapil = Bool.random(using: &random) ? dictionary(&random, pair) : nil
            entry.desilVersi = Bool.random(using: &random) ? dictionary(&random, number) : nil
            return entry
        }
        var decree: SnapshotManifest.Decree?
        if Bool.random(using: &random) {
            let desa = (0..<Int.random(in: 0...4, using: &random)).map { index in
                SnapshotManifest.Decree.DesaEntry(
                    wilayah: "32.16.01.200\(index)", total: count(&random), jenis: dictionary(&random, count),
                    status: dictionary(&random, count), ditetapkan: count(&random), dicabut: count(&random))
            }
            let sk = (0..<Int.random(in: 0...3, using: &random)).map { _ in SnapshotManifest.Decree.SK(nomor: text(&random), tanggal: text(&random)) }
            decree = .init(period: text(&random), cutoff: text(&random), desa: desa, sk: sk)
        }
        let files = (0..<Int.random(in: 0...2, using: &random)).map { _ in
            SnapshotManifest.File(name: text(&random), bytes: number(&random), sha256: text(&random))
        }
        let replaced = Bool.random(using: &random)
            ? SnapshotManifest.Replacement(reason: text(&random, maxPieces: 8), previousCreatedAt: text(&random), previousContentDigest: text(&random))
            : nil
        return SnapshotManifest(
            format: number(&random), period: text(&random), createdAt: text(&random), schemaVersion: number(&random),
            journalSequence: UInt64.random(in: 0...UInt64.max, using: &random), households: number(&random), members: number(&random),
            contentDigest: text(&random), files: files, counts: regions, replaced: replaced, decree: decree)
    }
}

/// The model: how `JSONEncoder` wrote manifests before, with the encoder's settings and the
/// fields the types' `Codable` conformance gave it (camel-case names, converted to snake case
/// by the encoder; the store-wide fields only for the whole store).
enum OldManifestEncoding {
    static func encode(_ manifest: SnapshotManifest, wholeStore: Bool) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(Manifest(value: manifest, wholeStore: wholeStore))
        data.append(0x0A)
        return data
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct Manifest: Encodable {
        let value: SnapshotManifest
        let wholeStore: Bool
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(value.format, forKey: Key("format"))
            try container.encode(value.period, forKey: Key("period"))
            try container.encode(value.createdAt, forKey: Key("createdAt"))
            try container.encode(value.schemaVersion, forKey: Key("schemaVersion"))
            try container.encode(value.households, forKey: Key("households"))
            try container.encode(value.members, forKey: Key("members"))
            try container.encode(value.counts.map(Region.init), forKey: Key("counts"))
            if let replaced = value.replaced {
                var nested = container.nestedContainer(keyedBy: Key.self, forKey: Key("replaced"))
                try nested.encode(replaced.reason, forKey: Key("reason"))
                try nested.encode(replaced.previousCreatedAt, forKey: Key("previousCreatedAt"))
                if wholeStore { try nested.encode(replaced.previousContentDigest, forKey: Key("previousContentDigest")) }
            }
            try container.encodeIfPresent(value.decree.map(Decree.init), forKey: Key("decree"))
            if wholeStore {
                try container.encode(value.journalSequence, forKey: Key("journalSequence"))
                try container.encode(value.contentDigest, forKey: Key("contentDigest"))
                try container.encode(value.files.map(File.init), forKey: Key("files"))
            }
        }
    }

    struct File: Encodable {
        let value: SnapshotManifest.File
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(value.name, forKey: Key("name"))
            try container.encode(value.bytes, forKey: Key("bytes"))
            try container.encode(value.sha256, forKey: Key("sha256"))
        }
    }

    struct Pair: Encodable {
        let value: SnapshotManifest.CountPair
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(value.households, forKey: Key("households"))
            try container.encode(value.members, forKey: Key("members"))
        }
    }

    struct Region: Encodable {
        let value: SnapshotManifest.RegionEntry
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(value.wilayah, forKey: Key("wilayah"))
            try container.encode(value.level, forKey: Key("level"))
            try container.encode(Pair(value: value.total), forKey: Key("total"))
            try container.encode(value.status.mapValues(Pair.init), forKey: Key("status"))
            try container.encode(value.program.mapValues(Pair.init), forKey: Key("program"))
            try container.encode(value.desil.mapValues(Pair.init), forKey: Key("desil"))
            try container.encode(value.nikFlagged.mapValues(Pair.init), forKey: Key("nikFlagged"))
            try container.encodeIfPresent(value.dukcapil?.mapValues(Pair.init), forKey: Key("dukcapil"))
            try container.encodeIfPresent(value.desilVersi, forKey: Key("desilVersi"))
        }
    }

    struct Decree: Encodable {
        let value: SnapshotManifest.Decree
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(value.period, forKey: Key("period"))
            try container.encode(value.cutoff, forKey: Key("cutoff"))
            try container.encode(value.total, forKey: Key("total"))
            try container.encode(value.jenis, forKey: Key("jenis"))
            try container.encode(value.status, forKey: Key("status"))
            try container.encode(value.ditetapkan, forKey: Key("ditetapkan"))
            try container.encode(value.dicabut, forKey: Key("dicabut"))
            try container.encode(value.desa.map(Desa.init), forKey: Key("desa"))
            try container.encode(value.sk.map(SK.init), forKey: Key("sk"))
        }
    }

    struct Desa: Encodable {
        let value: SnapshotManifest.Decree.DesaEntry
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(value.wilayah, forKey: Key("wilayah"))
            try container.encode(value.total, forKey: Key("total"))
            try container.encode(value.jenis, forKey: Key("jenis"))
            try container.encode(value.status, forKey: Key("status"))
            try container.encode(value.ditetapkan, forKey: Key("ditetapkan"))
            try container.encode(value.dicabut, forKey: Key("dicabut"))
        }
    }

    struct SK: Encodable {
        let value: SnapshotManifest.Decree.SK
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(value.nomor, forKey: Key("nomor"))
            try container.encode(value.tanggal, forKey: Key("tanggal"))
        }
    }
}
