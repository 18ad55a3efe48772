/// A member's NIK as the register holds it: valid, invalid (kept exactly as written), missing,
/// or missing with its reason (a BPS placeholder, ``NIKPlaceholder``).
///
/// The real register is dirty, so a member may carry no NIK or an invalid one. Such a member is
/// kept, flagged with the rule its NIK breaks, left out of the unique NIK index, and findable by
/// ``NIKStatus`` so operators can correct it. Writes refuse flagged NIKs unless the caller
/// chooses ``NIKPolicy/keepFlagged``.
///
/// ```swift
/// let nik = MemberNIK(parsing: "3.21601E+15")   // .invalid("3.21601E+15", reason: .nikSpreadsheetMangled)
/// MemberNIK(parsing: "9999999999999995")         // .placeholder(.under17): missing, under 17
/// ```
public enum MemberNIK: Hashable, Sendable {
    case valid(NIK)
    case invalid(String, reason: LumbungError.Code)
    case missing
    /// No NIK, for the reason the placeholder written in its place gives; counted as missing,
    /// written back as it was (`9999999999999995`).
    case placeholder(NIKPlaceholder)

    /// The most characters of an invalid NIK kept as written (a longer one is cut).
    public static let maxStoredLength = 64

    /// Classifies a NIK as written; never throws.
    public init(parsing text: String?) {
        guard let text, !text.trimmedWhitespace.isEmpty, text.trimmedWhitespace != "-" else {
            self = .missing
            return
        }
        do {
            self = .valid(try NIK(text))
        } catch let error as LumbungError {
            if let reason = NIKPlaceholder(written: text) {
                self = .placeholder(reason)
                return
            }
            self = .invalid(String(text.prefix(Self.maxStoredLength)), reason: error.code)
        } catch {
            self = .invalid(String(text.prefix(Self.maxStoredLength)), reason: .nikNotDigits)
        }
    }

    public var status: NIKStatus {
        switch self {
        case .valid: .valid
        case .invalid(_, let reason): .invalid(reason)
        case .missing: .missing
        case .placeholder(let reason): .placeholder(reason)
        }
    }

    /// The valid NIK, if it is one.
    public var nik: NIK? {
        if case .valid(let nik) = self { return nik }
        return nil
    }

    /// The NIK as written (16 digits when valid, the placeholder as written), nil when missing.
    public var text: String? {
        switch self {
        case .valid(let nik): nik.text
        case .invalid(let raw, _): raw
        case .missing: nil
        case .placeholder(let reason): reason.written
        }
    }

    /// The value masked for messages and logs (a placeholder is no one's NIK, so it shows whole).
    public var masked: String {
        switch self {
        case .valid(let nik): nik.masked
        case .invalid(let raw, _): NIK.mask(raw)
        case .missing: "(none)"
        case .placeholder(let reason): reason.written
        }
    }
}

/// Whether a member's NIK is valid, invalid (with the rule it breaks) or missing (with the
/// placeholder's reason, when one was written).
public enum NIKStatus: Hashable, Sendable, CustomStringConvertible {
    case valid
    case invalid(LumbungError.Code)
    case missing
    case placeholder(NIKPlaceholder)

    /// The status kind for queries: `valid`, `invalid` or `missing` (a placeholder is missing).
    public var kind: Kind {
        switch self {
        case .valid: .valid
        case .invalid: .invalid
        case .missing, .placeholder: .missing
        }
    }

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case valid, invalid, missing
    }

    public var description: String {
        switch self {
        case .valid: "valid"
        case .invalid(let reason): "invalid(\(reason))"
        case .missing: "missing"
        case .placeholder(let reason): "missing:\(reason.name)"
        }
    }
}

/// Why a member has no NIK, as BPS writes it in the NIK's place: `999999999999999` followed by a
/// reason digit. The one home of the digits and their names.
///
/// A placeholder is no one's NIK: it is stored and written back exactly as written, counted and
/// found as a missing NIK (``NIKStatus/Kind/missing``), and never flagged as invalid. Any other
/// digit after the fifteen nines is an invalid NIK like any other.
///
/// ```swift
/// NIKPlaceholder(written: "9999999999999996")   // .aged17OrOlder
/// NIKPlaceholder.refused.written                // "9999999999999994"
/// NIKPlaceholder.under17.name                   // "under_17"
/// ```
public enum NIKPlaceholder: UInt8, Sendable, Hashable, CaseIterable, Comparable {
    /// The member refused to give a NIK.
    case refused = 4
    /// No NIK, and under 17 (not yet due for a KTP).
    case under17 = 5
    /// No NIK, and 17 or older.
    case aged17OrOlder = 6
    /// A foreign national (warga negara asing): no NIK to have.
    case foreignNational = 9

    /// The fifteen nines before the reason digit.
    public static let prefix = "999999999999999"

    /// The placeholder as written: the prefix and the reason digit.
    public var written: String { Self.prefix + String(rawValue) }

    /// Why the placeholder is no NIK to look up (pemadanan's reason for it).
    public var notANIK: String { "the placeholder for a member with no NIK (\(name)), not a NIK" }

    /// The code pemadanan reports a placeholder under, in place of the NIK rule it breaks.
    public static let code = "nik.placeholder"

    /// The reason's name in files, answers and options (`status_nik` `missing:<name>`).
    public var name: String {
        switch self {
        case .refused: "refused"
        case .under17: "under_17"
        case .aged17OrOlder: "age_17_plus"
        case .foreignNational: "foreign_national"
        }
    }

    /// The reason a placeholder as written gives (surrounding whitespace ignored); nil for
    /// anything else, an unknown reason digit included.
    public init?(written text: some StringProtocol) {
        let trimmed = String(text).trimmedWhitespace
        guard trimmed.utf8.count == 16, trimmed.hasPrefix(Self.prefix), let last = trimmed.utf8.last,
            let reason = Self(rawValue: last &- UInt8(ascii: "0"))
        else { return nil }
        self = reason
    }

    /// The reason with this name (`under_17`), nil for another.
    public init?(name: String) {
        guard let reason = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = reason
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a write does with members whose NIK is missing or invalid.
public enum NIKPolicy: Sendable, Hashable {
    /// Refuse the household (the default for new and edited data).
    case strict
    /// Store the member flagged, as a legacy import must. Never a silent fallback: the caller asks.
    case keepFlagged
}
