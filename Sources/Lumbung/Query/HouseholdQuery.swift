/// A filter over households: a wilayah prefix at any level, status, program, desil range, NIK
/// status and Dukcapil status, combined with AND.
///
/// ```swift
/// var query = HouseholdQuery(wilayah: try KodeWilayah("32.16.01"))
/// query.program = .pkh
/// query.desil = 1...4
/// let page = try store.read { tx in try tx.find(query, limit: 50) }
/// ```
public struct HouseholdQuery: Hashable, Sendable {
    public var wilayah: KodeWilayah?
    public var status: StatusFilter?
    public var program: Program?
    public var desil: ClosedRange<Int>?
    /// `invalid` or `missing`: households with at least one such member. `valid`: households whose
    /// members all have valid NIKs.
    public var nikStatus: NIKStatus.Kind?
    /// A Dukcapil status: households with at least one member of it; `pending`: households
    /// none of whose members has a result.
    public var dukcapil: DukcapilFilter?
    /// Who lives in the household: each count must hold (``MemberCount``: "has a member who …",
    /// "at least 2 children aged 7-12", household size, the head's sex and age, PKH components).
    /// Read from the member index, never from records.
    public var members: [MemberCount] = []
    /// The day ages are reckoned on (nil: today, ``CalendarDate/today(_:)``).
    public var referenceDate: CalendarDate?

    public init(
        wilayah: KodeWilayah? = nil, status: StatusFilter? = nil, program: Program? = nil,
        desil: ClosedRange<Int>? = nil, nikStatus: NIKStatus.Kind? = nil, dukcapil: DukcapilFilter? = nil
    ) {
        self.wilayah = wilayah
        self.status = status
        self.program = program
        self.desil = desil
        self.nikStatus = nikStatus
        self.dukcapil = dukcapil
    }

    /// A status to match: one exactly, or every tidak layak reason at once.
    public enum StatusFilter: Hashable, Sendable {
        case exactly(HouseholdStatus)
        case anyTidakLayak

        /// The status codes it accepts, as a ``IndexDimension`` value bitmask.
        var mask: UInt64 {
            switch self {
            case .exactly(let status): 1 << UInt64(status.code)
            case .anyTidakLayak: Self.tidakLayakMask
            }
        }

        private static let tidakLayakMask = TidakLayakReason.allCases.reduce(UInt64(0)) { $0 | 1 << UInt64(HouseholdStatus.tidakLayak($1).code) }

        /// Parses `usulan`, `tidak_layak` (any reason) or `tidak_layak:pindah`.
        public init(parsing text: String) throws {
            let key = text.trimmedWhitespace.lowercased()
            if ["tidak_layak", "tidak layak", "tidaklayak"].contains(key) {
                self = .anyTidakLayak
            } else {
                self = .exactly(try HouseholdStatus(parsing: key))
            }
        }
    }

    /// Whether an index summary satisfies every filter but the wilayah (the scan range does that).
    func matches(_ summary: IndexSummary) -> Bool { SummaryTest(self).matches(summary) }

    /// The reference date ages are reckoned on.
    var ageDate: CalendarDate { referenceDate ?? .today() }

    /// Fixes the reference date of a query with member conditions (today, when none is given),
    /// so that the search and the members its answer names count ages on one day.
    ///
    /// ```swift
    /// query.pinReferenceDate()   // query.referenceDate == .today()
    /// ```
    public mutating func pinReferenceDate() {
        if !members.isEmpty, referenceDate == nil { referenceDate = .today() }
    }

    func validate() throws {
        if members.count > MemberCount.maxPerQuery {
            throw LumbungError(.queryInvalid, field: "anggota", value: String(members.count), rule: "a query holds at most \(MemberCount.maxPerQuery) member conditions")
        }
        for count in members {
            if let ages = count.condition.ages, ages.lowerBound < 0 {
                throw LumbungError(.queryInvalid, field: "umur", value: "\(ages.lowerBound)-\(ages.upperBound)", rule: "an age is 0 or more")
            }
            if count.count.lowerBound < 0 {
                throw LumbungError(.queryInvalid, field: "jumlah", value: String(count.count.lowerBound), rule: "a member count is 0 or more")
            }
        }
        let desils = Household.desilRule.range
        if let desil, desil.lowerBound < desils.lowerBound || desil.upperBound > desils.upperBound {
            throw LumbungError(.queryInvalid, field: "desil", value: "\(desil.lowerBound)-\(desil.upperBound)", rule: Household.desilRule.rule)
        }
    }
}

/// A query's test of an index summary, made ready once for a scan: the values each dimension
/// accepts (``IndexDimension/accepted(by:)``), so an entry costs a few mask tests.
struct SummaryTest {
    /// Lane d: the values dimension d (raw value) accepts, as a bitmask.
    private var accepted = SIMD8<UInt64>(repeating: 0)
    /// Bit d: the query filters on dimension d.
    private var filtered: UInt8 = 0

    init(_ query: HouseholdQuery) {
        IndexDimension.forEach { dimension in
            if let values = dimension.accepted(by: query) {
                accepted[Int(dimension.rawValue)] = values
                filtered |= 1 << dimension.rawValue
            }
        }
    }

    /// Whether every summary passes (the query filters on no dimension).
    var filtersNothing: Bool { filtered == 0 }

    /// The values of `dimension` (as ``IndexDimension/matchValues(_:)`` gives them) a summary
    /// passes with, when the test looks at that dimension alone; nil when it looks at another.
    func values(testingOnly dimension: IndexDimension) -> UInt64? {
        if filtered == 0 { return .max }
        return filtered == 1 << dimension.rawValue ? accepted[Int(dimension.rawValue)] : nil
    }

    @inline(__always)
    func matches(_ summary: IndexSummary) -> Bool {
        guard filtered != 0 else { return true }
        var matched = true
        IndexDimension.forEach { dimension in
            if filtered & 1 << dimension.rawValue != 0, dimension.matchValues(summary) & accepted[Int(dimension.rawValue)] == 0 { matched = false }
        }
        return matched
    }
}

/// One page of query results and the cursor for the next.
public struct HouseholdPage: Sendable {
    public var households: [Household]
    /// Pass to the next ``ReadTransaction/find(_:after:limit:)``; nil on the last page.
    public var nextCursor: String?
}
