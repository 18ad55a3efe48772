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
        guard context.logger.logLevel <= level else { return }
        let elapsed = ContinuousClock.now - start
        let micros = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        context.logger.log(level: level, "request", metadata: [
            "method": .string(request.method.rawValue),
            "route": .string(context.endpointPath ?? "unmatched"),
            "status": .stringConvertible(status),
            "duration_us": .stringConvertible(micros),
            "request_id": .string(context.access.requestID),
        ])
    }
}
