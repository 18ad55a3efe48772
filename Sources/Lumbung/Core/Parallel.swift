import Foundation

/// Runs independent pieces of work on threads of their own.
///
/// Not `DispatchQueue.concurrentPerform`: that one hands iterations to the caller's own pool and
/// waits for them, so a caller on a busy Swift-concurrency pool (a test, a server handler)
/// can wait forever for a pool thread that never comes free.
///
/// ```swift
/// Parallel.run(2) { part in part == 0 ? sortNIKs() : sortKKs() }
/// ```
enum Parallel {
    /// Calls `body(0)`…`body(count - 1)` at once; the caller runs `body(0)` (so it may take
    /// locks the caller holds, recursive ones). Returns when all are done.
    static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        let done = DispatchSemaphore(value: 0)
        for part in 1..<count {
            let thread = Thread {
                body(part)
                done.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        body(0)
        for _ in 1..<count { done.wait() }
    }
}
