import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Lumbung
import Metrics
import NIOCore
import NIOHTTPTypes

/// Answers `GET /v1/persons/{nik}` on the event loop that read it, before Hummingbird's router.
///
/// The router answers each request in a Swift task: the request goes from the event loop to a
/// pool thread through an async sequence, passes five middleware and the router, and the
/// answer goes back the same way. For the hottest route, a point look-up of a few
/// microseconds, that trip cost more than the work (BENCHMARKS.md, "HTTP server"). This
/// handler sits in the channel pipeline and answers the plain successful case itself, with the
/// same bytes, headers, metrics and log line as the route:
///
/// - a `GET /v1/persons/<16 digits>` with no query, no body and no `Connection` header but
///   `keep-alive`;
/// - whose bearer token is known (from the gateway's token cache or a point look-up) and may
///   read, and whose member lives in the token's scope.
///
/// Anything else (a bad NIK, an unknown token, a member outside the scope or absent, a store
/// error) goes on to the router untouched, which answers it as always. So does every request
/// while an earlier one on the same connection is still with the router, so pipelined answers
/// keep their order. It needs look-ups that may run on the calling thread
/// (``StoreGateway/ReadExecution/inline``); with `queue` it is not installed.
///
/// ```swift
/// let server: HTTPServerBuilder = .http1(configuration: .init(
///     additionalChannelHandlers: [api.personLookupFastPath(logger: logger)]))
/// ```
final class PersonLookupFastPath: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let answerer: Answerer
    /// Requests passed to the router whose answers have not ended yet.
    private var withRouter = 0
    /// Whether the rest of the current request (its `.end`) belongs to an answered request.
    private var discardingRest = false

    init(answerer: Answerer) {
        self.answerer = answerer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            if withRouter == 0, let (head, body) = answerer.answer(request) {
                discardingRest = true
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.write(wrapOutboundOut(.body(body)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            withRouter += 1
            context.fireChannelRead(data)
        case .body:
            if !discardingRest { context.fireChannelRead(data) }
        case .end:
            if discardingRest {
                discardingRest = false
            } else {
                context.fireChannelRead(data)
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), withRouter > 0 { withRouter -= 1 }
        context.write(data, promise: promise)
    }

    /// Decides whether a request is the plain case and builds its answer, with the router's
    /// own steps: ``BearerAuthentication``, ``PersonLookup``, ``RequestIDs``,
    /// ``RequestMetrics`` and ``RequestLogLine``.
    struct Answerer: Sendable {
        let gateway: StoreGateway
        let logger: Logger
        let logLevel: Logger.Level
        let serverName: String?
        /// The route as the router names it in metrics and logs: `/v1/persons/{nik}` at the
        /// root, `/lumbung/v1/persons/{nik}` mounted at `lumbung`.
        let route: String
        /// The path up to the NIK.
        let prefix: [UInt8]
        let dates = HTTPDate()
        /// The route's metrics for a 200, made once.
        let metrics: RequestMetrics
        /// How many requests the fast path answered itself (`lumbung_http_fast_path_answers`).
        let answered = Counter(label: "lumbung.http.fast_path.answers")

        init(gateway: StoreGateway, logger: Logger, logLevel: Logger.Level, serverName: String?, mountPath: String) {
            self.gateway = gateway
            self.logger = logger
            self.logLevel = logLevel
            self.serverName = serverName
            let mount = mountPath.split(separator: "/").map { "/" + $0 }.joined()
            route = mount + "/v1/persons/{nik}"
            prefix = Array((mount + "/v1/persons/").utf8)
            metrics = RequestMetrics(route: route, method: .get, status: .ok)
        }

        /// The answer's head and body, or nil for the router to answer (anything but the plain
        /// successful case: the router then answers it as always).
        func answer(_ request: HTTPRequest) -> (HTTPResponse, ByteBuffer)? {
            let start = ContinuousClock.now
            guard request.method == .get, let path = request.path, path.utf8.count == prefix.count + 16,
                path.utf8.starts(with: prefix),
                request.headerFields[.connection].map({ $0.lowercased() == "keep-alive" }) ?? true,
                request.headerFields[.contentLength].map({ $0 == "0" }) ?? true,
                request.headerFields[.transferEncoding] == nil,
                let nik = try? NIK(String(path.utf8.dropFirst(prefix.count))!)
            else { return nil }
            do {
                let secret = try BearerAuthentication.secret(request.headerFields[.authorization])
                let token = try BearerAuthentication.known(try gateway.authenticateNow(secret: secret)).authorized(PersonLookup.role)
                guard let body = try gateway.lookupNow({ tx in try PersonLookup.body(nik, token: token, in: tx) }) else { return nil }
                let requestID = RequestIDs.id(request.headerFields)
                var fields: HTTPFields = [:]
                fields[.contentType] = "application/json"
                fields[.contentLength] = String(body.readableBytes)
                fields[requestIDField] = requestID
                fields[.date] = dates.now()
                if let serverName { fields[.server] = serverName }
                answered.increment()
                let elapsed = (ContinuousClock.now - start).components
                metrics.record(nanoseconds: UInt64(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000))
                if logger.logLevel <= logLevel {
                    var logger = logger
                    logger[metadataKey: "hb.request.id"] = .string(requestID)
                    RequestLogLine.write(to: logger, level: logLevel, method: .get, route: route, status: 200, start: start, requestID: requestID)
                }
                return (HTTPResponse(status: .ok, headerFields: fields), body)
            } catch {
                return nil
            }
        }
    }
}

extension LumbungAPI {
    /// Makes the channel handlers of the persons fast path (``PersonLookupFastPath``), for a
    /// server that runs this API at its root, as `lumbung serve` does, or mounted at a path.
    ///
    /// ```swift
    /// let fastPath = api.personLookupFastPath(logger: logger, serverName: "lumbung")
    /// let app = Application(router: api.router(), server: .http1(configuration: .init(
    ///     additionalChannelHandlers: fastPath.handlers())), logger: logger)
    ///
    /// api.addRoutes(to: router.group("lumbung"))        // in your own app: the same path here
    /// let mounted = api.personLookupFastPath(logger: logger, mountedAt: "lumbung")
    /// ```
    /// - Parameters:
    ///   - logger: the application's logger, for the request log line.
    ///   - requestLogLevel: the level of that line, as given to ``router(logLevel:)``.
    ///   - serverName: the `Server` header, as in the application's configuration.
    ///   - mountPath: the group the routes were added to with ``addRoutes(to:)`` (`lumbung`
    ///     or `/api/lumbung`); empty at the root.
    public func personLookupFastPath(
        logger: Logger, requestLogLevel: Logger.Level = .info, serverName: String? = nil, mountedAt mountPath: String = ""
    ) -> PersonLookupFastPathHandlers {
        PersonLookupFastPathHandlers(
            answerer: gateway.readExecution == .inline
                ? PersonLookupFastPath.Answerer(gateway: gateway, logger: logger, logLevel: requestLogLevel, serverName: serverName, mountPath: mountPath)
                : nil)
    }
}

/// Makes the persons fast path's channel handler for each new connection (none when point
/// look-ups go to the read queue).
public struct PersonLookupFastPathHandlers: Sendable {
    let answerer: PersonLookupFastPath.Answerer?

    /// The handlers for one connection.
    public func handlers() -> [any RemovableChannelHandler] {
        answerer.map { [PersonLookupFastPath(answerer: $0)] } ?? []
    }
}

/// The `Date` header's text (RFC 9110 IMF-fixdate), made once a second.
final class HTTPDate: @unchecked Sendable {
    private let lock = NSLock()
    private var second = 0
    private var text = ""

    func now() -> String {
        let seconds = Int(Date().timeIntervalSince1970)
        lock.lock()
        defer { lock.unlock() }
        if seconds != second {
            second = seconds
            text = Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(Self.style)
        }
        return text
    }

    private static let style = Date.VerbatimFormatStyle(
        format: "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .padded(4)) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
        locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "GMT")!, calendar: Calendar(identifier: .gregorian))
}
