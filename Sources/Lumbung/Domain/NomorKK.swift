/// Nomor Kartu Keluarga: the 16-digit family-card number, `PP KK CC DDMMYY SSSS`.
///
/// `PPKKCC` is the kecamatan that issued the card, `DDMMYY` the issue date (no +40, unlike a
/// NIK) and `SSSS` a serial. Parsing checks every part; the value is held as a `UInt64`.
/// A Nomor KK prints masked (`3216********0002`).
///
/// ```swift
/// let kk = try NomorKK("3216011203150002")
/// kk.issueDay      // 12
/// kk.issueMonth    // 3
/// print(kk)        // 3216********0002
/// ```
public struct NomorKK: IdentityNumber, IdentityRules {
    public let rawValue: UInt64

    /// Parses and validates a Nomor KK; surrounding whitespace is ignored.
    ///
    /// As for ``NIK``, the kecamatan digits are not checked against the region table.
    /// - Throws: ``LumbungError`` with a `.kk…` code naming the broken rule.
    @inlinable
    public init(_ text: some StringProtocol) throws {
        // Fast path: 16 ASCII digits straight from the UTF-8 storage, no allocation.
        if let value = text.utf8.withContiguousStorageIfAvailable(NomorKK.parseQuickly) ?? nil {
            self.rawValue = value
            return
        }
        self.rawValue = try NomorKK.parseSlowly(String(text))
    }

    /// Validates a Nomor KK held as a number.
    public init(validating value: UInt64) throws {
        self.rawValue = try Self.checked(value)
    }

    /// A Nomor KK taken as is, without validation; for the store's own data.
    public init(unchecked rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Day the card was issued, 1...31.
    public var issueDay: Int { IdentityDigits.day(rawValue) }

    /// Month the card was issued, 1...12.
    public var issueMonth: Int { IdentityDigits.month(rawValue) }

    /// The last two digits of the issue year.
    public var issueYearTwoDigits: Int { IdentityDigits.year(rawValue) }
}

extension NomorKK {
    /// The first rule a 16-digit value breaks.
    @usableFromInline
    static func problem(_ value: UInt64) -> IdentityProblem? {
        let table = WilayahTable.shared
        guard table.isKnownProvinsi(IdentityDigits.provinsi(value)) else { return .unknownProvinsi }
        guard table.isKnownKabupaten(IdentityDigits.kabupaten(value)) else { return .unknownKabupaten }
        let day = IdentityDigits.day(value)
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
        let masked = NIK.mask(value)
        let digits = Array(value.utf8)
        func part(_ range: Range<Int>) -> String {
            String(decoding: digits[range.clamped(to: 0..<digits.count)], as: UTF8.self)
        }
        let (code, rule): (LumbungError.Code, String)
        switch problem {
        case .spreadsheetMangled:
            (code, rule) = (
                .kkSpreadsheetMangled,
                "a spreadsheet turned this Nomor KK into a number in scientific notation and lost "
                    + "its last digits; format the column as text and enter or export the numbers again"
            )
        case .notDigits:
            (code, rule) = (.kkNotDigits, "must contain only the digits 0-9")
        case .length(let count):
            (code, rule) = (
                .kkLength,
                count == 0 ? "is empty; a Nomor KK has 16 digits" : "must have 16 digits, has \(count)"
            )
        case .unknownProvinsi:
            (code, rule) = (
                .kkUnknownProvinsi, "provinsi \(part(0..<2)) (digits 1-2) is not in the kode wilayah table"
            )
        case .unknownKabupaten:
            (code, rule) = (
                .kkUnknownKabupaten,
                "kabupaten/kota \(part(0..<2)).\(part(2..<4)) (digits 1-4) is not in the kode wilayah table"
            )
        // One code for every date rule (there is no +40 on a KK); the rule says which part.
        case .invalidDay:
            (code, rule) = (.kkInvalidDate, "the issue day (digits 7-8) must be 01-31; a Nomor KK has no +40")
        case .invalidMonth:
            (code, rule) = (.kkInvalidDate, "the issue month (digits 9-10) must be 01-12")
        case .invalidDate:
            (code, rule) = (
                .kkInvalidDate,
                "the issue date (digits 7-12) does not exist on the calendar, e.g. 31 February"
            )
        case .zeroSerial:
            (code, rule) = (.kkZeroSerial, "the serial (digits 13-16) must not be 0000")
        }
        return LumbungError(code, field: "nomor_kk", value: masked, rule: rule)
    }
}
