import Foundation
import Hummingbird
import Lumbung

/// `GET /v1/period`: the period open now and its cut-off date (the store's cut-off day, WIB),
/// as `lumbung period status` prints them, with the token's role, the workflow actions that role
/// may take and the states each starts from (``RequestWorkflow/steps``), and its queue: the
/// states its actions that move a request on start from. What a client needs to show the
/// cut-off and offer only the buttons the core would accept, without restating the workflow.
struct PeriodRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>

    func add(to group: RouterGroup<Context>) {
        group.get("period", use: period)
    }

    @Sendable func period(_ request: Request, context: Context) async throws -> Response {
        let actor = RequestActor(token: try context.access.authenticated())
        _ = try RequestInput.query(request, allowed: [])
        let cutoff = try await api.gateway.lookup { tx in try tx.cutoffDay() }
        let period = Period.containing(Date(), cutoff: cutoff)
        let steps = RequestWorkflow.steps.filter { $0.roles.contains(actor.role) }
        // Reject and withdraw close a request from any open state: they are no one's next step.
        let onward = steps.filter { $0.to.isOpen || $0.to == .diterapkan }
        let queue = RequestState.allCases.filter { state in onward.contains { $0.from.contains(state) } }
        return JSONValue.object([
            ("periode", .string(period.description)),
            ("cutoff", .string(period.cutoffDate(cutoff).description)),
            ("cutoff_day", .int(cutoff.day)),
            ("peran", .string(actor.role.rawValue)),
            ("aksi", .array(steps.map { step in
                .object([("nama", .string(step.action.name)), ("dari", .array(step.from.map { .string($0.name) }))])
            })),
            ("antrean", .array(queue.map { .string($0.name) })),
        ]).response()
    }
}
