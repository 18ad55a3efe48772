import CLMDB
import Foundation

/// `check`'s part for change requests, in bounded memory (sorted streams, as the household
/// indexes): every stored request decodes and has an id the store has handed out; `idx.requests`
/// holds exactly the keys its requests imply (``RequestIndexKey/keys(of:)``); and `evidence.refs`
/// holds `request/ID` for exactly the evidence of the requests that hold it
/// (``RequestState/holdsEvidence``).
extension ReadTransaction {
    func checkRequests(limit: Int, runLength: Int, spillTo directories: [String]) throws -> CheckReport {
        var report = CheckReport()
        guard let requests = dbs.requests else { return report }
        var expectedIndex = ExternalSort<PackedEntry>(runLength: runLength, directories: directories)
        var expectedReferences = ExternalSort<PackedEntry>(runLength: runLength, directories: directories)
        let nextID = try txn.get(dbs.meta, MetaKey.nextRequestID).map { Keys.read($0.buffer, width: 8) } ?? 1
        let cursor = try txn.cursor(requests)
        defer { cursor.close() }
        var found = try cursor.move(MDB_FIRST)
        while found {
            let key = Array(cursor.keyBytes)
            let id = RequestID(Keys.read(cursor.keyBytes, width: Keys.requestIDWidth))
            if id.rawValue >= nextID {
                report.report(.requestIDAhead, nil, "request \(id) is past the next request id \(nextID)", limit: limit)
            }
            do {
                let request = try RequestCodec.decode(cursor.valueBytes, id: id)
                try checkShownHousehold(of: request, into: &report, limit: limit)
                for indexKey in RequestIndexKey.keys(of: request) { try expectedIndex.append(PackedEntry(indexKey, key)) }
                if request.state.holdsEvidence {
                    for digest in Set(request.evidence.map(\.digest)) {
                        try expectedReferences.append(PackedEntry(EvidenceReferenceKey.key(digest, .request(id)), []))
                    }
                }
            } catch let error as LumbungError {
                report.report(.requestCorrupt, nil, "request \(id): \(error.message)", limit: limit)
            }
            found = try cursor.move(MDB_NEXT)
        }
        var wantedIndex = try expectedIndex.sorted()
        var actualIndex = try IndexEntries(dbs.requestIndex.map { try txn.cursor($0) })
        try Self.differences(&wantedIndex, &actualIndex) { entry, missing in
            let id = entry.read(at: entry.width - Keys.requestIDWidth, width: Keys.requestIDWidth)
            report.report(missing ? .requestIndexMissing : .requestIndexExtra, nil,
                          "idx.requests entry of request \(id) \(missing ? "missing" : "without its request")", limit: limit)
        }
        var wantedReferences = try expectedReferences.sorted()
        var actualReferences = RequestReferenceEntries(cursor: try dbs.evidence.map { try txn.cursor($0) }) { id in
            try self.txn.get(requests, Keys.request(id)) != nil
        }
        try Self.differences(&wantedReferences, &actualReferences) { entry, missing in
            report.report(missing ? .requestEvidenceUnreferenced : .requestEvidenceStale, nil,
                          missing ? "a request's evidence is not referenced in evidence.refs (gc could remove it)"
                                  : "evidence.refs holds a request reference no request holds", limit: limit)
        }
        return report
    }

    /// Reports an open request whose steps set its household's status (``RequestWorkflow/statusShown(by:)``)
    /// when that household is not stored, holds another status, or, for a verified `baru`
    /// request, was never stored (only a citizen's clashing submission waits for verification).
    private func checkShownHousehold(of request: ChangeRequest, into report: inout CheckReport, limit: Int) throws {
        guard let shown = RequestWorkflow.statusShown(by: request) else { return }
        let named = "request \(request.id) (\(request.type), \(request.state))"
        guard let id = request.householdID else {
            if request.type.proposesHousehold, request.state != .diajukan {
                report.report(.requestHousehold, nil, "\(named) stored no household; its steps show one as \(shown)", limit: limit)
            }
            return
        }
        guard let household = try household(id: id) else {
            return report.report(.requestHousehold, id, "\(named) names a household that is not stored; its steps show it as \(shown)", limit: limit)
        }
        if household.status != shown {
            report.report(.requestHousehold, id, "\(named) shows its household as \(shown); the register holds \(household.status)", limit: limit)
        }
    }

    /// Walks two sorted streams and hands on what only one side has (`true`: only expected).
    private static func differences<Expected: EntryStream, Actual: EntryStream>(
        _ expected: inout Expected, _ actual: inout Actual, _ report: (Expected.Element, Bool) -> Void
    ) throws where Expected.Element: Comparable, Actual.Element == Expected.Element {
        var want = try expected.next(), have = try actual.next()
        while want != nil || have != nil {
            if let wanted = want, have.map({ wanted < $0 }) ?? true {
                report(wanted, true)
                want = try expected.next()
            } else if let had = have, want.map({ had < $0 }) ?? true {
                report(had, false)
                have = try actual.next()
            } else {
                want = try expected.next()
                have = try actual.next()
            }
        }
    }
}

/// The `request/ID` entries of `evidence.refs` whose request is stored, as keys, in the
/// table's order (a referrer naming no stored request is left to the evidence check).
struct RequestReferenceEntries: EntryStream {
    private let cursor: Cursor?
    private let stored: (RequestID) throws -> Bool
    private var started = false
    private static let prefix = Array("request/".utf8)

    init(cursor: Cursor?, stored: @escaping (RequestID) throws -> Bool) {
        self.cursor = cursor
        self.stored = stored
    }

    mutating func next() throws -> PackedEntry? {
        guard let cursor else { return nil }
        while try cursor.move(started ? MDB_NEXT : MDB_FIRST) {
            started = true
            let key = cursor.keyBytes
            let referrer = key.dropFirst(EvidenceDigest.byteCount)
            if referrer.starts(with: Self.prefix), let id = RequestID(String(decoding: referrer.dropFirst(Self.prefix.count), as: UTF8.self)),
               try stored(id) {
                return PackedEntry(key, [])
            }
        }
        started = true
        return nil
    }
}
