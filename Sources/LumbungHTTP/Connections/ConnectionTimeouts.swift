import NIOCore
import NIOHTTPTypes

/// Deadlines that close a connection a slow or silent client holds open:
///
/// - `header`: from the first byte of a request until its whole head has arrived;
/// - `body`: from the head until the whole body has arrived;
/// - `idle`: from the connection's start, or its last response, until the next request begins.
///
/// While the server answers (a long poll, an event stream) no deadline runs. A connection past a
/// deadline is closed without an answer. Add a fresh ``handler()`` per connection:
///
/// ```swift
/// let timeouts = ConnectionTimeouts(header: .seconds(10), body: .seconds(30), idle: .seconds(60))
/// let server = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [timeouts.handler()]))
/// ```
public struct ConnectionTimeouts: Sendable, Equatable {
    public var header: TimeAmount
    public var body: TimeAmount
    public var idle: TimeAmount

    public init(header: TimeAmount = .seconds(10), body: TimeAmount = .seconds(30), idle: TimeAmount = .seconds(60)) {
        self.header = header
        self.body = body
        self.idle = idle
    }

    /// The handler for one connection.
    public func handler() -> ConnectionTimeoutHandler { ConnectionTimeoutHandler(timeouts: self) }
}

/// Enforces ``ConnectionTimeouts`` on one connection. It sits after the HTTP decoder and puts a
/// small observer of raw bytes at the front of the pipeline: a request's head in progress shows
/// only as bytes.
public final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    enum Phase: Equatable { case idle, readingHead, readingBody, responding }

    let timeouts: ConnectionTimeouts
    private(set) var phase: Phase?
    /// Requests read whose responses are not yet written to their end (pipelining).
    private var unanswered = 0
    private var deadline: Scheduled<Void>?

    init(timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        try? context.pipeline.syncOperations.addHandler(RequestBytesObserver(timeouts: self), position: .first)
        if context.channel.isActive { enter(.idle, context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    public func channelActive(context: ChannelHandlerContext) {
        if phase == nil { enter(.idle, context: context) }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            enter(.readingBody, context: context)
        case .body:
            break
        case .end:
            // The fast path may have answered before the request's end arrived.
            enter(unanswered > 0 ? .responding : .idle, context: context)
        }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unanswered -= 1
            if unanswered <= 0, phase == .responding { enter(.idle, context: context) }
        }
        context.write(data, promise: promise)
    }

    /// Raw bytes arrived: when nothing was being read, they begin a request's head. (Bytes of a
    /// next request that arrive in the same read as the end of the last one are covered by the
    /// idle deadline instead.)
    fileprivate func bytesArrived(context: ChannelHandlerContext) {
        if phase == .idle || phase == .responding { enter(.readingHead, context: context) }
    }

    private func enter(_ next: Phase, context: ChannelHandlerContext) {
        phase = next
        deadline?.cancel()
        deadline = nil
        let limit: TimeAmount? = switch next {
        case .idle: timeouts.idle
        case .readingHead: timeouts.header
        case .readingBody: timeouts.body
        case .responding: nil
        }
        guard let limit else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) {
            context.close(promise: nil)
        }
    }
}

/// Tells the timeout handler when bytes arrive, before the HTTP decoder sees them.
final class RequestBytesObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeouts: ConnectionTimeoutHandler
    private var timeoutsContext: ChannelHandlerContext?

    init(timeouts: ConnectionTimeoutHandler) {
        self.timeouts = timeouts
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if timeoutsContext == nil { timeoutsContext = try? context.pipeline.syncOperations.context(handler: timeouts) }
        if let timeoutsContext { timeouts.bytesArrived(context: timeoutsContext) }
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ConnectionTimeoutHandler: Sendable {}

@available(*, unavailable)
extension RequestBytesObserver: Sendable {}
