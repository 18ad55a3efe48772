import Foundation
@testable import LumbungHTTP
import Testing

/// The timestamps of answers and DCI messages: exact to the millisecond, and the forms DCI
/// messages use read back.
@Suite struct ISOTimestampTests {
    @Test func millisecondsAreExact() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let milliseconds = Int64.random(in: 946_684_800_000...4_102_444_800_000, using: &random)  // 2000 to 2100
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let text = ISOTimestamp.milliseconds(date)
            #expect(text.count == 24 && text.hasSuffix("Z"), "\(text)")
            #expect(Int64(text.dropLast().suffix(3)) == milliseconds % 1000, "\(milliseconds): \(text)")
            let back = ISOTimestamp.date(text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
            #expect(back == milliseconds, "\(text)")
            if back != milliseconds { break }
        }
    }

    @Test func secondsAndParsing() {
        let date = Date(timeIntervalSince1970: 1_795_454_407.9)
        #expect(ISOTimestamp.seconds(date) == "2026-11-23T17:20:07Z")
        #expect(ISOTimestamp.date("2026-11-23T17:20:07-04:00")?.timeIntervalSince1970 == 1_795_468_807)
        #expect(ISOTimestamp.date("2026-11-23T17:20:07Z")?.timeIntervalSince1970 == 1_795_454_407)
        #expect(ISOTimestamp.date("2026-11-23T17:20:07.5+07:00")?.timeIntervalSince1970 == 1_795_429_207.5)
        for bad in ["", "garbage", "2026-11-23", "2026-11-23T17:20:07", "2026-11-23 17:20:07Z", "2026-13-40T99:00:00Z"] {
            #expect(ISOTimestamp.date(bad) == nil, "\(bad)")
        }
    }
}
