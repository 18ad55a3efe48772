/// A member's NIK as the register holds it: valid, invalid (kept exactly as written), or missing.
///
/// The real register is dirty, so a member may carry no NIK or an invalid one. Such a member is
/// kept, flagged with the rule its NIK breaks, left out of the unique NIK index, and findable by
/// ``NIKStatus`` so operators can correct it. Writes refuse flagged NIKs unless the caller
/// chooses ``NIKPolicy/keepFlagged``.
///
/// ```swift
/// let nik = MemberNIK(parsing: "3.21601E+15")   // .invalid("3.21601E+15", reason: .nikSpreadsheetMangled)
/// ```
public enum MemberNIK: Hashable, Sendable {
    case valid(NIK)
    case invalid(String, reason: LumbungError.Code)
    case missing

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
        }
    }

    /// The valid NIK, if it is one.
    public var nik: NIK? {
        if case .valid(let nik) = self { return nik }
        return nil
    }

    /// The NIK as written (16 digits when valid), nil when missing.
    public var text: String? {
        switch self {
        case .valid(let nik): nik.text
        case .invalid(let raw, _): raw
        case .missing: nil
        }
    }

    /// The value masked for messages and logs.
    public var masked: String {
        switch self {
        case .valid(let nik): nik.masked
        case .invalid(let raw, _): NIK.mask(raw)
        case .missing: "(none)"
        }
    }
}

/// Whether a member's NIK is valid, invalid (with the rule it breaks) or missing.
public enum NIKStatus: Hashable, Sendable, CustomStringConvertible {
    case valid
    case invalid(LumbungError.Code)
    case missing

    /// The status kind for queries: `valid`, `invalid` or `missing`.
    public var kind: Kind {
        switch self {
        case .valid: .valid
        case .invalid: .invalid
        case .missing: .missing
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
        }
    }
}

/// What a write does with members whose NIK is missing or invalid.
public enum NIKPolicy: Sendable, Hashable {
    /// Refuse the household (the default for new and edited data).
    case strict
    /// Store the member flagged, as a legacy import must. Never a silent fallback: the caller asks.
    case keepFlagged
}
