import Foundation
import Testing
@testable import Lumbung

@Suite struct ParallelTests {
    /// Signals when it is deallocated, and on which thread.
    final class Tracked: @unchecked Sendable {
        let done: DispatchSemaphore
        let releasedOn: Locked<pthread_t?>
        init(done: DispatchSemaphore, releasedOn: Locked<pthread_t?>) {
            self.done = done
            self.releasedOn = releasedOn
        }
        deinit {
            releasedOn.withLock { $0 = pthread_self() }
            done.signal()
        }
    }

    @Test("a value handed to release is deallocated on another thread, once")
    func releaseDeallocatesElsewhere() {
        let done = DispatchSemaphore(value: 0)
        let releasedOn = Locked<pthread_t?>(nil)
        var chunk = [Tracked(done: done, releasedOn: releasedOn)]
        chunk.append(chunk[0])
        Parallel.release(consume chunk)
        #expect(done.wait(timeout: .now() + 10) == .success)
        let thread = releasedOn.withLock { $0 }
        #expect(thread != nil && pthread_equal(thread!, pthread_self()) == 0)
        #expect(done.wait(timeout: .now() + 0.2) == .timedOut)
    }
}
