/// The one error type Lumbung throws.
///
/// Every error carries a stable ``code`` you can match on, and a message that names the
/// field, the value and the rule that was broken. NIK values in messages are masked.
///
/// ```swift
/// do {
///     let nik = try NIK("3216014507900001")
/// } catch let error as LumbungError where error.code == .nikInvalidDate {
///     print(error.message)
/// }
/// ```
public struct LumbungError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, dotted result code such as `nik.invalidDate`.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible,
        ExpressibleByStringLiteral
    {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }

        /// The part before the first dot: `nik`, `kk`, `wilayah`, `household`, `store`, …
        public var domain: Substring { rawValue.prefix { $0 != "." } }
    }

    public var code: Code
    /// The field the error is about, e.g. `members[2].nik`.
    public var field: String?
    /// The offending value, already masked when it is personal data.
    public var value: String?
    /// The rule that was broken, in words.
    public var rule: String
    /// The household the error concerns, when there is one.
    public var householdID: HouseholdID?
    /// Another household the error points at: the one that already holds a duplicate NIK or KK.
    /// Adapters drop it for callers that may not see that household.
    public var otherHouseholdID: HouseholdID?

    public init(
        _ code: Code, field: String? = nil, value: String? = nil, rule: String,
        householdID: HouseholdID? = nil, otherHouseholdID: HouseholdID? = nil
    ) {
        self.code = code
        self.field = field
        self.value = value
        self.rule = rule
        self.householdID = householdID
        self.otherHouseholdID = otherHouseholdID
    }

    /// A one-line message: code, field, value and rule.
    public var message: String {
        var parts: [String] = []
        if let householdID { parts.append("household \(householdID)") }
        if let field { parts.append(field) }
        if let value { parts.append("'\(value)'") }
        let subject = parts.joined(separator: " ")
        let rule = otherHouseholdID.map { "\(self.rule) (household \($0))" } ?? self.rule
        return subject.isEmpty ? "[\(code)] \(rule)" : "[\(code)] \(subject): \(rule)"
    }

    public var description: String { message }

    /// The same error, placed under a parent field (`members[1]` + `nik` → `members[1].nik`).
    public func prefixed(by parent: String) -> LumbungError {
        var copy = self
        copy.field = field.map { "\(parent).\($0)" } ?? parent
        return copy
    }

    /// The same error, attributed to a household.
    public func about(_ id: HouseholdID?) -> LumbungError {
        var copy = self
        if copy.householdID == nil { copy.householdID = id }
        return copy
    }
}

extension LumbungError {
    /// A NIK (`nik.duplicate`) or KK number (`kk.duplicate`) that `other` already holds.
    static func heldElsewhere(
        _ code: Code, field: String, value: String, householdID: HouseholdID?, other: HouseholdID
    ) -> LumbungError {
        let number = code == .kkDuplicate ? "KK number" : "NIK"
        return LumbungError(
            code, field: field, value: value, rule: "the \(number) already belongs to another household",
            householdID: householdID, otherHouseholdID: other)
    }
}

extension LumbungError.Code {
    // NIK (Nomor Induk Kependudukan)
    public static let nikLength: Self = "nik.length"
    public static let nikNotDigits: Self = "nik.notDigits"
    public static let nikSpreadsheetMangled: Self = "nik.spreadsheetMangled"
    public static let nikUnknownProvinsi: Self = "nik.unknownProvinsi"
    public static let nikUnknownKabupaten: Self = "nik.unknownKabupaten"
    public static let nikInvalidDay: Self = "nik.invalidDay"
    public static let nikInvalidMonth: Self = "nik.invalidMonth"
    public static let nikInvalidDate: Self = "nik.invalidDate"
    public static let nikZeroSerial: Self = "nik.zeroSerial"
    public static let nikMissing: Self = "nik.missing"
    public static let nikDuplicate: Self = "nik.duplicate"
    public static let nikFlagged: Self = "nik.flagged"
    public static let nikSexMismatch: Self = "nik.sexMismatch"
    public static let nikBirthDateMismatch: Self = "nik.birthDateMismatch"

    // Nomor KK (Kartu Keluarga)
    public static let kkLength: Self = "kk.length"
    public static let kkNotDigits: Self = "kk.notDigits"
    public static let kkSpreadsheetMangled: Self = "kk.spreadsheetMangled"
    public static let kkUnknownProvinsi: Self = "kk.unknownProvinsi"
    public static let kkUnknownKabupaten: Self = "kk.unknownKabupaten"
    public static let kkInvalidDate: Self = "kk.invalidDate"
    public static let kkZeroSerial: Self = "kk.zeroSerial"
    public static let kkDuplicate: Self = "kk.duplicate"

    // Kode wilayah
    public static let wilayahFormat: Self = "wilayah.format"
    public static let wilayahUnknown: Self = "wilayah.unknown"
    public static let wilayahLevel: Self = "wilayah.level"

    // Household and member fields
    public static let householdNotFound: Self = "household.notFound"
    public static let householdIDTaken: Self = "household.idTaken"
    public static let householdInvalid: Self = "household.invalid"
    public static let householdNoHead: Self = "household.noHead"
    public static let householdManyHeads: Self = "household.manyHeads"
    public static let householdNoMembers: Self = "household.noMembers"
    public static let householdDesil: Self = "household.desil"
    public static let householdStatus: Self = "household.status"
    public static let householdProgram: Self = "household.program"
    public static let householdTooLarge: Self = "household.tooLarge"
    public static let memberNotFound: Self = "member.notFound"
    public static let memberInvalid: Self = "member.invalid"
    public static let memberBirthDate: Self = "member.birthDate"
    public static let attributeInvalid: Self = "attribute.invalid"

    // JSON text
    public static let jsonMalformed: Self = "json.malformed"

    // Records on disk
    public static let recordCorrupt: Self = "record.corrupt"
    public static let recordVersion: Self = "record.version"

    // Queries
    public static let queryInvalid: Self = "query.invalid"
    public static let cursorInvalid: Self = "query.cursorInvalid"

    // The store
    public static let storeMapFull: Self = "store.mapFull"
    public static let storeNewerFormat: Self = "store.newerFormat"
    public static let storeNotAStore: Self = "store.notAStore"
    public static let storeNotFound: Self = "store.notFound"
    public static let storeReadOnly: Self = "store.readOnly"
    public static let storeAlreadyOpen: Self = "store.alreadyOpen"
    public static let storeIO: Self = "store.io"
    public static let storeLMDB: Self = "store.lmdb"
    public static let storeCompression: Self = "store.compression"
    public static let storeClosed: Self = "store.closed"
    public static let storeBusy: Self = "store.busy"
    /// A write inside a write (or inside a read) on the same thread: it would wait for itself.
    public static let storeReentrant: Self = "store.reentrant"

    // Snapshots
    public static let snapshotName: Self = "snapshot.name"
    public static let snapshotNotFound: Self = "snapshot.notFound"
    public static let snapshotExists: Self = "snapshot.exists"
    public static let snapshotReasonRequired: Self = "snapshot.reasonRequired"
    public static let snapshotIncomplete: Self = "snapshot.incomplete"
    public static let snapshotCorrupt: Self = "snapshot.corrupt"
    public static let snapshotProtected: Self = "snapshot.protected"

    // Access tokens and requests to an adapter (HTTP)
    public static let tokenInvalid: Self = "token.invalid"
    public static let tokenNotFound: Self = "token.notFound"
    public static let authMissing: Self = "auth.missing"
    public static let authInvalid: Self = "auth.invalid"
    public static let authForbidden: Self = "auth.forbidden"
    /// A scoped write clashes with a household outside the scope (one answer whatever clashed).
    public static let scopeConflict: Self = "scope.conflict"
    /// A token made too many refused writes lately; it waits before writing again.
    public static let requestRateLimited: Self = "request.rateLimited"
    public static let requestInvalid: Self = "request.invalid"
    public static let requestTooLarge: Self = "request.tooLarge"
    public static let requestNotFound: Self = "request.notFound"
    public static let requestMethod: Self = "request.method"
}
