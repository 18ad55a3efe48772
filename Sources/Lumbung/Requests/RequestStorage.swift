import CLMDB
import Foundation

/// The keys of `idx.requests`: a kind byte, then the value; each key's duplicates are request
/// ids (8 bytes), so every list comes in id order.
///
/// | kind | value | holds |
/// |---|---|---|
/// | 1 desa+state | desa code (5) + state (1) | every request: a desa's page by state |
/// | 2 household | household id (4) | every request naming the household (either side of a move or merge) |
/// | 3 NIK | NIK (8) | open requests only: clashes |
/// | 4 period | `YYYYMM` (4) | requests with a period (approved) |
/// | 5 proposer | actor (UTF-8) | every request: what a citizen reads back |
enum RequestIndexKey {
    static let desaState: UInt8 = 1
    static let household: UInt8 = 2
    static let nik: UInt8 = 3
    static let period: UInt8 = 4
    static let proposer: UInt8 = 5

    static func desaState(_ desa: UInt64, _ state: RequestState) -> [UInt8] {
        var bytes: [UInt8] = [desaState]
        Keys.append(desa, width: Keys.desaWidth, to: &bytes)
        bytes.append(state.rawValue)
        return bytes
    }

    static func household(_ id: HouseholdID) -> [UInt8] { [household] + Keys.be(id.rawValue, width: Keys.idWidth) }
    static func nik(_ nik: NIK) -> [UInt8] { [Self.nik] + Keys.be(nik.rawValue, width: 8) }
    static func period(_ period: Period) -> [UInt8] { [Self.period] + Keys.be(UInt64(period.packed), width: 4) }
    static func proposer(_ actor: String) -> [UInt8] { [proposer] + Array(actor.utf8.prefix(400)) }

    /// Every key a request is listed under.
    static func keys(of request: ChangeRequest) -> [[UInt8]] {
        var keys = [desaState(request.desa.packed, request.state), proposer(request.proposer)]
        for id in Set([request.householdID, request.otherHouseholdID].compactMap { $0 }) { keys.append(household(id)) }
        if request.state.isOpen { keys.append(contentsOf: Set(request.niks).map(nik)) }
        if let period = request.period { keys.append(self.period(period)) }
        return keys
    }
}

/// Which requests a list asks for. Every filter is optional; the scope of the asking
/// ``RequestActor`` is always applied on top.
public struct RequestQuery: Hashable, Sendable {
    /// A wilayah prefix (a desa, a kecamatan, …).
    public var wilayah: KodeWilayah?
    /// States (empty: all).
    public var states: [RequestState]
    public var type: RequestType?
    public var period: Period?
    public var householdID: HouseholdID?

    public init(wilayah: KodeWilayah? = nil, states: [RequestState] = [], type: RequestType? = nil,
                period: Period? = nil, householdID: HouseholdID? = nil) {
        self.wilayah = wilayah
        self.states = states
        self.type = type
        self.period = period
        self.householdID = householdID
    }

    /// The open states: what a desa's open-request page shows.
    public static let openStates = RequestState.allCases.filter(\.isOpen)

    func matches(_ request: ChangeRequest) -> Bool {
        if let wilayah, !wilayah.contains(request.desa) { return false }
        if !states.isEmpty, !states.contains(request.state) { return false }
        if let type, request.type != type { return false }
        if let period, request.period != period { return false }
        if let householdID, request.householdID != householdID, request.otherHouseholdID != householdID { return false }
        return true
    }
}

/// One page of requests and where the next starts (nil: the last page).
public struct RequestPage: Sendable {
    public let requests: [ChangeRequest]
    /// Opaque; pass it back as `after`.
    public let nextCursor: String?
}

extension ReadTransaction {
    /// The request with this id, if `actor` may see it (nil otherwise, as for no such id).
    public func request(id: RequestID, for actor: RequestActor) throws -> ChangeRequest? {
        guard let request = try storedRequest(id: id), actor.sees(request) else { return nil }
        return request
    }

    /// The open `baru` request that stored `household` (``RequestType/proposesHousehold``), or
    /// nil. Only a `usulan` or `terverifikasi` household is looked up (one `idx.requests` key).
    func openProposal(holding household: Household) throws -> ChangeRequest? {
        guard household.status == .usulan || household.status == .terverifikasi, let id = household.id,
              let index = dbs.requestIndex else { return nil }
        let key = RequestIndexKey.household(id)
        let cursor = try txn.cursor(index)
        defer { cursor.close() }
        var positioned = try cursor.seek(key)
        while positioned, Array(cursor.keyBytes) == key {
            let requestID = RequestID(Keys.read(cursor.valueBytes, width: Keys.requestIDWidth))
            if let request = try storedRequest(id: requestID), request.type.proposesHousehold, request.state.isOpen, request.householdID == id {
                return request
            }
            positioned = try cursor.move(MDB_NEXT_DUP)
        }
        return nil
    }

    func storedRequest(id: RequestID) throws -> ChangeRequest? {
        try ensureValid()
        guard let dbi = dbs.requests, let stored = try txn.get(dbi, Keys.request(id)) else { return nil }
        return try RequestCodec.decode(stored.buffer, id: id)
    }

    /// The attachment `digest` as a request `actor` may see references it (its type and size),
    /// or nil: not stored, not referenced, or referenced only by requests outside the actor's
    /// sight (one answer for all three).
    ///
    /// ```swift
    /// guard let photo = try store.read({ tx in try tx.visibleEvidence(digest, for: actor) }) else { throw notFound }
    /// ```
    public func visibleEvidence(_ digest: EvidenceDigest, for actor: RequestActor) throws -> EvidenceAttachment? {
        let visible = try evidence.hasReferrer(of: digest) { referrer in
            guard let id = referrer.requestID else { return false }
            return try request(id: id, for: actor) != nil
        }
        return visible ? try evidence.attachment(digest) : nil
    }

    /// The day of the month periods close on (default 17).
    public func cutoffDay() throws -> CutoffDay {
        try ensureValid()
        guard let stored = try txn.get(dbs.meta, MetaKey.cutoffDay), let day = stored.buffer.first else { return .standard }
        return CutoffDay(unchecked: Int(day))
    }

    /// A page of the requests `actor` may see that match `query`, in index order (a desa's
    /// states in turn, each by id), after `cursor`.
    ///
    /// ```swift
    /// let page = try store.read { tx in
    ///     try tx.requests(RequestQuery(wilayah: desa, states: RequestQuery.openStates), for: operatorA, limit: 50)
    /// }
    /// ```
    public func requests(_ query: RequestQuery, for actor: RequestActor, after cursor: String? = nil, limit: Int = 50) throws -> RequestPage {
        try ensureValid()
        guard let index = dbs.requestIndex, let (query, ranges) = requestRanges(query, for: actor) else {
            return RequestPage(requests: [], nextCursor: nil)
        }
        let start = try cursor.map(Self.decodeCursor)
        var found: [ChangeRequest] = []
        var lastKey: [UInt8] = []
        let cursor = try txn.cursor(index)
        defer { cursor.close() }
        for range in ranges {
            if let start, Self.compare(range.to, start.key) < 0 { continue }
            var positioned: Bool
            if let start, Self.compare(range.from, start.key) <= 0 {
                positioned = try cursor.seek(start.key, dup: Keys.be(start.id + 1, width: Keys.requestIDWidth))
                if !positioned || Array(cursor.keyBytes) != start.key { positioned = try cursor.seek(start.key + [0]) }
            } else {
                positioned = try cursor.seek(range.from)
            }
            while positioned {
                let key = Array(cursor.keyBytes)
                if Self.compare(key, range.to) > 0 { break }
                let id = RequestID(Keys.read(cursor.valueBytes, width: Keys.requestIDWidth))
                if let request = try storedRequest(id: id), actor.sees(request), query.matches(request) {
                    if found.count == limit {
                        let last = found[found.count - 1]
                        return RequestPage(requests: found, nextCursor: Self.encodeCursor(key: lastKey, id: last.id.rawValue))
                    }
                    found.append(request)
                    lastKey = key
                }
                positioned = try cursor.move(MDB_NEXT)
            }
        }
        return RequestPage(requests: found, nextCursor: nil)
    }
}

extension ReadTransaction {
    /// How many requests `actor` may see match `query`: what a page's total says.
    ///
    /// One desa's requests by state (a desa operator's open page) are counted from the index,
    /// one key a state, without reading a request; other filters read each request the index
    /// range holds, one at a time (memory: one request).
    ///
    /// ```swift
    /// let open = try store.read { tx in try tx.requestCount(RequestQuery(wilayah: desa, states: [.diajukan]), for: desaOperator) }
    /// ```
    public func requestCount(_ query: RequestQuery, for actor: RequestActor) throws -> Int {
        try ensureValid()
        guard let index = dbs.requestIndex, let (query, ranges) = requestRanges(query, for: actor) else { return 0 }
        let cursor = try txn.cursor(index)
        defer { cursor.close() }
        // Every request under a desa+state key is in the actor's scope (the wilayah is narrowed
        // to it) and matches: the key's duplicates are the count.
        let keysAnswer = actor.role != .citizen && query.type == nil && query.period == nil && query.householdID == nil
            && query.wilayah?.level == .desa
        var total = 0
        for range in ranges {
            var positioned = try cursor.seek(range.from)
            while positioned {
                let key = Array(cursor.keyBytes)
                if Self.compare(key, range.to) > 0 { break }
                if keysAnswer {
                    total += try cursor.duplicateCount()
                    positioned = try cursor.move(MDB_NEXT_NODUP)
                    continue
                }
                let id = RequestID(Keys.read(cursor.valueBytes, width: Keys.requestIDWidth))
                if let request = try storedRequest(id: id), actor.sees(request), query.matches(request) { total += 1 }
                positioned = try cursor.move(MDB_NEXT)
            }
        }
        return total
    }

    /// The query narrowed to the actor's scope and the `idx.requests` key ranges that hold its
    /// requests (nil: the scope and the query share nothing). A citizen reads its proposer key.
    func requestRanges(_ query: RequestQuery, for actor: RequestActor) -> (RequestQuery, [(from: [UInt8], to: [UInt8])])? {
        var query = query
        switch actor.scope.narrow(query.wilayah) {
        case .disjoint: return nil
        case .within(let wilayah): query.wilayah = wilayah
        }
        if actor.role == .citizen {
            let key = RequestIndexKey.proposer(actor.actor)
            return (query, [(key, key)])
        }
        if let household = query.householdID {
            let key = RequestIndexKey.household(household)
            return (query, [(key, key)])
        }
        if let wilayah = query.wilayah {
            let states = Set(query.states.isEmpty ? RequestState.allCases : query.states).sorted { $0.rawValue < $1.rawValue }
            let range = wilayah.packedRange
            // Within a desa, one key a state; over a wider wilayah, the desa range (filtered).
            if wilayah.level == .desa {
                return (query, states.map {
                    (RequestIndexKey.desaState(range.lowerBound, $0), RequestIndexKey.desaState(range.lowerBound, $0))
                })
            }
            return (query, [(RequestIndexKey.desaState(range.lowerBound, .draft), RequestIndexKey.desaState(range.upperBound - 1, .ditarik))])
        }
        if let period = query.period {
            let key = RequestIndexKey.period(period)
            return (query, [(key, key)])
        }
        return (query, [([RequestIndexKey.desaState], RequestIndexKey.desaState(9_999_999_999, .ditarik))])
    }
}

extension ReadTransaction {
    /// Lexicographic byte order, as LMDB sorts keys.
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    static func encodeCursor(key: [UInt8], id: UInt64) -> String {
        key.map { String(format: "%02x", $0) }.joined() + ".\(id)"
    }

    static func decodeCursor(_ text: String) throws -> (key: [UInt8], id: UInt64) {
        let invalid = LumbungError(.cursorInvalid, field: "cursor", value: text, rule: "pass back the next_cursor of the page before, unchanged")
        let parts = text.split(separator: ".")
        guard parts.count == 2, let id = UInt64(parts[1]), parts[0].count % 2 == 0, !parts[0].isEmpty, parts[0].count <= 820 else { throw invalid }
        var key: [UInt8] = []
        var index = parts[0].startIndex
        while index < parts[0].endIndex {
            let next = parts[0].index(index, offsetBy: 2)
            guard let byte = UInt8(parts[0][index..<next], radix: 16) else { throw invalid }
            key.append(byte)
            index = next
        }
        return (key, id)
    }
}
