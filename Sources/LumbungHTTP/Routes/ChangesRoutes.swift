import Foundation
import Hummingbird
import Lumbung
import ServiceLifecycle

/// `GET /v1/changes?since=SEQ`: the journal as a change feed to sync from, a page at a time,
/// optionally waiting (`wait=SECONDS`, a long poll) until something new is committed, by this
/// server or by any other process on the store.
///
/// With `Accept: text/event-stream` the answer is Server-Sent Events instead: one `change` event
/// per entry (`id:` its sequence, `data:` the entry's JSON), as they are committed, for `wait`
/// seconds (default and at most the configured long poll) or `limit` events, then the stream ends and the client
/// reconnects with `Last-Event-ID` (taken as `since`), as EventSource does by itself.
///
/// Any token may read it, cut to its scope: an entry shows when the household was in the scope
/// before or after the change (a household that moves out shows its move, then nothing more).
/// Store-level events, and entries journaled before entries carried their wilayah, show only to
/// tokens for the whole store. `next_since` is the last entry looked at, shown or not, so a
/// scoped client never reads the same stretch twice.
struct ChangesRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>

    func add(to group: RouterGroup<Context>) {
        group.get("changes", use: changes)
    }

    @Sendable func changes(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.viewer)
        let scope = token.scope
        let parameters = try RequestInput.query(request, allowed: ["since", "limit", "wait", "household", "order", "before"])
        let since = try RequestInput.integer("since", parameters["since"], in: 0...Int.max) ?? 0
        let limit = try RequestInput.integer("limit", parameters["limit"], in: 1...10_000) ?? 1000
        let maxWait = Int(api.configuration.maxLongPoll.components.seconds)
        let wait = try RequestInput.integer("wait", parameters["wait"], in: 0...maxWait) ?? 0

        let resume = try RequestInput.integer(
            lastEventIDField.rawName, request.headers[lastEventIDField]?.trimmingCharacters(in: .whitespaces), in: 0...Int.max)
        if let household = parameters["household"] {
            return try await history(request, household: household, parameters: parameters, since: since, limit: limit, wait: wait, token: token)
        }
        for name in ["order", "before"] where parameters[name] != nil {
            throw APIError(LumbungError(.requestInvalid, field: name, rule: "\(name) pages one household's history: give household=ID too"))
        }
        if request.headers[.accept]?.contains("text/event-stream") == true {
            let seconds = parameters["wait"] == nil ? maxWait : wait
            return events(since: UInt64(resume ?? since), for: .seconds(seconds), upTo: parameters["limit"] == nil ? nil : limit, scope: scope)
        }
        let deadline = ContinuousClock.now + .seconds(wait)
        var next = UInt64(since)
        var (entries, last) = try await page(since: next, limit: limit, scope: scope, next: &next)
        // Polls the store: a commit by another process (a CLI import) has no other signal here.
        while entries.isEmpty, ContinuousClock.now < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
            (entries, last) = try await page(since: next, limit: limit, scope: scope, next: &next)
        }
        return JSONValue.object([
            ("changes", .array(entries.map(Self.json))),
            ("next_since", .int(Int(next))),
            // The store's newest entry would tell a scoped token of changes outside its scope.
            ("last_sequence", token.seesWholeStore ? .int(Int(last)) : .null),
        ]).response()
    }

    /// `household=ID`: that household's entries through the journal's household index, between
    /// `since` and `before` (both exclusive), oldest first (paging with `next_since`,
    /// long-polling with `wait`), or with `order=desc` newest first (paging with `next_before`,
    /// null at the end).
    /// Entries the scope does not show are left out, and the cursors name only entries shown,
    /// so a household outside the scope answers exactly as one that does not exist.
    private func history(
        _ request: Request, household text: String, parameters: [String: String], since: Int, limit: Int, wait: Int, token: AccessToken
    ) async throws -> Response {
        let id: HouseholdID
        if let parsed = HouseholdID(text) {
            id = parsed
        } else if !text.isEmpty, text.utf8.count <= 64, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            id = HouseholdID(rawValue: 0)  // 0 or past the largest id: no household, so no entries
        } else {
            throw APIError(LumbungError(.requestInvalid, field: "household", value: String(text.prefix(32)), rule: HouseholdID.rule))
        }
        let order = try parameters["order"].map { value in
            guard let order = HistoryOrder(rawValue: value) else {
                throw APIError(LumbungError(.requestInvalid, field: "order", value: String(value.prefix(16)), rule: "asc (oldest first) or desc (newest first)"))
            }
            return order
        } ?? .oldestFirst
        let before = try RequestInput.integer("before", parameters["before"], in: 1...Int.max)
        if order == .newestFirst, wait > 0 {
            throw APIError(LumbungError(.requestInvalid, field: "wait", rule: "waiting for new entries is for the oldest-first history (order=asc)"))
        }
        if request.headers[.accept]?.contains("text/event-stream") == true {
            throw APIError(LumbungError(.requestInvalid, field: "household", rule: "the event stream is the whole feed; a household's history answers as JSON"))
        }
        let scope = token.scope
        let read = { @Sendable (after: UInt64) async throws -> ([JournalEntry], UInt64) in
            try await api.gateway.read { tx in
                let entries = try tx.changes(
                    household: id, after: after, before: before.map(UInt64.init) ?? .max, order: order, limit: limit,
                    where: { Self.shows($0, to: scope) })
                return (entries, try tx.lastSequence())
            }
        }
        let deadline = ContinuousClock.now + .seconds(wait)
        var (entries, last) = try await read(UInt64(since))
        while order == .oldestFirst, entries.isEmpty, ContinuousClock.now < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
            (entries, last) = try await read(UInt64(since))
        }
        let next: (String, JSONValue) = order == .oldestFirst
            ? ("next_since", .int(entries.last.map { Int($0.sequence) } ?? since))
            : ("next_before", entries.count == limit ? .int(Int(entries.last!.sequence)) : .null)
        return JSONValue.object([
            ("changes", .array(entries.map(Self.json))),
            next,
            ("last_sequence", token.seesWholeStore ? .int(Int(last)) : .null),
        ]).response()
    }

    /// Whether a token with `scope` sees `entry`.
    static func shows(_ entry: JournalEntry, to scope: AccessScope) -> Bool {
        scope.wilayah == nil || entry.wilayah.contains { scope.permits($0) }
    }

    static func json(_ entry: JournalEntry) -> JSONValue {
        .object([
            ("sequence", .int(Int(entry.sequence))), ("time", .time(Timestamp(entry.time))),
            ("actor", .string(entry.actor)), ("action", .string(entry.action.description)),
            ("household_id", entry.action == .event ? .null : .int(Int(entry.householdID.rawValue))),
            ("digest", entry.digest.isEmpty ? .null : .string(entry.digestHex)),
            ("note", entry.note.isEmpty ? .null : .string(entry.note)),
            ("kode_wilayah", .array(entry.wilayah.map { .string($0.dotted) })),
        ])
    }

    /// The Server-Sent Events stream: entries after `since` as they are committed, for `duration`
    /// or until `maximum` events have been sent.
    private func events(since: UInt64, for duration: Duration, upTo maximum: Int?, scope: AccessScope) -> Response {
        let gateway = api.gateway
        let body = ResponseBody { writer in
            let deadline = ContinuousClock.now + duration
            var since = since
            var remaining = maximum ?? Int.max
            // A comment first, so the client sees the stream open at once.
            try await writer.write(ByteBuffer(string: ": lumbung change feed\n\n"))
            while remaining > 0, ContinuousClock.now < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled {
                let after = since, count = min(remaining, 1000)
                let scanned = try await gateway.read { tx in try tx.changes(after: after, limit: count) }
                guard let lastScanned = scanned.last?.sequence else {
                    try? await Task.sleep(for: .milliseconds(50))
                    continue
                }
                since = lastScanned
                let entries = scanned.filter { Self.shows($0, to: scope) }
                if entries.isEmpty { continue }
                var text = ""
                for entry in entries {
                    text += "id: \(entry.sequence)\nevent: change\ndata: \(String(decoding: Self.json(entry).bytes, as: UTF8.self))\n\n"
                }
                try await writer.write(ByteBuffer(string: text))
                remaining -= entries.count
            }
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Up to `limit` entries after `since` that the scope shows; `next` becomes the last entry
    /// looked at. A scoped read looks at up to 20 pages' worth before answering with fewer.
    private func page(since: UInt64, limit: Int, scope: AccessScope, next: inout UInt64) async throws -> ([JournalEntry], UInt64) {
        let (shown, scannedTo, last) = try await api.gateway.read { tx -> ([JournalEntry], UInt64, UInt64) in
            var shown: [JournalEntry] = []
            var after = since
            for _ in 0..<20 {
                let scanned = try tx.changes(after: after, limit: limit - shown.count)
                guard let end = scanned.last?.sequence else { break }
                after = end
                shown += scanned.filter { Self.shows($0, to: scope) }
                if shown.count >= limit { break }
            }
            return (shown, after, try tx.lastSequence())
        }
        next = scannedTo
        return (shown, last)
    }
}
