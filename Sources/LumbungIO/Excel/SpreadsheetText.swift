import Foundation

/// How cell values become text and back: numbers as Excel shows them (15 significant digits),
/// identifier numbers that lost digits, and OOXML's `_xHHHH_` escape for control characters.
enum SpreadsheetText {
    /// 2^53: below it every integer is an exact double, so a 16-digit number there can be exact.
    static let exactIntegerLimit: UInt64 = 1 << 53

    /// A numeric cell's text for an ordinary column: an integer of up to 15 digits as stored,
    /// anything else at Excel's precision of 15 significant digits (`0.10000000000000001` → `0.1`,
    /// `3216012345678901` → `3.2160123456789E+15`).
    static func number(_ raw: String) -> String {
        if isPlainInteger(raw, maximumDigits: 15) { return raw }
        guard let value = Double(raw) else { return raw }
        return general(value)
    }

    /// A numeric cell's text in an identifier column (NIK, KK). Excel keeps 15 significant digits,
    /// so a 16-digit number typed into a General cell lost its last digit (Excel writes a 0 in its
    /// place). Decided: a plain 16-digit integer below 2^53 whose last digit is not 0 cannot have
    /// come from that loss (another program wrote it exactly), so its digits are kept; every other
    /// number of 16 or more digits (ending in 0, past 2^53, with a decimal point or an exponent) is
    /// given in scientific notation, which the NIK/KK rule `spreadsheetMangled` reports with the line,
    /// column and value. Up to 15 digits are kept as they are (the length rule reports them).
    static func identifier(_ raw: String) -> String {
        if isPlainInteger(raw, maximumDigits: 15) { return raw }
        let utf8 = raw.utf8
        if utf8.count == 16, isPlainInteger(raw, maximumDigits: 16), utf8.last != UInt8(ascii: "0"),
           let value = UInt64(raw), value < exactIntegerLimit {
            return raw
        }
        guard let value = Double(raw) else { return raw }
        let text = String(format: "%.14E", value)  // 1 + 14 digits: what a spreadsheet kept
        return trimMantissa(text)
    }

    /// Excel's General format, short of its column-width rounding: 15 significant digits,
    /// scientific from 1E+15 and below 1E-9... as `%.15G` chooses.
    static func general(_ value: Double) -> String {
        trimMantissa(String(format: "%.15G", value))
    }

    /// `3.21601234567890E+15` → `3.2160123456789E+15`; `0.100000` → `0.1`; `E+05` stays.
    private static func trimMantissa(_ text: String) -> String {
        var mantissa = Substring(text), exponent = Substring("")
        if let e = text.firstIndex(of: "E") {
            mantissa = text[..<e]
            exponent = text[e...]
        }
        if mantissa.contains(".") {
            while mantissa.last == "0" { mantissa = mantissa.dropLast() }
            if mantissa.last == "." { mantissa = mantissa.dropLast() }
        }
        return String(mantissa + exponent)
    }

    private static func isPlainInteger(_ raw: String, maximumDigits: Int) -> Bool {
        var digits = 0, first = true
        for byte in raw.utf8 {
            if first && byte == UInt8(ascii: "-") { first = false; continue }
            first = false
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return false }
            digits += 1
        }
        return digits > 0 && digits <= maximumDigits
    }

    // MARK: Control characters

    /// Whether XML 1.0 cannot hold `scalar` (C0 controls but tab, LF and CR).
    @inline(__always) static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D
    }

    /// Undoes OOXML's `_xHHHH_` escape (how Excel stores characters XML cannot hold, and a literal
    /// `_x` sequence as `_x005F_`).
    static func unescape(_ bytes: [UInt8]) -> String {
        guard bytes.contains(UInt8(ascii: "_")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "_"), i + 6 < bytes.count, bytes[i + 1] == UInt8(ascii: "x"), bytes[i + 6] == UInt8(ascii: "_"),
               let value = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16),
               let scalar = Unicode.Scalar(value) {
                out.append(contentsOf: String(Character(scalar)).utf8)
                i += 7
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `bytes[i...]` starts with `_xHHHH_` (which a writer must protect as `_x005F_xHHHH_`).
    @inline(__always) static func startsEscape(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + 6 < bytes.count, bytes[i] == UInt8(ascii: "_"), bytes[i + 1] == UInt8(ascii: "x"), bytes[i + 6] == UInt8(ascii: "_") else { return false }
        for k in 2..<6 {
            let c = bytes[i + k] | 0x20
            guard (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) else { return false }
        }
        return true
    }
}
