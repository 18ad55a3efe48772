import Foundation
import Testing

@testable import Lumbung

/// ``Timestamp``, the one time format: exact to the millisecond, the forms DCI messages, flat
/// cells and household JSON use read back, and the text Foundation's ISO 8601 parser agrees with.
@Suite struct TimestampTests {
    @Test func millisecondsAreExact() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let milliseconds = Int64.random(in: 946_684_800_000...4_102_444_800_000, using: &random)  // 2000 to 2100
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let text = Timestamp(date).description
            #expect(text.count == 24 && text.hasSuffix("Z"), "\(text)")
            #expect(Int64(text.dropLast().suffix(3)) == milliseconds % 1000, "\(milliseconds): \(text)")
            let back = Timestamp(parsing: text).map { Int64(($0.date.timeIntervalSince1970 * 1000).rounded()) }
            #expect(back == milliseconds, "\(text)")
            if back != milliseconds { break }
        }
    }

    @Test func secondsAndParsing() {
        let date = Date(timeIntervalSince1970: 1_795_454_407.9)
        #expect(Timestamp(date).text(.seconds) == "2026-11-23T17:20:07Z")
        #expect(Timestamp(parsing: "2026-11-23T17:20:07-04:00")?.date.timeIntervalSince1970 == 1_795_468_807)
        #expect(Timestamp(parsing: "2026-11-23T17:20:07Z")?.date.timeIntervalSince1970 == 1_795_454_407)
        #expect(Timestamp(parsing: "2026-11-23T17:20:07.5+07:00")?.date.timeIntervalSince1970 == 1_795_429_207.5)
        for bad in ["", "garbage", "2026-11-23", "2026-11-23T17:20:07", "2026-11-23 17:20:07Z", "2026-13-40T99:00:00Z",
                    "2026-02-29T00:00:00Z", "2026-11-23T17:20:07.Z", "2026-11-23T17:20:07+7:00", "2026-11-23T24:00:00Z",
                    "2026-11-23T17:20:07Zx", " 2026-11-23T17:20:07Z"] {
            #expect(Timestamp(parsing: bad) == nil, "\(bad)")
        }
    }

    /// Random instants from year 1 to 9999: written text parses back to the same instant, the
    /// seconds form to the instant cut to its second, and Foundation reads the same instant.
    @Test func formatThenParseIsIdentity() throws {
        var random = SystemRandomNumberGenerator()
        let foundation = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for round in 0..<20_000 {
            let milliseconds = Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &random)
            let time = Timestamp(milliseconds: milliseconds)
            let text = time.description
            #expect(Timestamp(parsing: text) == time, "\(text)")
            let seconds = milliseconds - ((milliseconds % 1000) + 1000) % 1000
            #expect(Timestamp(parsing: time.text(.seconds)) == Timestamp(milliseconds: seconds), "\(text)")
            #expect(Timestamp(Date(timeIntervalSince1970: Double(milliseconds) / 1000)) == time)
            if round % 10 == 0, milliseconds >= 0 {  // Foundation's calendar is proleptic Gregorian from 1582 only
                let parsed = try foundation.parse(text)
                #expect(abs(parsed.timeIntervalSince1970 * 1000 - Double(milliseconds)) < 0.5, "\(text)")
            }
            if Timestamp(parsing: text) != time { break }
        }
    }

    /// The other accepted forms: an offset (the local clock time of the same instant), lower-case
    /// `t`/`z`, a short or long fraction, a leap second.
    @Test func acceptedVariantsParseToTheSameInstant() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let milliseconds = Int64.random(in: 0...4_102_444_800_000, using: &random)
            let time = Timestamp(milliseconds: milliseconds)
            let offset = Int64.random(in: -(23 * 60 + 59)...(23 * 60 + 59), using: &random)
            let local = String(Timestamp(milliseconds: milliseconds + offset * 60_000).description.dropLast())
            let sign = offset < 0 ? "-" : "+"
            let zone = sign + String(format: "%02d:%02d", abs(offset) / 60, abs(offset) % 60)
            #expect(Timestamp(parsing: local + zone) == time, "\(local + zone)")
            #expect(Timestamp(parsing: time.description.lowercased()) == time)
            #expect(Timestamp(parsing: String(time.description.dropLast()) + "999Z") == time)
            let tenths = String(time.description.dropLast(3)) + "Z"
            #expect(Timestamp(parsing: tenths) == Timestamp(milliseconds: milliseconds - milliseconds % 100), "\(tenths)")
        }
        #expect(Timestamp(parsing: "2016-12-31T23:59:60Z") == Timestamp(parsing: "2017-01-01T00:00:00Z"))
        #expect(Timestamp(milliseconds: -1).description == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(parsing: "0001-01-01T00:00:00.000Z")?.milliseconds == -62_135_596_800_000)
    }
}
