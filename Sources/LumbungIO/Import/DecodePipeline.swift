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
    private let handoff: BatchHandoff<Decoded>

    /// Items a batch holds, and batches in flight (decoding or decoded, not yet taken).
    static var batchSize: Int { 256 }
    static var depth: Int { 16 }

    /// Starts reading at once. `read` calls `emit` for each item, in file order; it runs on a
    /// thread of its own and stops early (emit throws) once the consumer cancels.
    init(batchSize: Int = DecodePipeline.batchSize, depth: Int = DecodePipeline.depth,
         read: @escaping @Sendable (_ emit: (Item) throws -> Void) throws -> Void,
         decode: @escaping @Sendable (Item) -> Decoded)
    {
        let handoff = BatchHandoff<Decoded>(depth: depth)
        self.handoff = handoff
        Parallel.thread {
            var batch: [Item] = []
            batch.reserveCapacity(batchSize)
            func ship() {
                let items = batch
                batch = []
                batch.reserveCapacity(batchSize)
                let slot = BatchHandoff<Decoded>.Slot()
                handoff.hand(slot)
                _ = Parallel.start(1) { _ in
                    slot.items = items.reversed().map(decode)
                    slot.done.signal()
                }
            }
            var failure: (any Error)?
            do {
                try read { item in
                    if handoff.isCancelled { throw CancellationError() }
                    batch.append(item)
                    if batch.count == batchSize { ship() }
                }
                if !batch.isEmpty { ship() }
            } catch {
                failure = error
            }
            handoff.end(failure)
        }
    }

    /// The next decoded item in file order; nil at the end. Rethrows what the reader threw.
    func next() throws -> Decoded? { try handoff.next() }

    /// Stops the reader and waits for it, discarding what is in flight. Safe to call twice.
    func cancel() { handoff.cancel() }
}
