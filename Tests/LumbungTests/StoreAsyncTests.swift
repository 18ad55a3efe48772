import Foundation
import Testing
@testable import Lumbung

/// The store's async API, and transactions that would wait for themselves: each throws
/// `store.reentrant` instead of hanging. Every nested call runs on a thread of its own that the
/// test waits for a bounded time, so a deadlock fails the test instead of stopping the run.
@Suite("Store: async access and reentrancy")
struct StoreAsyncTests {
    let directory = TemporaryDirectory()

    func makeStore(_ name: String = "store") throws -> Store {
        try Store(path: directory.sub(name))
    }

    @Test func asyncReadsAndWritesSeeEachOther() async throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 21)
        let households = (0..<40).map { _ in factory.household() }
        // Writes from many tasks at once run one after another on the write queue.
        let ids = try await withThrowingTaskGroup(of: HouseholdID.self) { group in
            for household in households {
                group.addTask { try await store.write(actor: "async-test") { tx in try tx.put(household).id } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(ids).count == households.count)
        let found = try await withThrowingTaskGroup(of: Household?.self) { group in
            for household in households {
                let nik = household.validNIKs[0]
                group.addTask { try await store.read { tx in try tx.household(nik: nik) } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(found.compactMap { $0?.nomorKK }) == Set(households.map(\.nomorKK)))
        #expect(try await store.read { tx in try tx.counts() }.total.households == households.count)
    }

    @Test func asyncWriteThatThrowsChangesNothing() async throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 22)
        let household = factory.household()
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await store.write { tx in
                _ = try tx.put(household)
                throw Refused()
            }
        }
        #expect(try await store.read { tx in try tx.household(kk: household.nomorKK) } == nil)
    }

    @Test func writeInsideWriteThrowsInsteadOfHanging() async throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 23)
        let (outer, inner) = (factory.household(), factory.household())
        // The synchronous form.
        let sync = try #require(try await Self.boundedOnThread {
            try store.write { tx in
                _ = try tx.put(outer)
                return Result { try store.write { tx in try tx.put(inner).id } }
            }
        })
        #expect(Self.code(sync) == .storeReentrant)
        // The outer write still committed; the inner one wrote nothing.
        #expect(try await store.read { tx in try tx.household(kk: outer.nomorKK) } != nil)
        #expect(try await store.read { tx in try tx.household(kk: inner.nomorKK) } == nil)

        // The async form: the body runs on the write queue, and a write from there is refused.
        let nested = try await Self.bounded {
            try await store.write { _ in Result { try store.write { tx in try tx.put(inner).id } } }
        }
        #expect(Self.code(try #require(nested)) == .storeReentrant)

        // A second Store on the same directory shares the environment, and its writer lock.
        let again = try makeStore()
        let shared = try #require(try await Self.boundedOnThread {
            try store.write { _ in Result { try again.write { tx in try tx.put(inner).id } } }
        })
        #expect(Self.code(shared) == .storeReentrant)
        #expect(try await store.read { tx in try tx.household(kk: inner.nomorKK) } == nil)

        // After all that the writer is free.
        #expect(try await store.write { tx in try tx.put(inner).id } != nil)
    }

    @Test func writeInsideReadThrowsAndReadInsideWriteWorks() async throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 24)
        let (first, second) = (factory.household(), factory.household())
        let id = try await store.write { tx in try tx.put(first).id }
        // A write inside a read would wait for itself once the map must grow: always refused.
        let refused = try #require(try await Self.boundedOnThread {
            try store.read { _ in Result { try store.write { tx in try tx.put(second).id } } }
        })
        #expect(Self.code(refused) == .storeReentrant)
        let asyncRefused = try #require(try await Self.bounded {
            try await store.read { _ in Result { try store.write { tx in try tx.put(second).id } } }
        })
        #expect(Self.code(asyncRefused) == .storeReentrant)
        // A read inside a write (its own short transaction) and a read inside a read are fine.
        let seen = try #require(try await Self.bounded {
            try await store.write { tx in
                _ = try tx.put(second)
                return try store.read { outer in try store.read { inner in try inner.household(id: id)?.id } == outer.household(id: id)?.id }
            }
        })
        #expect(seen)
        // Writes to another store from inside a transaction of this one are fine too.
        let other = try makeStore("other")
        let copied = try #require(try await Self.boundedOnThread {
            try store.read { tx in
                var copy = try tx.household(id: id)!
                copy.id = nil
                return try other.write { out in try out.put(copy).id }
            }
        })
        #expect(try await other.read { tx in try tx.household(id: copied) } != nil)
    }

    /// A write whose body grows the map, started while another thread reads: growth waits for
    /// the reader, and nothing is refused.
    @Test func mapGrowthInsideAsyncWriteWaitsForReaders() async throws {
        var options = Store.Options()
        options.mapSize = 1 << 20
        let store = try Store(path: directory.sub("small"), options: options)
        var factory = HouseholdFactory(seed: 25)
        let households = (0..<3_000).map { _ in factory.household() }
        let before = try store.fileInfo().mapSize
        let reading = Task.detached { try await store.read { tx in try tx.counts().total.households } }
        // The bound only tells a hang from slowness: a debug build re-runs the body after each
        // growth, and on a loaded machine that took over 120 s once.
        let written = try #require(try await Self.bounded(seconds: 900) {
            try await store.write { tx in
                for household in households { _ = try tx.put(household) }
                return households.count
            }
        })
        #expect(written == households.count)
        _ = try await reading.value
        #expect(try store.fileInfo().mapSize > before)
        #expect(try await store.read { tx in try tx.counts().total.households } == households.count)
    }

    // MARK: Helpers

    static func code<T>(_ result: Result<T, any Error>) -> LumbungError.Code? {
        guard case .failure(let error) = result else { return nil }
        return (error as? LumbungError)?.code
    }

    /// Runs `body` on a thread of its own (never one of Swift's few cooperative threads) and
    /// waits at most `seconds` for it; nil, and a recorded issue, if it has not returned by then:
    /// what a deadlock looks like.
    static func boundedOnThread<R: Sendable>(seconds: Double = 120, _ body: @escaping @Sendable () throws -> R) async throws -> R? {
        let outcome = Outcome<R>()
        Thread { outcome.finish(Result { try body() }) }.start()
        return try await outcome.wait(seconds: seconds)
    }

    /// Runs `body`, whose store work runs on the store's queues, in a task, waiting at most
    /// `seconds` as ``boundedOnThread(seconds:_:)`` does.
    static func bounded<R: Sendable>(seconds: Double = 120, _ body: @escaping @Sendable () async throws -> R) async throws -> R? {
        let outcome = Outcome<R>()
        Task.detached {
            do { outcome.finish(.success(try await body())) } catch { outcome.finish(.failure(error)) }
        }
        return try await outcome.wait(seconds: seconds)
    }

    /// The result of a body run elsewhere, handed to the waiting test.
    final class Outcome<R: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<R, any Error>?

        func finish(_ result: Result<R, any Error>) { lock.withLock { self.result = result } }

        func wait(seconds: Double) async throws -> R? {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                if let result = lock.withLock({ result }) { return try result.get() }
                try await Task.sleep(for: .milliseconds(5))
            }
            // A loaded machine may wake this loop late: look once more before calling it a hang.
            if let result = lock.withLock({ result }) { return try result.get() }
            Issue.record("still running after \(seconds) s: a deadlock")
            return nil
        }
    }
}

