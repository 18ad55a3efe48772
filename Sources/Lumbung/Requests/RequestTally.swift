import CLMDB

/// Requests counted by type, state and desa: what a period's decree manifest and
/// `lumbung period status` show. One pass over the requests (bounded by their count of desa
/// and types, not by the requests).
public struct RequestTally: Sendable, Hashable {
    public var byType: [RequestType: Int] = [:]
    public var byState: [RequestState: Int] = [:]
    /// Per desa, per state.
    public var byDesa: [KodeWilayah: [RequestState: Int]] = [:]
    /// Per desa, per type.
    public var byDesaType: [KodeWilayah: [RequestType: Int]] = [:]
    /// Households set `ditetapkan` by requests applied in the period.
    public var ditetapkan = 0
    /// The same, per desa.
    public var ditetapkanByDesa: [KodeWilayah: Int] = [:]
    public var total = 0

    /// As JSON: `{"total", "jenis": {…}, "status": {…}, "desa": {"32.16.01.2001": {…}}, "ditetapkan"}`.
    public var json: JSONValue {
        func states(_ counts: [RequestState: Int]) -> JSONValue {
            .object(RequestState.allCases.compactMap { state in counts[state].map { (state.name, .int($0)) } })
        }
        return .object([
            ("total", .int(total)),
            ("jenis", .object(RequestType.allCases.compactMap { type in byType[type].map { (type.name, .int($0)) } })),
            ("status", states(byState)),
            ("desa", .object(byDesa.keys.sorted().map { ($0.dotted, states(byDesa[$0]!)) })),
            ("ditetapkan", .int(ditetapkan)),
        ])
    }
}

extension ReadTransaction {
    /// Counts the requests `actor` may see: those of `period` (nil: every request), or, with
    /// `openOnly`, the open ones whatever their period.
    public func requestTally(period: Period?, openOnly: Bool = false, for actor: RequestActor) throws -> RequestTally {
        try ensureValid()
        var tally = RequestTally()
        guard let dbi = dbs.requests else { return tally }
        let cursor = try txn.cursor(dbi)
        defer { cursor.close() }
        var found = try cursor.move(MDB_FIRST)
        while found {
            let request = try RequestCodec.decode(cursor.valueBytes, id: RequestID(Keys.read(cursor.keyBytes, width: Keys.requestIDWidth)))
            found = try cursor.move(MDB_NEXT)
            guard actor.sees(request) else { continue }
            if openOnly { guard request.state.isOpen else { continue } } else if let period, request.period != period { continue }
            tally.total += 1
            tally.byType[request.type, default: 0] += 1
            tally.byState[request.state, default: 0] += 1
            tally.byDesa[request.desa, default: [:]][request.state, default: 0] += 1
            tally.byDesaType[request.desa, default: [:]][request.type, default: 0] += 1
            if request.state == .diterapkan, request.type.statusOnApply == .set(.ditetapkan) {
                tally.ditetapkan += 1
                tally.ditetapkanByDesa[request.desa, default: 0] += 1
            }
        }
        return tally
    }
}
