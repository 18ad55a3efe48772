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

    /// A Nomor KK from 16 ASCII digits (ASCII spaces around ignored) that pass every rule,
    /// without allocating; nil for anything else (then ``init(_:)`` on the text says what is wrong).
    ///
    /// ```swift
    /// let kk = cell.withUnsafeBufferPointer(NomorKK.init(digits:))
    /// ```
    @inlinable
    public init?(digits bytes: UnsafeBufferPointer<UInt8>) {
        guard let value = NomorKK.parseQuickly(bytes) else { return nil }
        self.rawValue = value
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
    @usableFromInline static var noun: String { "Nomor KK" }
    @usableFromInline static var reentered: String { "the numbers" }
    @usableFromInline static var field: String { "nomor_kk" }
    @usableFromInline static var dayMayCarryForty: Bool { false }

    @usableFromInline
    static func code(_ problem: IdentityProblem) -> LumbungError.Code {
        switch problem {
        case .spreadsheetMangled: .kkSpreadsheetMangled
        case .notDigits: .kkNotDigits
        case .length: .kkLength
        case .unknownProvinsi: .kkUnknownProvinsi
        case .unknownKabupaten: .kkUnknownKabupaten
        // One code for every date rule (there is no +40 on a KK); the rule says which part.
        case .invalidDay, .invalidMonth, .invalidDate: .kkInvalidDate
        case .zeroSerial: .kkZeroSerial
        }
    }

    @usableFromInline
    static func dateRule(_ problem: IdentityProblem) -> String {
        switch problem {
        case .invalidDay: "the issue day (digits 7-8) must be 01-31; a Nomor KK has no +40"
        case .invalidMonth: "the issue month (digits 9-10) must be 01-12"
        default: "the issue date (digits 7-12) does not exist on the calendar, e.g. 31 February"
        }
    }
}
