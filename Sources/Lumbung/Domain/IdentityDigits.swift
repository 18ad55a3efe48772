/// The layout NIK and Nomor KK share: 16 digits, `PP KK CC DD MM YY SSSS`.
///
/// Reading is split in two: a fast path over UTF-8 bytes that never allocates, and a slow
/// path that runs only for bad input and works out what exactly is wrong with it.
enum IdentityDigits {
    static let count = 16
    /// 10^16: the first number with 17 digits.
    static let limit: UInt64 = 10_000_000_000_000_000

    // MARK: Fast path

    /// The 16 digits as a number, ignoring surrounding ASCII whitespace; `nil` for anything
    /// else (which the slow path then diagnoses).
    @inline(__always)
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var start = 0
        var end = bytes.count
        while start < end && isASCIISpace(bytes[start]) { start += 1 }
        while end > start && isASCIISpace(bytes[end - 1]) { end -= 1 }
        guard end - start == count else { return nil }
        var value: UInt64 = 0
        for index in start..<end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value &* 10 &+ UInt64(digit)
        }
        return value
    }

    @inline(__always)
    private static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    // MARK: Fields

    @inline(__always) static func provinsi(_ value: UInt64) -> Int { Int(value / 100_000_000_000_000) }
    @inline(__always) static func kabupaten(_ value: UInt64) -> Int { Int(value / 1_000_000_000_000) }
    @inline(__always) static func region(_ value: UInt64) -> Int { Int(value / 10_000_000_000) }
    @inline(__always) static func day(_ value: UInt64) -> Int { Int(value / 100_000_000 % 100) }
    @inline(__always) static func month(_ value: UInt64) -> Int { Int(value / 1_000_000 % 100) }
    @inline(__always) static func year(_ value: UInt64) -> Int { Int(value / 10_000 % 100) }
    @inline(__always) static func serial(_ value: UInt64) -> Int { Int(value % 10_000) }

    /// Whether day/month exist in a year known only by its last two digits. 29 February is
    /// accepted when 19YY or 20YY is a leap year, i.e. when YY is a multiple of 4 (2000 was).
    @inline(__always)
    static func isCalendarDate(day: Int, month: Int, yearTwoDigits year: Int) -> Bool {
        guard day >= 1, month >= 1, month <= 12 else { return false }
        switch month {
        case 2: return day <= (year % 4 == 0 ? 29 : 28)
        case 4, 6, 9, 11: return day <= 30
        default: return day <= 31
        }
    }

    // MARK: Slow path

    /// Why text is not 16 digits.
    enum ShapeProblem: Error {
        case spreadsheetMangled
        case notDigits
        case length(Int)
    }

    /// Reads text that failed (or could not take) the fast path: trims any Unicode whitespace
    /// (spreadsheets add non-breaking spaces) and says why it is not 16 digits.
    static func diagnose(_ text: Substring) -> Result<UInt64, ShapeProblem> {
        let bytes = Array(text.utf8)
        if isScientificNotation(bytes) { return .failure(.spreadsheetMangled) }
        var value: UInt64 = 0
        for byte in bytes {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return .failure(.notDigits) }
            value = value &* 10 &+ UInt64(digit)
        }
        guard bytes.count == count else { return .failure(.length(bytes.count)) }
        return .success(value)
    }

    /// `3.21601E+15`, `3,21601E+15`, `3.21601e15`, `3E+15`: a number a spreadsheet has
    /// shown in scientific notation, keeping only the first few digits.
    static func isScientificNotation(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func digits() -> Int {
            let start = index
            while index < bytes.count && bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            return index - start
        }
        guard digits() > 0 else { return false }
        if index < bytes.count && (bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",")) {
            index += 1
            guard digits() > 0 else { return false }
        }
        guard index < bytes.count && (bytes[index] | 0x20) == UInt8(ascii: "e") else { return false }
        index += 1
        if index < bytes.count && bytes[index] == UInt8(ascii: "+") { index += 1 }
        return digits() > 0 && index == bytes.count
    }

    // MARK: Rendering

    /// The 16 digits, with leading zeros.
    static func text(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: count) { write(value, into: $0) }
    }

    /// Writes the 16 digits, with leading zeros, into `buffer` (at least 16 bytes); returns 16.
    @inline(__always)
    static func write(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var rest = value
        for index in stride(from: count - 1, through: 0, by: -1) {
            buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        return count
    }

    /// The first 4 and last 4 digits with 8 stars between: `3216********0001`.
    static func masked(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: count) { buffer in
            var rest = value
            for index in stride(from: count - 1, through: 0, by: -1) {
                let digit = UInt8(ascii: "0") + UInt8(rest % 10)
                buffer[index] = (4..<12).contains(index) ? UInt8(ascii: "*") : digit
                rest /= 10
            }
            return count
        }
    }

    /// Masks any text for messages: first 4 and last 4 characters kept when there are at least
    /// 12, otherwise all but the last 2 hidden, so no full identity number reaches a log.
    static func mask(_ text: some StringProtocol) -> String {
        let characters = Array(text)
        if characters.count >= 12 {
            return String(characters.prefix(4)) + String(repeating: "*", count: characters.count - 8)
                + String(characters.suffix(4))
        }
        return String(repeating: "*", count: max(0, characters.count - 2)) + String(characters.suffix(2))
    }

    /// How many decimal digits `value` has.
    static func digitCount(_ value: UInt64) -> Int {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        return digits
    }
}
