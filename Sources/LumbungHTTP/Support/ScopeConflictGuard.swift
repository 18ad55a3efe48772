import Foundation
import Lumbung
import Metrics

/// Slows and records probing through uniqueness: a scoped token whose write clashes with a
/// household outside its scope gets one answer whatever clashed (``ScopedRefusal``), the refusal
/// is journaled (actor, masked value, time) and counted, and a token that keeps being refused
/// waits before it may write again (429 with `Retry-After`).
///
/// Each token has a budget of ``Budget/burst`` refusals that refills one every
/// ``Budget/refill``; an honest operator rarely spends one.
public final class ScopeConflictGuard: Sendable {
    public struct Budget: Sendable, Hashable {
        /// Refusals a token may have before its writes wait.
        public var burst: Int
        /// How long one refusal takes to be forgiven.
        public var refill: Duration

        public init(burst: Int = 10, refill: Duration = .seconds(6)) {
            self.burst = burst
            self.refill = refill
        }
    }

    public let budget: Budget
    private let spent = Locked<[String: Spent]>([:])
    private let refusals = Counter(label: "lumbung_scope_conflicts_total")
    private let throttled = Counter(label: "lumbung_scope_conflicts_throttled_total")

    /// Refusals charged to one token, as of `since`.
    private struct Spent {
        var count: Double
        var since: ContinuousClock.Instant
    }

    public init(budget: Budget = Budget()) {
        self.budget = budget
    }

    /// Refuses a write (429) while `token` has spent its budget.
    func admit(_ token: AccessToken, now: ContinuousClock.Instant = .now) throws {
        let wait = spent.withLock { state -> Duration? in
            // Waits until less than the last whole refusal of the budget is still charged.
            let allowance = Double(budget.burst) - 1
            guard let charged = Self.settled(state[token.id], now: now, budget: budget), charged.count > allowance else { return nil }
            return budget.refill * (charged.count - allowance)
        }
        guard let wait else { return }
        throttled.increment()
        let seconds = Int(wait.components.seconds) + 1
        var error = APIError(LumbungError(
            .requestRateLimited, field: "token", value: token.id,
            rule: "this token had \(budget.burst) writes refused lately for clashes outside its scope; retry in \(seconds) s"))
        error.retryAfter = seconds
        throw error
    }

    /// Charges a refusal to `token`, journals it and counts it.
    func refused(_ refusal: ScopedRefusal, by token: AccessToken, actor: String, gateway: StoreGateway, now: ContinuousClock.Instant = .now) async throws {
        spent.withLock { state in
            var charged = Self.settled(state[token.id], now: now, budget: budget) ?? Spent(count: 0, since: now)
            charged.count += 1
            if state.count >= 10_000 { state = state.filter { $0.value.count >= 1 } }
            state[token.id] = charged
        }
        refusals.increment()
        let note = refusal.journalNote
        try await gateway.write(actor: actor) { tx in try tx.recordEvent(note) }
    }

    /// What is still charged at `now`, after the refill since the last charge.
    private static func settled(_ charged: Spent?, now: ContinuousClock.Instant, budget: Budget) -> Spent? {
        guard var charged else { return nil }
        let forgiven = (now - charged.since) / budget.refill
        charged.count = max(0, charged.count - forgiven)
        charged.since = now
        return charged
    }
}

extension LumbungAPI {
    /// Runs a token's write in a write transaction: refused at once while the token is over its
    /// refusal budget, and a clash with a household outside its scope answered as one
    /// `scope.conflict` (409), journaled and counted.
    func scopedWrite<R: Sendable>(
        _ access: RequestAccess, token: AccessToken, _ body: @escaping @Sendable (WriteTransaction) throws -> R
    ) async throws -> R {
        try conflicts.admit(token)
        do {
            return try await gateway.write(actor: access.journalActor) { tx in
                do {
                    return try body(tx)
                } catch let error as LumbungError {
                    throw try token.scope.screen(error, in: tx)
                }
            }
        } catch let refusal as ScopedRefusal {
            try await conflicts.refused(refusal, by: token, actor: access.journalActor, gateway: gateway)
            throw APIError(refusal.answer)
        }
    }
}
