import Foundation

/// Runs independent pieces of work on other threads: the one way Lumbung fans work out.
///
/// Not `DispatchQueue.concurrentPerform`: that one hands iterations to the caller's own pool and
/// waits for them, so a caller on a busy Swift-concurrency pool (a test, a server handler)
/// can wait forever for a pool thread that never comes free.
///
/// ```swift
/// Parallel.run(2) { part in part == 0 ? sortNIKs() : sortKKs() }
/// let pending = Parallel.start(4) { worker in encode(slice: worker) }
/// pending.wait()
/// ```
public enum Parallel {
    /// Calls `body(0)`…`body(count - 1)` at once, each on a thread of its own but `body(0)`,
    /// which the caller runs (so it may take locks the caller holds, recursive ones). Returns
    /// when all are done.
    public static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        let done = DispatchSemaphore(value: 0)
        for part in 1..<count {
            thread {
                body(part)
                done.signal()
            }
        }
        body(0)
        for _ in 1..<count { done.wait() }
    }

    /// Starts `body(0)`…`body(count - 1)` on the global pool and returns at once; none of them
    /// may wait for another (a pool thread blocked in a wait looks busy, and work queues behind
    /// it). ``Pending/wait()`` waits for all.
    public static func start(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Pending {
        let group = DispatchGroup()
        for part in 0..<count {
            group.enter()
            DispatchQueue.global().async {
                body(part)
                group.leave()
            }
        }
        return Pending(group: group)
    }

    /// Hands `value` to the global pool to be released there: its deallocation (a chunk of
    /// written households, thousands of arrays and strings) then runs beside the caller, not on
    /// it. The caller must hold no other reference, or the release stays its own.
    ///
    /// ```swift
    /// Parallel.release(consume written)
    /// ```
    public static func release<Value: Sendable>(_ value: consuming Value) {
        let box = Released(value)
        DispatchQueue.global().async { box.value = nil }
    }

    private final class Released<Value: Sendable>: @unchecked Sendable {
        var value: Value?
        init(_ value: consuming Value) { self.value = value }
    }

    /// Work ``start(_:_:)`` began.
    public struct Pending: Sendable {
        let group: DispatchGroup

        public func wait() { group.wait() }
    }

    /// Runs `body` on a new thread with a stack large enough for deep decoding: for a producer
    /// that lives as long as its work (a file reader).
    public static func thread(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.stackSize = 8 << 20
        thread.start()
    }
}
