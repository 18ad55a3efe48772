/// Which bytes of a JSON string need escaping, and how: shared by the household writer and the
/// HTTP adapter's answer writer, so both write strings the same way.
///
/// ```swift
/// if JSONEscape.needed(byte) { JSONEscape.write(byte) { out.append($0) } } else { out.append(byte) }
/// ```
public enum JSONEscape {
    /// The longest escape: `\u001f`.
    public static let maxLength = 6

    /// Whether `byte` (of UTF-8 text) must be escaped: `"`, `\` and control characters.
    @inline(__always)
    public static func needed(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// Emits the escape of `byte`: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, else `\u00XX`.
    public static func write(_ byte: UInt8, _ emit: (UInt8) -> Void) {
        emit(UInt8(ascii: "\\"))
        switch byte {
        case 0x22: emit(UInt8(ascii: "\""))
        case 0x5C: emit(UInt8(ascii: "\\"))
        case 0x08: emit(UInt8(ascii: "b"))
        case 0x0C: emit(UInt8(ascii: "f"))
        case 0x0A: emit(UInt8(ascii: "n"))
        case 0x0D: emit(UInt8(ascii: "r"))
        case 0x09: emit(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            for digit in [UInt8(ascii: "u"), 0x30, 0x30, hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xF)]] { emit(digit) }
        }
    }
}
