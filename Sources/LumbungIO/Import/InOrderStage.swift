import Foundation
import Lumbung
import Synchronization

/// Items handed out one at a time, in order, to one consumer: ``DecodePipeline`` and
/// ``InOrderStage``, so that a stage can follow either.
protocol OrderedItems: AnyObject, Sendable {
    associatedtype Output: Sendable

    /// The next item; nil at the end. Rethrows what the source threw.
    func next() throws -> Output?
    /// Stops the source and waits for it, discarding what is in flight. Safe to call twice.
    func cancel()
}

extension DecodePipeline: OrderedItems {}

/// Runs a stateful step over another stage's items in their order on a thread of its own, and
/// hands them on to the consumer in batches: work that must see every item in file order (the
/// file-wide checks of an import) leaves the consumer's thread, which then only writes.
///
/// The stage's thread alone takes the upstream's items; it runs `step` on each and ships them
/// `batchSize` at a time. At most `depth` batches wait for the consumer, so the stage holds at
/// most `depth` + 1 batches besides the step's state. When the upstream ends (or fails, or the
/// consumer cancels), `atEnd` runs on the state before the consumer sees the end, so what the
/// state remembers is gone by then.
///
/// ```swift
/// let stage = InOrderStage(upstream: pipeline, state: 0, step: { sum, item in sum += item; item = sum })
/// defer { stage.cancel() }
/// while let runningSum = try stage.next() { use(runningSum) }
/// ```
final class InOrderStage<Upstream: OrderedItems, State: Sendable>: OrderedItems, @unchecked Sendable {
    typealias Item = Upstream.Output
    typealias Output = Upstream.Output

    private let handoff: BatchHandoff<Item>

    /// Items a batch holds (the decode pipeline's, so a decoded batch goes on as one), and
    /// batches waiting for the consumer.
    static var batchSize: Int { DecodePipeline<Int, Int>.batchSize }
    static var depth: Int { 4 }

    /// Starts at once: the stage's thread owns `upstream` from now on (it calls `next`, and
    /// `cancel` once it stops), and `state`.
    init(batchSize: Int = InOrderStage.batchSize, depth: Int = InOrderStage.depth, upstream: Upstream, state: State,
         step: @escaping @Sendable (_ state: inout State, _ item: inout Item) -> Void,
         atEnd: @escaping @Sendable (_ state: inout State) -> Void = { _ in })
    {
        let handoff = BatchHandoff<Item>(depth: depth)
        self.handoff = handoff
        Parallel.thread {
            var state = state
            var batch: [Item] = []
            batch.reserveCapacity(batchSize)
            func ship() {
                batch.reverse()
                handoff.hand(.init(filledWith: batch))
                batch = []
                batch.reserveCapacity(batchSize)
            }
            var failure: (any Error)?
            do {
                while true {
                    if handoff.isCancelled { throw CancellationError() }
                    guard var item = try upstream.next() else { break }
                    step(&state, &item)
                    batch.append(item)
                    if batch.count == batchSize { ship() }
                }
                if !batch.isEmpty { ship() }
            } catch {
                failure = error
            }
            // Stops a reader still going (a cancel or a step's caller gave up); no-op at its end.
            upstream.cancel()
            atEnd(&state)
            handoff.end(failure)
        }
    }

    /// The next item in order; nil at the end. Rethrows what the upstream threw.
    func next() throws -> Item? { try handoff.next() }

    /// Stops the stage and its upstream and waits for them, discarding what is in flight. Safe
    /// to call twice.
    func cancel() { handoff.cancel() }
}
