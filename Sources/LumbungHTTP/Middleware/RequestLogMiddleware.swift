import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Logs one line per request: method, route pattern (`/v1/persons/{nik}`, never the path itself,
/// which may hold a NIK), status, duration and request id (add it after ``RequestIDMiddleware``).
public struct RequestLogMiddleware<Context: LumbungRequestContext>: RouterMiddleware {
    let level: Logger.Level

    public init(level: Logger.Level = .info) { self.level = level }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context, status: response.status.code, start: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            log(request, context, status: status, start: start)
            throw error
        }
    }

    private func log(_ request: Request, _ context: Context, status: Int, start: ContinuousClock.Instant) {
        RequestLogLine.write(to: context.logger, level: level, method: request.method, route: context.endpointPath ?? "unmatched", status: status, start: start, requestID: context.access.requestID)
    }
}

/// The one log line of a request, written by ``RequestLogMiddleware`` and the persons fast path.
enum RequestLogLine {
    /// The request's one log line, if `logger` logs at `level`.
    static func write(to logger: Logger, level: Logger.Level, method: HTTPRequest.Method, route: String, status: Int, start: ContinuousClock.Instant, requestID: String) {
        guard logger.logLevel <= level else { return }
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        logger.log(level: level, "request", metadata: [
            "method": .string(method.rawValue),
            "route": .string(route),
            "status": .stringConvertible(status),
            "duration_us": .stringConvertible(micros),
            "request_id": .string(requestID),
        ])
    }
}
