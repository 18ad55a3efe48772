import Lumbung

/// How a mapped column writes a date or a yes/no, read into Lumbung's own form before the
/// field is decoded: dates become `YYYY-MM-DD`, booleans the attribute codes `1` and `0`.
///
/// ```swift
/// CellFormat.date(.dayMonthYear(separator: "-")).read("23-01-1990")  // .success("1990-01-23")
/// CellFormat.date(.excelSerial).read("32896")                         // .success("1990-01-23")
/// CellFormat.boolean.read("Tidak")                                    // .success("0")
/// ```
public enum CellFormat: Hashable, Sendable, CustomStringConvertible {
    case date(DateLayout)
    /// `Ya`/`Tidak`, `Y`/`T`, `1`/`0`, `TRUE`/`FALSE`, any case.
    case boolean

    /// The ways a date is written.
    public enum DateLayout: Hashable, Sendable {
        /// `YYYY-MM-DD`, Lumbung's own.
        case iso
        /// `DD-MM-YYYY` or `DD/MM/YYYY`: the separator is the one given.
        case dayMonthYear(separator: UInt8)
        /// `YYYYMMDD`.
        case compact
        /// Excel's serial day number (1900 date system: 1 is 1900-01-01).
        case excelSerial
    }

    /// Every format's name in a mapping file, in the order the rule lists them.
    public static let names = ["YYYY-MM-DD", "DD-MM-YYYY", "DD/MM/YYYY", "YYYYMMDD", "excel", "boolean"]

    /// A format from its name in a mapping file (`DD-MM-YYYY`, `excel`, `boolean`, …).
    public init?(name: String) {
        switch name {
        case "YYYY-MM-DD": self = .date(.iso)
        case "DD-MM-YYYY": self = .date(.dayMonthYear(separator: UInt8(ascii: "-")))
        case "DD/MM/YYYY": self = .date(.dayMonthYear(separator: UInt8(ascii: "/")))
        case "YYYYMMDD": self = .date(.compact)
        case "excel": self = .date(.excelSerial)
        case "boolean": self = .boolean
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .boolean: "boolean"
        case .date(.iso): "YYYY-MM-DD"
        case .date(.dayMonthYear(let separator)): separator == UInt8(ascii: "/") ? "DD/MM/YYYY" : "DD-MM-YYYY"
        case .date(.compact): "YYYYMMDD"
        case .date(.excelSerial): "excel"
        }
    }

    /// What a cell in this format must hold.
    public var rule: String {
        switch self {
        case .boolean: YesNo.rule
        case .date(.excelSerial): "a date is an Excel serial day number (1 is 1900-01-01)"
        case .date: "a date is written \(description)"
        }
    }

    /// The cell (spaces around it already trimmed) in Lumbung's form, or why it is not one.
    public func read(_ text: String) -> Result<String, LumbungError> {
        switch self {
        case .boolean:
            guard let value = Self.boolean(text) else { return .failure(problem(text)) }
            return .success(value ? "1" : "0")
        case .date(let layout):
            guard let (year, month, day) = Self.parts(text, layout) else { return .failure(problem(text)) }
            do {
                return .success(try CalendarDate(year: year, month: month, day: day).description)
            } catch let error as LumbungError {
                return .failure(LumbungError(error.code, value: text, rule: error.rule))
            } catch {
                return .failure(problem(text))
            }
        }
    }

    private func problem(_ text: String) -> LumbungError {
        LumbungError(.rowValueFormat, value: text, rule: rule)
    }

    /// Yes or no, ASCII case ignored; nil for anything else. Allocates nothing.
    static func boolean(_ text: String) -> Bool? {
        guard let word = packedLowercase(text) else { return nil }
        if yesWords.contains(word) { return true }
        if noWords.contains(word) { return false }
        return nil
    }

    private static let yesWords = YesNo.yesWords.map { packedLowercase($0)! }
    private static let noWords = YesNo.noWords.map { packedLowercase($0)! }

    /// Up to 7 ASCII bytes, lower-cased, in one integer (the length in the top byte).
    private static func packedLowercase(_ text: String) -> UInt64? {
        var value: UInt64 = 0
        var count: UInt64 = 0
        for byte in text.utf8 {
            guard count < 7 else { return nil }
            value = value << 8 | UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            count += 1
        }
        return value | count << 56
    }

    /// Year, month and day as the layout writes them; nil when the text is not in the layout.
    /// Reads the text's bytes in place (a date column's every cell comes here).
    static func parts(_ text: String, _ layout: DateLayout) -> (Int, Int, Int)? {
        var text = text
        return text.withUTF8 { bytes in parts(bytes, layout) }
    }

    private static func parts(_ bytes: UnsafeBufferPointer<UInt8>, _ layout: DateLayout) -> (Int, Int, Int)? {
        /// The digits in `range` as a number; nil for an empty range, a non-digit or too many.
        func number(_ range: Range<Int>) -> Int? {
            guard !range.isEmpty, range.count <= 9 else { return nil }
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        switch layout {
        case .iso, .dayMonthYear:
            let separator: UInt8 = if case .dayMonthYear(let given) = layout { given } else { UInt8(ascii: "-") }
            guard let first = bytes.firstIndex(of: separator), let second = bytes[(first + 1)...].firstIndex(of: separator)
            else { return nil }
            let (head, monthPiece, tail) = (0..<first, (first + 1)..<second, (second + 1)..<bytes.count)
            let (yearPiece, dayPiece) = layout == .iso ? (head, tail) : (tail, head)
            guard yearPiece.count == 4, (1...2).contains(monthPiece.count), (1...2).contains(dayPiece.count),
                let year = number(yearPiece), let month = number(monthPiece), let day = number(dayPiece)
            else { return nil }
            return (year, month, day)
        case .compact:
            guard bytes.count == 8, let year = number(0..<4), let month = number(4..<6), let day = number(6..<8)
            else { return nil }
            return (year, month, day)
        case .excelSerial:
            // A serial may carry the time of day as a fraction: `32896.5`.
            let point = bytes.firstIndex(of: UInt8(ascii: ".")) ?? bytes.count
            guard let serial = number(0..<point), bytes[min(point + 1, bytes.count)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                serial >= 1, serial != 60
            else { return nil }
            // Excel counts 1900-02-29, which never was (serial 60): serials after it are one day ahead.
            let date = CalendarDate(daysSinceEpoch: serial - (serial > 60 ? 25_569 : 25_568))
            return (date.year, date.month, date.day)
        }
    }
}
