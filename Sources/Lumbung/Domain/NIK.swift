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

    /// A NIK from 16 ASCII digits (ASCII spaces around ignored) that pass every rule, without allocating; nil for
    /// anything else (then ``init(_:)`` on the text says what is wrong, or trims and accepts it).
    ///
    /// ```swift
    /// let nik = line.withUnsafeBufferPointer(NIK.init(digits:))
    /// ```
    @inlinable
    public init?(digits bytes: UnsafeBufferPointer<UInt8>) {
        guard let value = NIK.parseQuickly(bytes) else { return nil }
        self.rawValue = value
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
    @usableFromInline static var noun: String { "NIK" }
    @usableFromInline static var reentered: String { "the NIKs" }
    @usableFromInline static var field: String { "nik" }
    @usableFromInline static var dayMayCarryForty: Bool { true }

    @usableFromInline
    static func code(_ problem: IdentityProblem) -> LumbungError.Code {
        switch problem {
        case .spreadsheetMangled: .nikSpreadsheetMangled
        case .notDigits: .nikNotDigits
        case .length: .nikLength
        case .unknownProvinsi: .nikUnknownProvinsi
        case .unknownKabupaten: .nikUnknownKabupaten
        case .invalidDay: .nikInvalidDay
        case .invalidMonth: .nikInvalidMonth
        case .invalidDate: .nikInvalidDate
        case .zeroSerial: .nikZeroSerial
        }
    }

    @usableFromInline
    static func dateRule(_ problem: IdentityProblem) -> String {
        switch problem {
        case .invalidDay: "the birth day (digits 7-8) must be 01-31 for men or 41-71 for women"
        case .invalidMonth: "the birth month (digits 9-10) must be 01-12"
        default: "the birth date (digits 7-12) does not exist on the calendar, e.g. 31 February"
        }
    }
}
