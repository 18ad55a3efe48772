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
    /// A stable, dotted result code such as `nik.invalidDate`, and the ``Kind`` of failure it
    /// is. Every code is declared once, as a static constant, with its kind; adapters turn the
    /// kind (never the code's text) into an HTTP status or an exit code.
    ///
    /// ```swift
    /// extension LumbungError.Code {
    ///     public static let csvQuoting = Self("csv.quoting", .malformed)
    /// }
    /// ```
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public let kind: Kind

        /// Declares a code: a constant name and the kind of failure it is.
        public init(_ rawValue: StaticString, _ kind: Kind) {
            self.rawValue = "\(rawValue)"
            self.kind = kind
        }

        /// A NIK problem read back from a stored record, which keeps the code's text.
        init(storedNIKProblem text: String) {
            self.rawValue = text
            self.kind = .invalidInput
        }

        public var description: String { rawValue }
        public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }
        public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
    }

    /// What kind of failure an error is: what an adapter answers for it.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The input cannot be read as what it claims to be: malformed JSON, CSV or zstd, an
        /// unknown parameter, a bad cursor.
        case malformed
        /// A well-formed value the register refuses: an invalid NIK, two heads, desil 11.
        case invalidInput
        case notFound
        /// The value is fine alone but clashes with what is stored: a NIK another household holds.
        case conflict
        case unauthorized
        case forbidden
        case tooLarge
        /// The body's declared media type is not one the route takes, or not what its bytes are.
        case unsupportedMediaType
        case methodNotAllowed
        case rateLimited
        /// Not now: the store is read-only or busy, the server is at its connection limit.
        case unavailable
        /// The disk (or the map) has no room for the write; nothing was written.
        case storageFull
        /// Reading or writing the store's files failed.
        case storage
        /// Stored data does not decode: a corrupt record, a store of an unknown format.
        case corrupt
        /// A snapshot does not match its manifest.
        case verificationFailed
        /// A bug: the details are in the log.
        case `internal`
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
    /// A NIK (`nik.duplicate`), KK number (`kk.duplicate`) or source id (`sourceid.duplicate`)
    /// that `other` already holds.
    static func heldElsewhere(
        _ code: Code, field: String, value: String, householdID: HouseholdID?, other: HouseholdID
    ) -> LumbungError {
        let number = code == .kkDuplicate ? "KK number" : code == .sourceIDDuplicate ? "source id" : "NIK"
        return LumbungError(
            code, field: field, value: value, rule: "the \(number) already belongs to another household",
            householdID: householdID, otherHouseholdID: other)
    }
}

extension LumbungError.Code {
    /// An error Lumbung did not expect; adapters answer it without details.
    public static let internalError = Self("internal", .internal)

    // NIK (Nomor Induk Kependudukan)
    public static let nikLength = Self("nik.length", .invalidInput)
    public static let nikNotDigits = Self("nik.notDigits", .invalidInput)
    public static let nikSpreadsheetMangled = Self("nik.spreadsheetMangled", .invalidInput)
    public static let nikUnknownProvinsi = Self("nik.unknownProvinsi", .invalidInput)
    public static let nikUnknownKabupaten = Self("nik.unknownKabupaten", .invalidInput)
    public static let nikInvalidDay = Self("nik.invalidDay", .invalidInput)
    public static let nikInvalidMonth = Self("nik.invalidMonth", .invalidInput)
    public static let nikInvalidDate = Self("nik.invalidDate", .invalidInput)
    public static let nikZeroSerial = Self("nik.zeroSerial", .invalidInput)
    public static let nikMissing = Self("nik.missing", .invalidInput)
    public static let nikDuplicate = Self("nik.duplicate", .conflict)
    public static let nikFlagged = Self("nik.flagged", .invalidInput)
    public static let nikSexMismatch = Self("nik.sexMismatch", .invalidInput)
    public static let nikBirthDateMismatch = Self("nik.birthDateMismatch", .invalidInput)

    // Nomor KK (Kartu Keluarga)
    public static let kkLength = Self("kk.length", .invalidInput)
    public static let kkNotDigits = Self("kk.notDigits", .invalidInput)
    public static let kkSpreadsheetMangled = Self("kk.spreadsheetMangled", .invalidInput)
    public static let kkUnknownProvinsi = Self("kk.unknownProvinsi", .invalidInput)
    public static let kkUnknownKabupaten = Self("kk.unknownKabupaten", .invalidInput)
    public static let kkInvalidDate = Self("kk.invalidDate", .invalidInput)
    public static let kkZeroSerial = Self("kk.zeroSerial", .invalidInput)
    public static let kkDuplicate = Self("kk.duplicate", .conflict)

    // Source id (the household's id in the register it came from)
    public static let sourceIDInvalid = Self("sourceid.invalid", .invalidInput)
    public static let sourceIDDuplicate = Self("sourceid.duplicate", .conflict)

    // Kode wilayah
    public static let wilayahFormat = Self("wilayah.format", .invalidInput)
    public static let wilayahUnknown = Self("wilayah.unknown", .invalidInput)
    public static let wilayahLevel = Self("wilayah.level", .invalidInput)
    /// More synthetic households than a region's kabupaten keep unique (`lumbung generate`).
    public static let syntheticTooMany = Self("synthetic.tooMany", .invalidInput)

    // Household and member fields
    public static let householdNotFound = Self("household.notFound", .notFound)
    public static let householdIDTaken = Self("household.idTaken", .invalidInput)
    public static let householdInvalid = Self("household.invalid", .invalidInput)
    public static let householdNoHead = Self("household.noHead", .invalidInput)
    public static let householdManyHeads = Self("household.manyHeads", .invalidInput)
    public static let householdNoMembers = Self("household.noMembers", .invalidInput)
    public static let householdDesil = Self("household.desil", .invalidInput)
    public static let householdStatus = Self("household.status", .invalidInput)
    public static let householdProgram = Self("household.program", .invalidInput)
    public static let householdTooLarge = Self("household.tooLarge", .invalidInput)
    public static let memberNotFound = Self("member.notFound", .notFound)
    public static let memberInvalid = Self("member.invalid", .invalidInput)
    public static let memberBirthDate = Self("member.birthDate", .invalidInput)
    /// A Dukcapil status or reason the register refuses (``DukcapilResult``).
    public static let memberDukcapil = Self("member.dukcapil", .invalidInput)
    public static let attributeInvalid = Self("attribute.invalid", .invalidInput)

    // JSON text
    public static let jsonMalformed = Self("json.malformed", .malformed)

    // Records on disk
    public static let recordCorrupt = Self("record.corrupt", .corrupt)
    public static let recordVersion = Self("record.version", .corrupt)

    // Queries
    public static let queryInvalid = Self("query.invalid", .malformed)
    public static let cursorInvalid = Self("query.cursorInvalid", .malformed)

    // The store
    public static let storeMapFull = Self("store.mapFull", .storageFull)
    public static let storeNewerFormat = Self("store.newerFormat", .corrupt)
    public static let storeNotAStore = Self("store.notAStore", .corrupt)
    public static let storeNotFound = Self("store.notFound", .notFound)
    public static let storeReadOnly = Self("store.readOnly", .unavailable)
    public static let storeAlreadyOpen = Self("store.alreadyOpen", .unavailable)
    public static let storeIO = Self("store.io", .storage)
    public static let storeLMDB = Self("store.lmdb", .storage)
    public static let storeCompression = Self("store.compression", .corrupt)
    public static let storeClosed = Self("store.closed", .unavailable)
    public static let storeBusy = Self("store.busy", .unavailable)
    /// A write inside a write (or inside a read) on the same thread: it would wait for itself.
    public static let storeReentrant = Self("store.reentrant", .internal)
    /// The file system holding the store (or a copy of it) has no room for the write.
    public static let storeFull = Self("store.full", .storageFull)
    /// The store's path is empty or blank.
    public static let storePath = Self("store.path", .malformed)
    /// This process may not read (or write) the store's files.
    public static let storePermission = Self("store.permission", .storage)
    /// The journal's household index does not cover the journal (a read-only store written
    /// before it, or since by a Lumbung without it): opening the store for writing indexes it.
    public static let journalIndexMissing = Self("store.journalIndexMissing", .unavailable)
    /// The journal's household index names an entry the journal does not hold (`lumbung check`).
    public static let journalIndexCorrupt = Self("store.journalIndexCorrupt", .corrupt)

    // Snapshots
    public static let snapshotName = Self("snapshot.name", .malformed)
    public static let snapshotNotFound = Self("snapshot.notFound", .notFound)
    public static let snapshotExists = Self("snapshot.exists", .conflict)
    public static let snapshotReasonRequired = Self("snapshot.reasonRequired", .invalidInput)
    public static let snapshotIncomplete = Self("snapshot.incomplete", .verificationFailed)
    public static let snapshotCorrupt = Self("snapshot.corrupt", .verificationFailed)
    public static let snapshotProtected = Self("snapshot.protected", .invalidInput)
    /// A snapshot's directory was opened for writing, as if it were a live store.
    public static let snapshotFrozen = Self("snapshot.frozen", .invalidInput)

    // Access tokens and requests to an adapter (HTTP)
    public static let tokenInvalid = Self("token.invalid", .malformed)
    public static let tokenNotFound = Self("token.notFound", .notFound)
    public static let tokenScopeEmpty = Self("token.scopeEmpty", .malformed)
    public static let authMissing = Self("auth.missing", .unauthorized)
    public static let authInvalid = Self("auth.invalid", .unauthorized)
    public static let authForbidden = Self("auth.forbidden", .forbidden)
    /// A scoped write clashes with a household outside the scope (one answer whatever clashed).
    public static let scopeConflict = Self("scope.conflict", .conflict)
    /// A token made too many refused writes lately; it waits before writing again.
    public static let requestRateLimited = Self("request.rateLimited", .rateLimited)
    public static let requestInvalid = Self("request.invalid", .malformed)
    public static let requestTooLarge = Self("request.tooLarge", .tooLarge)
    public static let requestNotFound = Self("request.notFound", .notFound)
    public static let requestMethod = Self("request.method", .methodNotAllowed)
    /// The body's `Content-Type` is not one the route takes.
    public static let requestMediaType = Self("request.mediaType", .unsupportedMediaType)
}
