/// Nomor Induk Kependudukan: the 16-digit national identity number, `PP KK CC DDMMYY SSSS`.
///
/// `PPKKCC` is the kecamatan of first registration, `DDMMYY` the birth date with 40 added to
/// the day for women, and `SSSS` a serial. Parsing checks every part; the value is held as a
/// `UInt64`. A NIK prints masked (`3216********0001`) so it never reaches a log in full.
///
/// ```swift
/// let nik = try NIK("3216014507900001")
/// nik.sex          // .female (45 = 5 + 40)
/// nik.birthDay     // 5
/// nik.birthMonth   // 7
/// print(nik)       // 3216********0001
/// ```
public struct NIK: IdentityNumber, IdentityRules {
    public let rawValue: UInt64

    /// Parses and validates a NIK; surrounding whitespace is ignored.
    ///
    /// The kecamatan digits are not checked against the region table: kecamatan are split
    /// and renumbered, while a NIK keeps the code it was issued under.
    /// - Throws: ``LumbungError`` with a `.nik…` code naming the broken rule.
    @inlinable
    public init(_ text: some StringProtocol) throws {
        // Fast path: 16 ASCII digits straight from the UTF-8 storage, no allocation.
        if let value = text.utf8.withContiguousStorageIfAvailable(NIK.parseQuickly) ?? nil {
            self.rawValue = value
            return
        }
        self.rawValue = try NIK.parseSlowly(String(text))
    }

    /// Validates a NIK held as a number.
    public init(validating value: UInt64) throws {
        self.rawValue = try Self.checked(value)
    }

    /// A NIK taken as is, without validation; for the store's own data.
    public init(unchecked rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Jenis kelamin: women have 40 added to the birth day.
    public var sex: Sex { IdentityDigits.day(rawValue) > 40 ? .female : .male }

    /// Day of birth, 1...31 (the 40 added for women removed).
    public var birthDay: Int {
        let day = IdentityDigits.day(rawValue)
        return day > 40 ? day - 40 : day
    }

    /// Month of birth, 1...12.
    public var birthMonth: Int { IdentityDigits.month(rawValue) }

    /// The last two digits of the birth year; the century is not in the NIK.
    public var birthYearTwoDigits: Int { IdentityDigits.year(rawValue) }

    /// Masks any text for messages: first 4 and last 4 characters kept when there are at
    /// least 12, otherwise everything but the last 2 hidden.
    public static func mask(_ text: some StringProtocol) -> String {
        IdentityDigits.mask(text)
    }
}

extension NIK {
    /// The first rule a 16-digit value breaks, in the documented order.
    @usableFromInline
    static func problem(_ value: UInt64) -> IdentityProblem? {
        let table = WilayahTable.shared
        guard table.isKnownProvinsi(IdentityDigits.provinsi(value)) else { return .unknownProvinsi }
        guard table.isKnownKabupaten(IdentityDigits.kabupaten(value)) else { return .unknownKabupaten }
        var day = IdentityDigits.day(value)
        if day > 40 { day -= 40 }
        guard day >= 1 && day <= 31 else { return .invalidDay }
        let month = IdentityDigits.month(value)
        guard month >= 1 && month <= 12 else { return .invalidMonth }
        guard IdentityDigits.isCalendarDate(day: day, month: month, yearTwoDigits: IdentityDigits.year(value))
        else { return .invalidDate }
        guard IdentityDigits.serial(value) != 0 else { return .zeroSerial }
        return nil
    }

    @usableFromInline
    static func error(_ problem: IdentityProblem, value: some StringProtocol) -> LumbungError {
        let masked = mask(value)
        let digits = Array(value.utf8)
        func part(_ range: Range<Int>) -> String {
            String(decoding: digits[range.clamped(to: 0..<digits.count)], as: UTF8.self)
        }
        let (code, rule): (LumbungError.Code, String)
        switch problem {
        case .spreadsheetMangled:
            (code, rule) = (
                .nikSpreadsheetMangled,
                "a spreadsheet turned this NIK into a number in scientific notation and lost its "
                    + "last digits; format the column as text and enter or export the NIKs again"
            )
        case .notDigits:
            (code, rule) = (.nikNotDigits, "must contain only the digits 0-9")
        case .length(let count):
            (code, rule) = (
                .nikLength,
                count == 0 ? "is empty; a NIK has 16 digits" : "must have 16 digits, has \(count)"
            )
        case .unknownProvinsi:
            (code, rule) = (
                .nikUnknownProvinsi, "provinsi \(part(0..<2)) (digits 1-2) is not in the kode wilayah table"
            )
        case .unknownKabupaten:
            (code, rule) = (
                .nikUnknownKabupaten,
                "kabupaten/kota \(part(0..<2)).\(part(2..<4)) (digits 1-4) is not in the kode wilayah table"
            )
        // The date rules do not repeat the digits: they are the masked part of the NIK.
        case .invalidDay:
            (code, rule) = (
                .nikInvalidDay, "the birth day (digits 7-8) must be 01-31 for men or 41-71 for women"
            )
        case .invalidMonth:
            (code, rule) = (.nikInvalidMonth, "the birth month (digits 9-10) must be 01-12")
        case .invalidDate:
            (code, rule) = (
                .nikInvalidDate,
                "the birth date (digits 7-12) does not exist on the calendar, e.g. 31 February"
            )
        case .zeroSerial:
            (code, rule) = (.nikZeroSerial, "the serial (digits 13-16) must not be 0000")
        }
        return LumbungError(code, field: "nik", value: masked, rule: rule)
    }
}
