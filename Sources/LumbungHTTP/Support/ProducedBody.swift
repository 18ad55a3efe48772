import Foundation
import Hummingbird
import NIOCore

/// A response body that synchronous work writes, chunk by chunk, from a thread of its own: a
/// matcher or an exporter that reads the store in runs or pages and hands on each one's bytes.
///
/// The work starts when the body is written and waits whenever a chunk it sent has not been
/// written to the connection yet, so memory holds a chunk or two however long the answer is, and
/// a slow client slows the work rather than filling memory. A client that goes away stops the
/// work at its next chunk (its `send` throws). The work runs on its own thread, not the
/// cooperative pool, because it blocks: on the store, on its files, and on the client.
///
/// ```swift
/// let body = ProducedBody.body { send in
///     try Exporter.exportCSV(from: store, matching: query, write: send)
/// }
/// ```
enum ProducedBody {
    /// The body `produce` writes through its `send`.
    static func body(_ produce: @escaping @Sendable (_ send: @escaping ([UInt8]) throws -> Void) throws -> Void) -> ResponseBody {
        ResponseBody { writer in
            let channel = ChunkChannel()
            let thread = Thread {
                do {
                    try produce { bytes in try channel.send(bytes) }
                    channel.finish(nil)
                } catch {
                    channel.finish(error)
                }
            }
            thread.name = "lumbung-download"
            thread.start()
            do {
                while let chunk = try await channel.next() {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            } catch {
                channel.abandon()
                throw error
            }
        }
    }
}

/// One chunk at a time from a producing thread to the task that writes the response.
private final class ChunkChannel: @unchecked Sendable {
    private let lock = NSLock()
    private var chunk: [UInt8]?
    private var ended = false
    private var failure: (any Error)?
    private var abandoned = false
    private var waiting: CheckedContinuation<Void, Never>?
    /// Taken by the producer for each chunk, given back when the chunk is taken: one in flight.
    private let free = DispatchSemaphore(value: 1)

    /// The client went away: why the producer stops.
    struct Abandoned: Error {}

    /// Hands on one chunk, waiting while the one before is still unwritten.
    func send(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        free.wait()
        let waiter: CheckedContinuation<Void, Never>? = try lock.withLock {
            guard !abandoned else { throw Abandoned() }
            chunk = bytes
            defer { waiting = nil }
            return waiting
        }
        waiter?.resume()
    }

    /// The producer is done: after its last chunk the body ends, or fails with `error`.
    func finish(_ error: (any Error)?) {
        let waiter: CheckedContinuation<Void, Never>? = lock.withLock {
            ended = true
            failure = error
            defer { waiting = nil }
            return waiting
        }
        waiter?.resume()
    }

    /// The next chunk; nil at the end; the producer's error if it failed.
    func next() async throws -> [UInt8]? {
        while true {
            let taken: (chunk: [UInt8]?, done: Bool, failure: (any Error)?) = lock.withLock {
                if let chunk {
                    self.chunk = nil
                    return (chunk, false, nil)
                }
                return (nil, ended, failure)
            }
            if let chunk = taken.chunk {
                free.signal()
                return chunk
            }
            if let failure = taken.failure { throw failure }
            if taken.done { return nil }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = lock.withLock {
                    guard chunk == nil && !ended else { return true }
                    waiting = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// The response stopped: the producer's next (or current) `send` throws.
    func abandon() {
        lock.withLock { abandoned = true }
        free.signal()
    }
}
