/// A rule a 16-digit identity number breaks, found without allocating.
@usableFromInline
enum IdentityProblem: Equatable {
    case spreadsheetMangled, notDigits, length(Int)
    case unknownProvinsi, unknownKabupaten, invalidDay, invalidMonth, invalidDate, zeroSerial
}

/// The parsing NIK and NomorKK share. The rules and their wording live here once; each type
/// declares only what differs: its name, its codes, whether a day may carry +40, and how its
/// date digits are worded.
@usableFromInline
protocol IdentityRules {
    /// The number's name in messages: `NIK`, `Nomor KK`.
    static var noun: String { get }
    /// What a spreadsheet-mangled column is asked to enter again: `the NIKs`, `the numbers`.
    static var reentered: String { get }
    /// The field errors name: `nik`, `nomor_kk`.
    static var field: String { get }
    /// Whether a day may carry +40 (a woman's NIK).
    static var dayMayCarryForty: Bool { get }
    /// The code for each problem.
    static func code(_ problem: IdentityProblem) -> LumbungError.Code
    /// The rule for a date problem (`.invalidDay`, `.invalidMonth`, `.invalidDate`): what the
    /// date digits mean differs between the numbers.
    static func dateRule(_ problem: IdentityProblem) -> String
}

extension IdentityRules {
    /// The first rule a 16-digit value breaks, in the documented order.
    @usableFromInline
    static func problem(_ value: UInt64) -> IdentityProblem? {
        let table = WilayahTable.shared
        guard table.isKnownProvinsi(IdentityDigits.provinsi(value)) else { return .unknownProvinsi }
        guard table.isKnownKabupaten(IdentityDigits.kabupaten(value)) else { return .unknownKabupaten }
        var day = IdentityDigits.day(value)
        if dayMayCarryForty && day > 40 { day -= 40 }
        guard day >= 1 && day <= 31 else { return .invalidDay }
        let month = IdentityDigits.month(value)
        guard month >= 1 && month <= 12 else { return .invalidMonth }
        guard IdentityDigits.isCalendarDate(day: day, month: month, yearTwoDigits: IdentityDigits.year(value))
        else { return .invalidDate }
        guard IdentityDigits.serial(value) != 0 else { return .zeroSerial }
        return nil
    }

    /// The error for a broken rule, naming the (masked) value.
    @usableFromInline
    static func error(_ problem: IdentityProblem, value: some StringProtocol) -> LumbungError {
        let digits = Array(value.utf8)
        func part(_ range: Range<Int>) -> String {
            String(decoding: digits[range.clamped(to: 0..<digits.count)], as: UTF8.self)
        }
        let rule: String
        switch problem {
        case .spreadsheetMangled:
            rule = "a spreadsheet turned this \(noun) into a number in scientific notation and lost its "
                + "last digits; format the column as text and enter or export \(reentered) again"
        case .notDigits: rule = "must contain only the digits 0-9"
        case .length(let count):
            rule = count == 0 ? "is empty; a \(noun) has 16 digits" : "must have 16 digits, has \(count)"
        case .unknownProvinsi: rule = "provinsi \(part(0..<2)) (digits 1-2) is not in the kode wilayah table"
        case .unknownKabupaten:
            rule = "kabupaten/kota \(part(0..<2)).\(part(2..<4)) (digits 1-4) is not in the kode wilayah table"
        // The date rules do not repeat the digits: they are the masked part of the number.
        case .invalidDay, .invalidMonth, .invalidDate: rule = dateRule(problem)
        case .zeroSerial: rule = "the serial (digits 13-16) must not be 0000"
        }
        return LumbungError(code(problem), field: field, value: IdentityDigits.mask(value), rule: rule)
    }

    /// A valid value, or `nil` when the slow path must work out what is wrong.
    @usableFromInline
    static func parseQuickly(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard let value = IdentityDigits.read(bytes), problem(value) == nil else { return nil }
        return value
    }

    /// The error path: trims Unicode whitespace, works out what is wrong and throws it.
    @usableFromInline
    static func parseSlowly(_ text: String) throws -> UInt64 {
        let trimmed = text.trimmingWhitespace
        switch IdentityDigits.diagnose(trimmed) {
        case .failure(.spreadsheetMangled): throw error(.spreadsheetMangled, value: trimmed)
        case .failure(.notDigits): throw error(.notDigits, value: trimmed)
        case .failure(.length(let count)): throw error(.length(count), value: trimmed)
        case .success(let value):
            if let problem = problem(value) { throw error(problem, value: trimmed) }
            return value
        }
    }

    /// A value held as a number, checked.
    static func checked(_ value: UInt64) throws -> UInt64 {
        guard value < IdentityDigits.limit else {
            throw error(.length(IdentityDigits.digitCount(value)), value: String(value))
        }
        if let problem = problem(value) { throw error(problem, value: IdentityDigits.text(value)) }
        return value
    }
}
