import Foundation
import LumbungHTTP
import Testing

/// JSONBody, the writer of every answer but the households' own JSON: random strings (quotes,
/// backslashes, control characters, any Unicode) read back unchanged through Foundation.
@Suite struct JSONBodyTests {
    @Test func randomStringsRoundTrip() throws {
        var random = SystemRandomNumberGenerator()
        let pieces = ["\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "a", "Jl. Melati", "é", "🌾", "/", " "]
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 0...12, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            let body = JSONBody.object([("k", .string(text)), ("list", .array([.string(text), .int(-3), .null]))])
            let decoded = try #require(try JSONSerialization.jsonObject(with: Data(body.bytes)) as? [String: Any])
            #expect(decoded["k"] as? String == text, "\(Array(text.unicodeScalars))")
            #expect((decoded["list"] as? [Any])?.first as? String == text)
        }
        #expect(String(decoding: JSONBody.string("a\"b\\c\u{1}").bytes, as: UTF8.self) == #""a\"b\\c\u0001""#)
    }
}
