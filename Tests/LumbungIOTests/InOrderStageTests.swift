import Foundation
import Synchronization
import Testing
@testable import LumbungIO

/// ``InOrderStage`` behind a ``DecodePipeline`` against a simple model, a sequential scan: the
/// same items in the same order, each with the running state the step left, whatever the batch
/// sizes and depths; the end step run before the consumer sees the end; a reader's error passed
/// on after items before it, in order; a cancel midway stopping the reader.
@Suite struct InOrderStageTests {
    struct ReaderFailed: Error, Equatable {}

    /// What the threads report: items the reader emitted, and whether the end step ran.
    final class Seen: Sendable {
        let read = Atomic<Int>(0)
        let ended = Atomic<Bool>(false)
        var hasEnded: Bool { ended.load(ordering: .relaxed) }
    }

    /// The items 0..<count read, decoded (doubled) and numbered by a running sum.
    static func stage(count: Int, failAfter: Int? = nil, readBatch: Int = 256, readDepth: Int = 16, batchSize: Int, depth: Int,
                      seen: Seen = Seen()) -> InOrderStage<DecodePipeline<Int, Int>, Int>
    {
        let pipeline = DecodePipeline<Int, Int>(batchSize: readBatch, depth: readDepth, read: { emit in
            for item in 0..<count {
                if item == failAfter { throw ReaderFailed() }
                seen.read.add(1, ordering: .relaxed)
                try emit(item)
            }
        }, decode: { $0 * 2 })
        return InOrderStage(batchSize: batchSize, depth: depth, upstream: pipeline, state: 0, step: { sum, item in
            sum += item
            item = sum
        }, atEnd: { _ in seen.ended.store(true, ordering: .relaxed) })
    }

    /// The model: the running sums of the doubled items.
    static func model(count: Int) -> [Int] {
        var sum = 0
        return (0..<count).map { item in
            sum += item * 2
            return sum
        }
    }

    @Test(arguments: [(1, 1), (1, 5), (3, 1), (7, 2), (256, 4)], [0, 1, 2, 7, 1000])
    func itemsInOrderWithTheirState(sizes: (batch: Int, depth: Int), count: Int) throws {
        for (readBatch, readDepth) in [(1, 1), (5, 3), (256, 16)] {
            let seen = Seen()
            let stage = Self.stage(count: count, readBatch: readBatch, readDepth: readDepth, batchSize: sizes.batch, depth: sizes.depth, seen: seen)
            defer { stage.cancel() }
            var taken: [Int] = []
            while let item = try stage.next() { taken.append(item) }
            #expect(taken == Self.model(count: count))
            #expect(seen.hasEnded, "the end step ran before the end was handed over")
            #expect(try stage.next() == nil)
        }
    }

    @Test(arguments: [(1, 1), (4, 2), (256, 4)], [0, 1, 300])
    func aReadersErrorComesAfterTheItemsBeforeIt(sizes: (batch: Int, depth: Int), failAfter: Int) {
        let seen = Seen()
        let stage = Self.stage(count: 1000, failAfter: failAfter, readBatch: 7, readDepth: 2, batchSize: sizes.batch, depth: sizes.depth, seen: seen)
        defer { stage.cancel() }
        var taken: [Int] = []
        #expect(throws: ReaderFailed()) {
            while let item = try stage.next() { taken.append(item) }
        }
        // A prefix, in order: the reader's unshipped last batch goes with its error, as before the stage.
        #expect(taken.count <= failAfter)
        #expect(taken == Self.model(count: taken.count))
        #expect(seen.hasEnded)
    }

    @Test(arguments: [(1, 1), (3, 2), (256, 4)])
    func aCancelMidwayStopsTheReader(sizes: (batch: Int, depth: Int)) throws {
        let count = 1_000_000
        let seen = Seen()
        let stage = Self.stage(count: count, readBatch: 16, readDepth: 2, batchSize: sizes.batch, depth: sizes.depth, seen: seen)
        var taken: [Int] = []
        for _ in 0..<10 { taken.append(try #require(try stage.next())) }
        stage.cancel()
        stage.cancel()  // safe twice
        #expect(taken == Self.model(count: 10))
        #expect(seen.hasEnded)
        // Bounded by the batches in flight, far short of the file.
        #expect(seen.read.load(ordering: .relaxed) < 10 + 16 * 6 + sizes.batch * (sizes.depth + 4))
        #expect(try stage.next() == nil)
    }
}
