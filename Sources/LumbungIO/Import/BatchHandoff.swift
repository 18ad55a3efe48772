import Foundation
import Lumbung
import Synchronization

/// A bounded, in-order hand-off of batches from one producer thread to one consumer: the one
/// home of the queue, its two semaphores and the end that ``DecodePipeline`` and
/// ``InOrderStage`` share.
///
/// The producer queues a ``Slot`` per batch (waiting while `depth` slots are queued) and fills
/// it now or later (signalling `done`), then queues the end. The consumer takes items in order
/// with ``next()``, waiting for each slot to be filled; ``cancel()`` tells the producer to stop
/// (``isCancelled``) and drains what is queued up to the end.
///
/// ```swift
/// let handoff = BatchHandoff<Int>(depth: 4)
/// Parallel.thread { handoff.hand(.init(filledWith: [3, 2, 1])); handoff.end(nil) }
/// while let item = try handoff.next() { use(item) }    // 1, 2, 3
/// ```
final class BatchHandoff<Item: Sendable>: @unchecked Sendable {
    /// One batch, last item first (the consumer pops each off the end, moving it out uncopied),
    /// or the end and why. Read by the consumer only after `done` signals.
    final class Slot: @unchecked Sendable {
        var items: [Item] = []
        var error: (any Error)?
        var isEnd = false
        let done = DispatchSemaphore(value: 0)

        /// A batch to be filled later (then `done.signal()`).
        init() {}

        /// A batch filled already, last item first.
        init(filledWith items: [Item]) {
            self.items = items
            done.signal()
        }
    }

    private let slots = Locked<[Slot]>([])
    private let available = DispatchSemaphore(value: 0)
    private let room: DispatchSemaphore
    private let cancelled = Atomic<Bool>(false)
    /// The batch being handed out, last item first (the consumer's own).
    private var current: [Item] = []
    private var finished = false

    init(depth: Int) {
        room = DispatchSemaphore(value: depth)
    }

    /// Whether the consumer cancelled: the producer stops at its next item.
    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Waits for room, then queues `slot` for the consumer (the producer's thread).
    func hand(_ slot: Slot) {
        room.wait()
        slots.withLock { $0.append(slot) }
        available.signal()
    }

    /// Queues the end, after every batch (the producer's last call).
    func end(_ error: (any Error)?) {
        let slot = Slot(filledWith: [])
        slot.isEnd = true
        slot.error = error
        hand(slot)
    }

    /// The next slot, once filled.
    private func take() -> Slot {
        available.wait()
        let slot = slots.withLock { $0.removeFirst() }
        slot.done.wait()
        room.signal()
        return slot
    }

    /// The next item in order; nil at the end. Rethrows what the producer ended with.
    func next() throws -> Item? {
        while current.isEmpty {
            if finished { return nil }
            let slot = take()
            if slot.isEnd {
                finished = true
                if let error = slot.error { throw error }
                return nil
            }
            // Taken, not shared with the slot, so that popping moves each item out.
            current = slot.items
            slot.items = []
        }
        return current.popLast()
    }

    /// Tells the producer to stop and waits for its end, discarding what is in flight. Safe to
    /// call twice.
    func cancel() {
        cancelled.store(true, ordering: .relaxed)
        while !finished {
            if take().isEnd { finished = true }
        }
        current = []
    }
}
