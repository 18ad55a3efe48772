import CLMDB

/// A boolean combination of ``HouseholdQuery``s: AND, OR and NOT.
///
/// A search scans the cheapest index of a query every match satisfies (the filter itself, or a
/// query part of an `.all`; else the wilayah index) over the narrowest region the filter implies,
/// and evaluates the whole filter on each entry's summary: it never decodes a record to filter
/// and never holds more than ids.
///
/// ```swift
/// let poorOrPKH = HouseholdFilter.any([.query(HouseholdQuery(desil: 1...3)), .query(HouseholdQuery(program: .pkh))])
/// let page = try store.read { tx in
///     try tx.households(matching: poorOrPKH, within: try KodeWilayah("32.16"), sortedBy: [HouseholdSort(.desil)], offset: 0, limit: 50)
/// }
/// ```
public indirect enum HouseholdFilter: Hashable, Sendable {
    case query(HouseholdQuery)
    /// Every part holds (an empty list: every household).
    case all([HouseholdFilter])
    /// At least one part holds (an empty list: no household).
    case any([HouseholdFilter])
    case not(HouseholdFilter)

    /// No household: conditions that cannot hold together (two regions that do not nest, desil
    /// ranges that do not overlap) are this, and a search for it answers without a scan.
    public static let none = HouseholdFilter.any([])

    /// Whether the filter matches no household whatever the store holds, so no scan is needed.
    var matchesNothing: Bool {
        switch self {
        case .query: false
        case .all(let parts): parts.contains(where: \.matchesNothing)
        case .any(let parts): parts.allSatisfy(\.matchesNothing)
        case .not: false
        }
    }

    /// Whether a household in `desa` with this index summary matches.
    func matches(desa: KodeWilayah, _ summary: IndexSummary) -> Bool {
        switch self {
        case .query(let query): (query.wilayah?.contains(desa) ?? true) && query.matches(summary)
        case .all(let parts): parts.allSatisfy { $0.matches(desa: desa, summary) }
        case .any(let parts): parts.contains { $0.matches(desa: desa, summary) }
        case .not(let inner): !inner.matches(desa: desa, summary)
        }
    }

    /// Whether a decoded household matches (the same rule as on the index, for models and checks).
    public func matches(_ household: Household) -> Bool {
        switch self {
        case .query(let query): matches(desa: household.wilayah, IndexSummary(household)) && query.membersMatch(household)
        case .all(let parts): parts.allSatisfy { $0.matches(household) }
        case .any(let parts): parts.contains { $0.matches(household) }
        case .not(let inner): !inner.matches(household)
        }
    }

    func validate() throws {
        // Member counts are tallied by the scan of the query that leads the search only.
        if hasMembers(leading: true) {
            throw LumbungError(
                .queryInvalid, field: "anggota",
                rule: "member conditions belong to the query that leads a filter (the filter itself, or the first query of an all)")
        }
        try validateParts()
    }

    /// Whether a query with member conditions sits anywhere but in the lead.
    private func hasMembers(leading: Bool) -> Bool {
        switch self {
        case .query(let query): return !leading && !query.members.isEmpty
        case .all(let parts):
            // The lead is the first query part (``driver``).
            let lead = leading ? parts.firstIndex { if case .query = $0 { true } else { false } } : nil
            return parts.indices.contains { $0 != lead && parts[$0].hasMembers(leading: false) }
        case .any(let parts): return parts.contains { $0.hasMembers(leading: false) }
        case .not(let inner): return inner.hasMembers(leading: false)
        }
    }

    private func validateParts() throws {
        switch self {
        case .query(let query): try query.validate()
        case .all(let parts), .any(let parts): for part in parts { try part.validateParts() }
        case .not(let inner): try inner.validateParts()
        }
    }

    /// A query every match satisfies, when the filter has one: itself, or a query part of `.all`.
    var driver: HouseholdQuery? {
        switch self {
        case .query(let query): return query
        case .all(let parts):
            for case .query(let query) in parts { return query }
            return nil
        case .any, .not: return nil
        }
    }

    /// A wilayah every match lies in, when the filter implies one (the scan range).
    var region: KodeWilayah? {
        switch self {
        case .query(let query): return query.wilayah
        case .all(let parts):
            // The narrowest: if the parts' regions do not nest, nothing matches and any is correct.
            return parts.compactMap(\.region).max { $0.level < $1.level }
        case .any(let parts):
            let regions = parts.map(\.region)
            guard let first = regions.first, let first, regions.allSatisfy({ $0 == first }) else { return nil }
            return first
        case .not: return nil
        }
    }
}

/// One key of a household sort order.
///
/// Households without a desil (or without an update time) sort as if above every value: last
/// ascending, first descending. Ties always fall back to the household id, ascending.
public struct HouseholdSort: Hashable, Sendable {
    public enum Key: String, Hashable, Sendable, CaseIterable {
        /// The store's household id.
        case id
        /// The desa code (kode wilayah), so households group by region in code order.
        case wilayah
        case desil
        /// The nomor KK; reads each matching record, so it costs a decode per match.
        case nomorKK
        /// When the household last changed; reads each matching record.
        case updatedAt
    }

    public var key: Key
    public var descending: Bool

    public init(_ key: Key, descending: Bool = false) {
        self.key = key
        self.descending = descending
    }

    var needsRecord: Bool { key == .nomorKK || key == .updatedAt }
}

/// A household of a search result and how many members it has.
public struct HouseholdMatch: Hashable, Sendable {
    public var id: HouseholdID
    public var members: Int
}

/// A member of a search result with the household it belongs to.
public struct HouseholdMember: Sendable {
    public var household: Household
    /// The member's position in `household.members`.
    public var index: Int
    public var member: Member { household.members[index] }

    public init(household: Household, index: Int) {
        self.household = household
        self.index = index
    }
}

/// One page of search results and how many households (and members) match in all.
public struct SearchPage<Element: Sendable>: Sendable {
    public var items: [Element]
    public var total: Count
}

extension ReadTransaction {
    /// The first `prefix` matches of `filter` inside `region` (nil: everywhere) in `sort` order,
    /// and the total. Without a sort, the order is the scan's index order.
    ///
    /// Memory stays near `prefix` entries of (sort values, id): the scan keeps the best
    /// `prefix` and drops the rest as it goes. A sort led by the KK number is the exception:
    /// it holds every match's id (8 bytes each, and a bitmap of them) to find the first
    /// `prefix` in the KK index (``matchesInKKOrder(_:driver:isDriver:descending:prefix:matchedMembers:)``).
    ///
    /// With `matchedMembers`, each match's (and the total's) member count is the members the
    /// filter's member counts pick out (``HouseholdQuery/matchingMembers(of:)``), when it has such.
    public func matches(_ filter: HouseholdFilter, within region: KodeWilayah? = nil, sortedBy sort: [HouseholdSort] = [], prefix: Int = .max, matchedMembers: Bool = false) throws -> SearchPage<HouseholdMatch> {
        try ensureValid()
        try filter.validate()
        var collector = TopMatches(sort: sort, prefix: max(0, prefix))
        var total = Count()
        let needsRecord = sort.contains(where: \.needsRecord)

        func visit(_ id: HouseholdID, _ summary: IndexSummary, _ key: UnsafeRawBufferPointer) throws {
            total.households += 1
            total.members += Int(summary.members)
            let match = HouseholdMatch(id: id, members: Int(summary.members))
            guard !sort.isEmpty else { return collector.append(match, values: []) }
            let record = try needsRecord ? sortFields(id: id) : nil
            let values = sort.map { item -> UInt64 in
                switch item.key {
                case .id: id.rawValue
                case .wilayah: Self.desa(ofKey: key).packed
                case .desil: summary.desil.map(UInt64.init) ?? 11
                case .nomorKK: record?.nomorKK ?? .max
                case .updatedAt: record?.updatedMilliseconds.map { UInt64(clamping: $0) } ?? .max
                }
            }
            collector.append(match, values: values)
        }

        // The scan: the query every match satisfies, on its cheapest index over the narrowest
        // region; the rest of the filter is checked on each entry's summary.
        guard !filter.matchesNothing, let narrowed = Self.intersect(filter.region, region) else { return SearchPage(items: [], total: total) }
        var driver = filter.driver ?? HouseholdQuery()
        driver.wilayah = narrowed
        var isDriver = false
        if case .query = filter { isDriver = true }
        // Unsorted, with a total the counters hold: the page is the scan's first `prefix`
        // matches, so the scan stops there instead of counting every match.
        if sort.isEmpty, isDriver, let counted = try countFromCounters(driver) {
            var items: [HouseholdMatch] = []
            if prefix > 0 {
                try scan(try plan(for: driver), query: driver, after: nil) { id, summary, _ in
                    items.append(HouseholdMatch(id: id, members: Int(summary.members)))
                    return items.count < prefix
                }
            }
            return SearchPage(items: items, total: counted)
        }
        if let leading = sort.first, leading.key == .nomorKK {
            return try matchesInKKOrder(filter, driver: driver, isDriver: isDriver, descending: leading.descending, prefix: max(0, prefix), matchedMembers: matchedMembers)
        }
        // Unsorted, when the cheapest scan is not the one whose order the answer shows (a member
        // search's wilayah index beside its desil index): the page is the first `prefix` matches
        // of the ordered plan, which stops there, and the total is counted on the cheapest.
        let plans = try self.plans(for: driver)
        if sort.isEmpty, plans.ordered.index != plans.cheapest.index {
            // The cheapest scans the primary index and the ordered one a single-valued
            // dimension: one scan counts the total and keeps the ordered plan's page.
            if plans.cheapest.index.isPrimary, var page = OrderedPrefix(plans.ordered.index, prefix: max(0, prefix)) {
                if let generation {
                    // A read: from each desa's households and verdicts as kept for its generation.
                    // Once the page holds its first matches of every desil the query accepts,
                    // further matches only add to the total, so they may come counted.
                    let desil = SummaryTest(driver).values(testingOnly: .desil)
                    try forEachDesaMatches(plans.cheapest, query: driver, generation: generation, matchedMembers: matchedMembers) { desa, matches, counted in
                        total.households += counted.households
                        total.members += counted.members
                        let code = KodeWilayah(unchecked: desa, level: .desa)
                        for (id, summary) in matches where isDriver || filter.matches(desa: code, summary) {
                            total.households += 1
                            total.members += Int(summary.members)
                            page.append(HouseholdMatch(id: id, members: Int(summary.members)), summary)
                        }
                        return isDriver && desil.map { page.isFull(.desil, values: $0) } == true
                    }
                } else {
                    try scan(plans.cheapest, query: driver, after: nil, matchedMembers: matchedMembers) { id, summary, key in
                        if isDriver || filter.matches(desa: Self.desa(ofKey: key), summary) {
                            total.households += 1
                            total.members += Int(summary.members)
                            page.append(HouseholdMatch(id: id, members: Int(summary.members)), summary)
                        }
                        return true
                    }
                }
                return SearchPage(items: page.matches, total: total)
            }
            var items: [HouseholdMatch] = []
            if prefix > 0 {
                try scan(plans.ordered, query: driver, after: nil, matchedMembers: matchedMembers) { id, summary, key in
                    guard isDriver || filter.matches(desa: Self.desa(ofKey: key), summary) else { return true }
                    items.append(HouseholdMatch(id: id, members: Int(summary.members)))
                    return items.count < prefix
                }
            }
            try scan(plans.cheapest, query: driver, after: nil, matchedMembers: matchedMembers) { _, summary, key in
                if isDriver || filter.matches(desa: Self.desa(ofKey: key), summary) {
                    total.households += 1
                    total.members += Int(summary.members)
                }
                return true
            }
            return SearchPage(items: items, total: total)
        }
        try scan(sort.isEmpty ? plans.ordered : plans.cheapest, query: driver, after: nil, matchedMembers: matchedMembers) { id, summary, key in
            if isDriver || filter.matches(desa: Self.desa(ofKey: key), summary) { try visit(id, summary, key) }
            return true
        }
        return SearchPage(items: collector.finish(), total: total)
    }

    /// One page of the households matching `filter` inside `region`, in `sort` order.
    public func households(matching filter: HouseholdFilter, within region: KodeWilayah? = nil, sortedBy sort: [HouseholdSort] = [], offset: Int, limit: Int) throws -> SearchPage<Household> {
        let offset = max(0, offset), limit = max(0, limit)
        let found = try matches(filter, within: region, sortedBy: sort, prefix: Self.end(offset, limit))
        let slice = found.items.dropFirst(offset).prefix(limit)
        return SearchPage(items: try slice.compactMap { try household(id: $0.id) }, total: found.total)
    }

    /// One page of the members of the households matching `filter` inside `region`: households
    /// in `sort` order, each household's members in register order. `offset` and `limit` count members.
    /// When the filter's member counts pick members out ("has a member who …"), only the members
    /// who match are listed and counted (``HouseholdQuery/matchingMembers(of:)``).
    public func members(matching filter: HouseholdFilter, within region: KodeWilayah? = nil, sortedBy sort: [HouseholdSort] = [], offset: Int, limit: Int) throws -> SearchPage<HouseholdMember> {
        let offset = max(0, offset), limit = max(0, limit)
        // Every match has at least one member counted, so offset + limit households cover the page.
        let found = try matches(filter, within: region, sortedBy: sort, prefix: Self.end(offset, limit), matchedMembers: true)
        var items: [HouseholdMember] = []
        var start = 0
        for match in found.items {
            guard items.count < limit else { break }
            defer { start += match.members }
            guard start + match.members > offset, let household = try household(id: match.id) else { continue }
            let listed = filter.driver?.matchingMembers(of: household) ?? Array(household.members.indices)
            for index in listed.dropFirst(max(0, offset - start)) where items.count < limit {
                items.append(HouseholdMember(household: household, index: index))
            }
        }
        return SearchPage(items: items, total: found.total)
    }

    /// `offset + limit`, or `Int.max` past it.
    static func end(_ offset: Int, _ limit: Int) -> Int {
        offset > Int.max - limit ? Int.max : offset + limit
    }

    /// The desa code at the end of a secondary index key.
    static func desa(ofKey key: UnsafeRawBufferPointer) -> KodeWilayah {
        KodeWilayah(unchecked: key.suffix(Keys.desaWidth).reduce(0) { $0 << 8 | UInt64($1) }, level: .desa)
    }

    /// The narrower of two regions (nil: everywhere), or `.none` when they do not overlap.
    static func intersect(_ a: KodeWilayah?, _ b: KodeWilayah?) -> KodeWilayah?? {
        guard let a else { return .some(b) }
        guard let b else { return .some(a) }
        if a.contains(b) { return .some(b) }
        if b.contains(a) { return .some(a) }
        return .none
    }
}

/// The best `prefix` matches seen so far in sort order (or the first `prefix` in scan order
/// without a sort), in memory proportional to `prefix`.
private struct TopMatches {
    let sort: [HouseholdSort]
    let prefix: Int
    private var entries: [(values: [UInt64], match: HouseholdMatch)] = []

    init(sort: [HouseholdSort], prefix: Int) {
        self.sort = sort
        self.prefix = prefix
    }

    mutating func append(_ match: HouseholdMatch, values: [UInt64]) {
        if sort.isEmpty {
            if entries.count < prefix { entries.append((values, match)) }
            return
        }
        guard prefix > 0 else { return }
        entries.append((values, match))
        // Sort and cut back to `prefix` once twice as many gathered: O(n log prefix) overall.
        if entries.count >= max(2 * min(prefix, Int.max / 2), 1024) { cut() }
    }

    mutating func finish() -> [HouseholdMatch] {
        if !sort.isEmpty { cut() }
        return entries.map { $0.match }
    }

    private mutating func cut() {
        let sort = self.sort
        entries.sort { a, b in
            for (position, item) in sort.enumerated() where a.values[position] != b.values[position] {
                return item.descending ? a.values[position] > b.values[position] : a.values[position] < b.values[position]
            }
            return a.match.id.rawValue < b.match.id.rawValue
        }
        if entries.count > prefix { entries.removeLast(entries.count - prefix) }
    }
}
