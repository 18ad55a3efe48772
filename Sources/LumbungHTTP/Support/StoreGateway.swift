import Foundation
import Lumbung

/// Where the HTTP handlers' store work runs: the scheduling policy on top of the store's async
/// API (`try await store.read { }` and `store.write { }`).
///
/// Scans (pages, counts, snapshots, the change feed) go to the store's read queue and writes to
/// its serial write queue (so no handler waits for LMDB's writer lock). Point look-ups (a NIK,
/// an id, a KK, a token) take a few microseconds of mapped memory: by default they run where
/// the handler runs, which is cheaper than the two thread hops to a queue and back. Tokens
/// found are remembered for a second.
///
/// ```swift
/// let household = try await gateway.lookup { tx in try tx.household(id: id) }
/// let page = try await gateway.read { tx in try tx.households(matching: query, limit: 50) }
/// let result = try await gateway.write(actor: "operator:2001 request=6f1c") { tx in try tx.put(household) }
/// ```
public struct StoreGateway: Sendable {
    /// Where point look-ups run (scans always run on the read queue).
    public enum ReadExecution: String, Sendable, CaseIterable {
        /// On the calling task's thread (the default): a point look-up is a few microseconds of
        /// mapped-memory reads, cheaper than the hop to a queue and back.
        case inline
        /// On the concurrent read queue, like scans: for a store much larger than memory,
        /// where a look-up may wait on the disk.
        case queue
    }

    public let store: Store
    public let readExecution: ReadExecution
    private let tokenCache = TokenCache()

    public init(store: Store, readExecution: ReadExecution = .inline) {
        self.store = store
        self.readExecution = readExecution
    }

    /// Runs `body`, a point look-up, in a read transaction: inline or on the read queue, as
    /// ``readExecution`` says.
    public func lookup<R: Sendable>(_ body: @escaping @Sendable (ReadTransaction) throws -> R) async throws -> R {
        if readExecution == .inline { return try lookupNow(body) }
        return try await store.read(body)
    }

    /// Runs `body`, a point look-up, in a read transaction on the live store or on a snapshot
    /// (snapshot reads open the snapshot's file, so they always go to the read queue).
    public func lookup<R: Sendable>(_ source: ReadSource, _ body: @escaping @Sendable (ReadTransaction) throws -> R) async throws -> R {
        switch source {
        case .live: return try await lookup(body)
        case .snapshot: return try await read(source, body)
        }
    }

    /// Runs `body` in a read transaction on the calling thread, for callers that may block for
    /// a point look-up (inline look-ups, the persons fast path).
    func lookupNow<R>(_ body: (ReadTransaction) throws -> R) throws -> R {
        try store.read(body)
    }

    /// Runs `body` in a read transaction on the read queue.
    public func read<R: Sendable>(_ body: @escaping @Sendable (ReadTransaction) throws -> R) async throws -> R {
        try await store.read(body)
    }

    /// Runs `body` in a read transaction on the live store or on a snapshot, on the read queue.
    public func read<R: Sendable>(_ source: ReadSource, _ body: @escaping @Sendable (ReadTransaction) throws -> R) async throws -> R {
        switch source {
        case .live: return try await store.read(body)
        case .snapshot(let name): return try await store.run { store in try store.snapshots.read(name, body) }
        }
    }

    /// Runs `body` with the store on the read queue, for work that is not one read transaction
    /// (snapshot listings and diffs).
    public func run<R: Sendable>(_ body: @escaping @Sendable (Store) throws -> R) async throws -> R {
        try await store.run(body)
    }

    /// Runs `body` in a write transaction on the serial write queue and commits it.
    public func write<R: Sendable>(actor: String, _ body: @escaping @Sendable (WriteTransaction) throws -> R) async throws -> R {
        try await store.write(actor: actor, body)
    }

    /// The live token a secret belongs to, or nil. A token found is remembered for
    /// ``tokenCacheLifetime``, so most requests skip the store; unknown secrets are never
    /// remembered, and a revocation counts once the entry expires.
    public func authenticate(secret: String) async throws -> AccessToken? {
        if let token = remembered(secret) { return token }
        let token = try await lookup { tx in try tx.authenticate(secret: secret) }
        remember(token, for: secret)
        return token
    }

    /// ``authenticate(secret:)`` on the calling thread, for callers that may block for a point
    /// look-up (the persons fast path, which runs only with inline look-ups).
    func authenticateNow(secret: String) throws -> AccessToken? {
        if let token = remembered(secret) { return token }
        let token = try lookupNow { tx in try tx.authenticate(secret: secret) }
        remember(token, for: secret)
        return token
    }

    private func remembered(_ secret: String) -> AccessToken? {
        let now = ContinuousClock.now
        return tokenCache.withLock { cache in cache[secret].flatMap { $0.expires > now ? $0.token : nil } }
    }

    private func remember(_ token: AccessToken?, for secret: String) {
        guard let token else { return }
        let expires = ContinuousClock.now + Self.tokenCacheLifetime
        tokenCache.withLock { cache in
            if cache.count >= 1024 { cache.removeAll(keepingCapacity: true) }
            cache[secret] = (token, expires)
        }
    }

    /// How long an authenticated token is remembered.
    public static var tokenCacheLifetime: Duration { .seconds(1) }
}

/// Where a read looks: the live store, or a frozen monthly snapshot.
public enum ReadSource: Sendable, Hashable {
    case live
    case snapshot(SnapshotName)
}

/// Recently authenticated tokens by secret, behind a lock.
private final class TokenCache: @unchecked Sendable {
    private var entries: [String: (token: AccessToken, expires: ContinuousClock.Instant)] = [:]
    private let lock = NSLock()

    func withLock<R>(_ body: (inout [String: (token: AccessToken, expires: ContinuousClock.Instant)]) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&entries)
    }
}
