/// What Dukcapil answered when a member's NIK was matched (pemadanan): its one home, with the
/// names files and APIs use and the codes records, indexes and counters store.
///
/// A member Dukcapil has not answered for has no result: `belum_dipadankan`
/// (``DukcapilResult/pendingName``), the default, stored as nothing.
///
/// ```swift
/// let result = try DukcapilResult(parsing: "tidak_padan", reason: "NIK TIDAK DITEMUKAN")
/// member.dukcapil = result
/// DukcapilStatus.tidakPadan.rawValue   // 2: its value in idx.dukcapil and its counters
/// ```
public enum DukcapilStatus: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case padan = 1, tidakPadan, ganda, meninggal
}

extension DukcapilStatus: NamedCode {
    public static let names = ["padan", "tidak_padan", "ganda", "meninggal"]
}

/// A member's Dukcapil result: the status, and the reason Dukcapil gave for `tidak_padan`.
public struct DukcapilResult: Hashable, Sendable {
    public var status: DukcapilStatus
    /// Why the NIK did not match (only with ``DukcapilStatus/tidakPadan``, which needs one).
    public var reason: String?

    public init(status: DukcapilStatus, reason: String? = nil) {
        self.status = status
        self.reason = reason
    }

    /// The field names in files and APIs.
    public static let statusField = "status_dukcapil"
    public static let reasonField = "alasan_dukcapil"
    /// The name of "no result yet": a member without a ``DukcapilResult``.
    public static let pendingName = "belum_dipadankan"
    /// Every status name a file or a query may give, `belum_dipadankan` first.
    public static let allNames = [pendingName] + DukcapilStatus.names
    /// What a status cell must hold.
    public static let rule = "must be one of " + allNames.joined(separator: ", ")
    /// The most bytes a reason holds.
    public static let maxReasonBytes = 200

    /// A status name and reason as a file gives them: nil for `belum_dipadankan`.
    ///
    /// - Throws: `member.dukcapil` naming ``statusField`` (an unknown status) or ``reasonField``
    ///   (a reason missing for `tidak_padan`, given for another status, or too long).
    public static func parsing(_ name: String, reason: String?, field: String = statusField) throws -> DukcapilResult? {
        let reason = reason.flatMap { $0.isEmpty ? nil : $0 }
        if name == pendingName || name.isEmpty {
            if let reason { throw reasonProblem(reason) }
            return nil
        }
        guard let status = DukcapilStatus(name: name) else {
            throw LumbungError(.memberDukcapil, field: field, value: HouseholdReader.clip(name), rule: rule)
        }
        let result = DukcapilResult(status: status, reason: reason)
        if let problem = result.problem { throw problem }
        return result
    }

    /// What breaks the reason's rule, if anything.
    public var problem: LumbungError? {
        switch (status, reason) {
        case (.tidakPadan, nil):
            return LumbungError(.memberDukcapil, field: Self.reasonField, rule: "tidak_padan needs the reason Dukcapil gave")
        case (.tidakPadan, let reason?) where reason.utf8.count > Self.maxReasonBytes:
            return LumbungError(.memberDukcapil, field: Self.reasonField, value: HouseholdReader.clip(reason), rule: "a reason is at most \(Self.maxReasonBytes) bytes")
        case (.tidakPadan, _), (_, nil):
            return nil
        case (_, let reason?):
            return Self.reasonProblem(reason)
        }
    }

    private static func reasonProblem(_ reason: String) -> LumbungError {
        LumbungError(.memberDukcapil, field: reasonField, value: HouseholdReader.clip(reason), rule: "only tidak_padan takes a reason")
    }
}

/// A Dukcapil status a query asks for: households with a member of that status, or
/// (`belum_dipadankan`) households none of whose members has a result yet.
///
/// ```swift
/// let filter = try DukcapilFilter(parsing: "tidak_padan")   // .status(.tidakPadan)
/// ```
public enum DukcapilFilter: Hashable, Sendable {
    case pending
    case status(DukcapilStatus)

    /// Parses a name of ``DukcapilResult/allNames``, or throws `query.invalid` naming `field`.
    public init(parsing text: String, field: String = DukcapilResult.statusField) throws {
        if text == DukcapilResult.pendingName {
            self = .pending
        } else if let status = DukcapilStatus(name: text) {
            self = .status(status)
        } else {
            throw LumbungError(.queryInvalid, field: field, value: HouseholdReader.clip(text), rule: DukcapilResult.rule)
        }
    }
}

extension Member {
    /// The member's Dukcapil status name (`belum_dipadankan` without a result).
    public var dukcapilName: String { dukcapil?.status.name ?? DukcapilResult.pendingName }
}
