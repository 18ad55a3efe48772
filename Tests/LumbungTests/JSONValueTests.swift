import Foundation
import Testing

@testable import Lumbung

/// ``JSONValue``, written by the household writer: random strings (quotes, backslashes,
/// control characters, any Unicode) and random trees read back unchanged through Foundation's
/// `JSONSerialization` and, with their key order, through the store's own parser.
@Suite struct JSONValueTests {
    @Test func randomStringsRoundTrip() throws {
        var random = SystemRandomNumberGenerator()
        let pieces = ["\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "a", "Jl. Melati", "é", "🌾", "/", " "]
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 0...12, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let body = JSONValue.object([("k", .string(text)), ("list", .array([.string(text), .int(-3), .null]))])
            let decoded = try #require(try JSONSerialization.jsonObject(with: Data(body.bytes)) as? [String: Any])
            #expect(decoded["k"] as? String == text, "\(Array(text.unicodeScalars))")
            #expect((decoded["list"] as? [Any])?.first as? String == text)
        }
        #expect(String(decoding: JSONValue.string("a\"b\\c\u{1}").bytes, as: UTF8.self) == #""a\"b\\c\u0001""#)
    }

    /// A string written in parts (``JSONWriter/beginString()``, text, UTF-8 bytes, numbers) reads
    /// back through Foundation as the parts joined, with every escape class and any Unicode;
    /// and its bytes are those of the joined string written whole.
    @Test func stringsWrittenInPartsMatchTheJoinedString() throws {
        var random = SystemRandomNumberGenerator()
        let pieces = ["\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "a", "Jl. Melati", "é", "🌾", "/", " ", ", "]
        for _ in 0..<2000 {
            var writer = JSONWriter(pretty: false, capacity: 8)
            var joined = ""
            writer.beginArray()
            writer.element()
            writer.beginString()
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                switch Int.random(in: 0...2, using: &random) {
                case 0:
                    let text = (0..<Int.random(in: 0...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
                    writer.stringPart(text)
                    joined += text
                case 1:
                    var text = pieces.randomElement(using: &random)!
                    text.withUTF8 { writer.stringPart(utf8: $0) }
                    joined += text
                default:
                    let number = Int.random(in: -99_999...99_999, using: &random)
                    writer.stringPart(number)
                    joined += String(number)
                }
            }
            writer.endString()
            writer.endArray()
            let decoded = try #require(try JSONSerialization.jsonObject(with: Data(writer.bytes)) as? [String])
            #expect(decoded == [joined], "\(Array(joined.unicodeScalars))")
            #expect(writer.bytes == JSONValue.array([.string(joined)]).bytes)
        }
    }

    @Test func exactBytes() {
        let value = JSONValue.object([
            ("n", .int(Int.min)), ("d", .double(3)), ("e", .double(1e16)), ("inf", .double(.infinity)), ("t", .bool(true)),
            ("f", .bool(false)), ("z", .null), ("a", .array([])), ("o", .object([])), ("raw", .raw(Array("[1]".utf8))),
            ("time", .time(Timestamp(milliseconds: 1_795_428_917_123))), ("s", .time(Timestamp(milliseconds: 1_795_428_917_123), .seconds)),
            ("none", .optional(nil)), ("some", .optional("x")),
        ])
        #expect(value.text == #"{"n":-9223372036854775808,"d":3.0,"e":1e+16,"inf":null,"t":true,"f":false,"z":null,"a":[],"o":{},"raw":[1],"#
            + #""time":"2026-11-23T10:15:17.123Z","s":"2026-11-23T10:15:17Z","none":null,"some":"x"}"#)
        var out = Array("x".utf8)
        value.write(into: &out)
        #expect(out == Array("x".utf8) + value.bytes)
    }

    /// Random trees: the written bytes parse (Foundation) to the same tree, and the store's
    /// parser sees the keys in the order they were given.
    @Test func randomTreesMatchFoundation() throws {
        var random = SystemRandomNumberGenerator()
        for round in 0..<1500 {
            let value = Self.tree(depth: 0, &random)
            let bytes = value.bytes
            let decoded = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            #expect(Self.same(value, decoded), "\(round): \(value.text)")
            let parsed = try bytes.withUnsafeBufferPointer { buffer in
                var parser = JSONParser(bytes: buffer)
                return try parser.parseDocument()
            }
            #expect(Self.keys(value) == Self.keys(parsed), "\(value.text)")
        }
    }

    static func tree(depth: Int, _ random: inout SystemRandomNumberGenerator) -> JSONValue {
        let pieces = ["\"", "\\", "\n", "\u{1}", "a", "é", "🌾", "/", " ", "kode_wilayah"]
        func text() -> String { (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() }
        switch Int.random(in: depth >= 4 ? 2...9 : 0...9, using: &random) {
        case 0:
            var keys: [String] = []
            for _ in 0..<Int.random(in: 0...5, using: &random) {
                let key = text()
                if !keys.contains(key) { keys.append(key) }
            }
            return .object(keys.map { ($0, tree(depth: depth + 1, &random)) })
        case 1: return .array((0..<Int.random(in: 0...5, using: &random)).map { _ in tree(depth: depth + 1, &random) })
        case 2, 3: return .string(text())
        case 4: return .int(Int.random(in: Int.min...Int.max, using: &random) >> Int.random(in: 0...63, using: &random))
        case 5: return .double(Double.random(in: -1e6...1e6, using: &random) * [1, 1e-300, 1e300, 1e-5].randomElement(using: &random)!)
        case 6: return .bool(Bool.random(using: &random))
        case 7: return .null
        case 8: return .time(Timestamp(milliseconds: Int64.random(in: 0...4_102_444_800_000, using: &random)))
        default: return .raw(Array("[1,\"x\",null]".utf8))
        }
    }

    static func same(_ value: JSONValue, _ any: Any) -> Bool {
        switch value {
        case .object(let entries):
            guard let dictionary = any as? [String: Any], dictionary.count == entries.count else { return false }
            return entries.allSatisfy { key, value in dictionary[key].map { same(value, $0) } ?? false }
        case .array(let values):
            guard let array = any as? [Any], array.count == values.count else { return false }
            return zip(values, array).allSatisfy { same($0, $1) }
        case .string(let text): return any as? String == text
        case .int(let number): return (any as? NSNumber)?.int64Value == Int64(number)
        case .double(let number):
            // Foundation on Linux reads decimals as NSDecimalNumber, a few ulps off; the text itself is exact.
            guard Double(JSONValue.double(number).text) == number, let read = (any as? NSNumber)?.doubleValue else { return false }
            return abs(read - number) <= 8 * number.ulp
        case .bool(let flag): return (any as? NSNumber)?.int64Value == (flag ? 1 : 0)
        case .null: return any is NSNull
        case .time(let time, let precision): return any as? String == time.text(precision)
        case .raw(let bytes): return same(.array([.int(1), .string("x"), .null]), any) && bytes == Array("[1,\"x\",null]".utf8)
        }
    }

    /// Every object's keys in order, depth first.
    static func keys(_ value: JSONValue) -> [[String]] {
        switch value {
        case .object(let entries): [entries.map(\.0)] + entries.flatMap { keys($0.1) }
        case .array(let values): values.flatMap { keys($0) }
        default: []
        }
    }

    static func keys(_ tree: JSONTree) -> [[String]] {
        switch tree {
        case .object(let entries): [entries.map(\.key)] + entries.flatMap { keys($0.value) }
        case .array(let values): values.flatMap { keys($0) }
        default: []
        }
    }
}
