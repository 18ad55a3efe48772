import HTTPTypes
import Lumbung
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTPTypes

/// A cap on the connections a server holds at once. A connection over the cap is answered at
/// once, before it sends anything, with `503 Service Unavailable` (`server.busy`,
/// `Retry-After: 1`) and closed, so a flood of idle connections cannot lock out other clients
/// and a refused client learns why (rather than waiting in the kernel's backlog).
///
/// One limit serves all of a server's connections; add a fresh ``handler()`` per connection:
///
/// ```swift
/// let limit = ConnectionLimit(maximum: 1024)
/// let server = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [limit.handler()]))
/// ```
public final class ConnectionLimit: Sendable {
    public let maximum: Int
    private let open = NIOLockedValueBox(0)

    public init(maximum: Int) {
        self.maximum = maximum
    }

    /// The connections held now.
    public var current: Int { open.withLockedValue { $0 } }

    /// The handler for one connection.
    public func handler() -> ConnectionLimitHandler { ConnectionLimitHandler(limit: self) }

    /// Takes a place; false when all are taken.
    func acquire() -> Bool {
        open.withLockedValue { count in
            guard count < maximum else { return false }
            count += 1
            return true
        }
    }

    func release() {
        open.withLockedValue { $0 -= 1 }
    }
}

extension LumbungError.Code {
    /// The server holds its maximum of connections (503).
    public static let serverBusy = Self("server.busy", .unavailable)
}

/// Holds one of a ``ConnectionLimit``'s places for its connection's life, or refuses the
/// connection when there is none.
public final class ConnectionLimitHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private let limit: ConnectionLimit
    private var holdsPlace = false
    private var refused = false

    init(limit: ConnectionLimit) {
        self.limit = limit
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context: context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        admit(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        leave()
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        leave()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A refused connection's requests go nowhere: it has had its answer.
        if !refused { context.fireChannelRead(data) }
    }

    private func admit(context: ChannelHandlerContext) {
        guard !holdsPlace, !refused else { return }
        if limit.acquire() {
            holdsPlace = true
            return
        }
        refused = true
        let problem = APIError(from: LumbungError(
            .serverBusy, field: "connections", value: String(limit.maximum),
            rule: "the server holds its maximum of connections; retry shortly"))
        let body = ByteBuffer(bytes: problem.problem.bytes)
        let head = HTTPResponse(status: problem.status, headerFields: [
            .contentType: "application/problem+json", .contentLength: String(body.readableBytes),
            .connection: "close", .retryAfter: "1",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    private func leave() {
        if holdsPlace { limit.release() }
        holdsPlace = false
    }
}

@available(*, unavailable)
extension ConnectionLimitHandler: Sendable {}
