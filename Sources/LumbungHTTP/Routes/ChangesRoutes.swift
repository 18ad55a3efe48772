import Foundation
import Hummingbird
import Lumbung
import ServiceLifecycle

/// `GET /v1/changes?since=SEQ`: the journal as a change feed to sync from, a page at a time,
/// optionally waiting (`wait=SECONDS`, a long poll) until something new is committed, by this
/// server or by any other process on the store.
///
/// Journal entries name households by id and carry no wilayah, so the feed is for admin tokens
/// scoped to the whole store.
struct ChangesRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>

    func add(to group: RouterGroup<Context>) {
        group.get("changes", use: changes)
    }

    @Sendable func changes(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.admin)
        guard token.scope.wilayah == nil else {
            throw LumbungError(.authForbidden, field: "scope", value: token.scope.description, rule: "the change feed needs an admin token for the whole store (scope *)")
        }
        let parameters = try RequestInput.query(request, allowed: ["since", "limit", "wait"])
        let since = try RequestInput.integer("since", parameters["since"], in: 0...Int.max) ?? 0
        let limit = try RequestInput.integer("limit", parameters["limit"], in: 1...10_000) ?? 1000
        let maxWait = Int(api.configuration.maxLongPoll.components.seconds)
        let wait = try RequestInput.integer("wait", parameters["wait"], in: 0...maxWait) ?? 0

        let deadline = ContinuousClock.now + .seconds(wait)
        var (entries, last) = try await page(since: since, limit: limit)
        // Polls the store: a commit by another process (a CLI import) has no other signal here.
        while entries.isEmpty, ContinuousClock.now < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
            (entries, last) = try await page(since: since, limit: limit)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return JSONBody.object([
            ("changes", .array(entries.map { entry in
                .object([
                    ("sequence", .int(Int(entry.sequence))), ("time", .string(formatter.string(from: entry.time))),
                    ("actor", .string(entry.actor)), ("action", .string(entry.action.description)),
                    ("household_id", entry.action == .event ? .null : .int(Int(entry.householdID.rawValue))),
                    ("digest", entry.digest.isEmpty ? .null : .string(entry.digestHex)),
                    ("note", entry.note.isEmpty ? .null : .string(entry.note)),
                ])
            })),
            ("next_since", .int(Int(entries.last?.sequence ?? UInt64(since)))),
            ("last_sequence", .int(Int(last))),
        ]).response()
    }

    private func page(since: Int, limit: Int) async throws -> ([JournalEntry], UInt64) {
        try await api.gateway.read { tx in (try tx.changes(after: UInt64(since), limit: limit), try tx.lastSequence()) }
    }
}
