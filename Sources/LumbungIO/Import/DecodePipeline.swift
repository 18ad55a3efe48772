import Foundation
import Lumbung
import Synchronization

/// Reads, decodes and hands back a file's households in file order, with decoding spread over
/// the cores.
///
/// A reader thread runs `read`, which emits raw items (a household's grouped rows, a JSON line)
/// in batches; each batch is decoded on the global dispatch pool; the consumer takes the decoded
/// batches in order with ``next()``. At most `depth` batches are in flight, so memory stays
/// bounded however large the file.
///
/// ```swift
/// let pipeline = DecodePipeline(read: { emit in for line in lines { try emit(line) } },
///                               decode: { line in parse(line) })
/// defer { pipeline.cancel() }
/// while let item = try pipeline.next() { use(item) }
/// ```
final class DecodePipeline<Item: Sendable, Decoded: Sendable>: @unchecked Sendable {
    /// One batch: filled by a decoding worker, read by the consumer after `done` signals.
    private final class Slot: @unchecked Sendable {
        var decoded: [Decoded] = []
        var error: (any Error)?
        var isEnd = false
        let done = DispatchSemaphore(value: 0)
    }

    private let slots = Locked<[Slot]>([])
    private let available = DispatchSemaphore(value: 0)
    private let room: DispatchSemaphore
    private let cancelled = Atomic<Bool>(false)
    /// The batch being handed out, last item first.
    private var current: [Decoded] = []
    private var finished = false

    /// Items a batch holds, and batches in flight (decoding or decoded, not yet taken).
    static var batchSize: Int { 256 }
    static var depth: Int { 16 }

    /// Starts reading at once. `read` calls `emit` for each item, in file order; it runs on a
    /// thread of its own and stops early (emit throws) once the consumer cancels.
    init(batchSize: Int = DecodePipeline.batchSize, depth: Int = DecodePipeline.depth,
         read: @escaping @Sendable (_ emit: (Item) throws -> Void) throws -> Void,
         decode: @escaping @Sendable (Item) -> Decoded)
    {
        room = DispatchSemaphore(value: depth)
        Parallel.thread { [self] in
            var batch: [Item] = []
            batch.reserveCapacity(batchSize)
            func ship() {
                let items = batch
                batch = []
                batch.reserveCapacity(batchSize)
                let slot = Slot()
                room.wait()
                slots.withLock { $0.append(slot) }
                available.signal()
                _ = Parallel.start(1) { _ in
                    // Last item first: the consumer pops each off the end, moving it out uncopied.
                    slot.decoded = items.reversed().map(decode)
                    slot.done.signal()
                }
            }
            var failure: (any Error)?
            do {
                try read { item in
                    if cancelled.load(ordering: .relaxed) { throw CancellationError() }
                    batch.append(item)
                    if batch.count == batchSize { ship() }
                }
                if !batch.isEmpty { ship() }
            } catch {
                failure = error
            }
            let end = Slot()
            end.isEnd = true
            end.error = failure
            end.done.signal()
            room.wait()
            slots.withLock { $0.append(end) }
            available.signal()
        }
    }

    /// The next decoded item in file order; nil at the end. Rethrows what the reader threw.
    func next() throws -> Decoded? {
        while current.isEmpty {
            if finished { return nil }
            available.wait()
            let slot = slots.withLock { $0.removeFirst() }
            slot.done.wait()
            room.signal()
            if slot.isEnd {
                finished = true
                if let error = slot.error { throw error }
                return nil
            }
            // Taken, not shared with the slot, so that popping moves each item out.
            current = slot.decoded
            slot.decoded = []
        }
        return current.popLast()
    }

    /// Stops the reader and waits for it, discarding what is in flight. Safe to call twice.
    func cancel() {
        cancelled.store(true, ordering: .relaxed)
        while !finished {
            available.wait()
            let slot = slots.withLock { $0.removeFirst() }
            slot.done.wait()
            room.signal()
            if slot.isEnd { finished = true }
        }
        current = []
    }
}
