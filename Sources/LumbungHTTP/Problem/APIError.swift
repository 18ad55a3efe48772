import Hummingbird
import Lumbung
import HTTPTypes
import NIOCore
import NIOHTTP1

/// An error as the API answers it: an RFC 9457 `application/problem+json` body carrying
/// Lumbung's stable error code and the field, (masked) value and rule that were broken.
///
/// ```json
/// {"type":"urn:lumbung:problem:nik.duplicate","title":"Conflict","status":409,
///  "code":"nik.duplicate","detail":"[nik.duplicate] anggota[0].nik '3216********0001': …",
///  "errors":[{"code":"nik.duplicate","field":"anggota[0].nik","value":"3216********0001","rule":"…"}],
///  "request_id":"6f1c…"}
/// ```
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let error: LumbungError
    public var requestID: String?
    /// Seconds for a `Retry-After` header (429).
    public var retryAfter: Int?
    /// For a 405: the methods the route takes, answered as `Allow`.
    public var allowedMethods: [HTTPRequest.Method] = []

    /// The answer for `error`, with the status its kind maps to (``status(for:)``).
    public init(_ error: LumbungError) {
        self.init(Self.status(for: error), error)
    }

    /// The answer for `error` with a status of the caller's choosing: a bad parameter is 400
    /// whatever the register would call its value.
    public init(_ status: HTTPResponse.Status, _ error: LumbungError) {
        self.status = status
        // The other household of a duplicate may lie outside the caller's scope: never named.
        var error = error
        error.otherHouseholdID = nil
        self.error = error
    }

    /// 405 for `method` on a route that takes `allowed`.
    public static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> APIError {
        let names = allowed.map(\.rawValue)
        var error = APIError(LumbungError(
            .requestMethod, field: "method", value: String(method.rawValue.prefix(32)),
            rule: "this route takes \(names.joined(separator: ", "))"))
        error.allowedMethods = allowed
        return error
    }

    /// The error the API answers for `error`: its own status for Lumbung's codes, 413 for an
    /// oversized body, 400 for a request NIO cannot parse (a malformed chunked body surfaces
    /// while the route reads it), the router's status for its own errors, 500 (with no detail)
    /// otherwise.
    public init(from error: any Error) {
        switch error {
        case let api as APIError:
            self = api
        case let lumbung as LumbungError:
            self.init(Self.status(for: lumbung), lumbung)
        case is NIOTooManyBytesError:
            self.init(.contentTooLarge, LumbungError(.requestTooLarge, rule: "the body is larger than the server's limit"))
        case let parse as HTTPParserError:
            self.init(.badRequest, LumbungError(.requestInvalid, rule: "the request is not valid HTTP/1.1 (\(parse))"))
        case let http as HTTPError:
            let code: LumbungError.Code = switch http.status {
            case .notFound: .requestNotFound
            case .methodNotAllowed: .requestMethod
            case .contentTooLarge: .requestTooLarge
            case .unauthorized: .authMissing
            case .forbidden: .authForbidden
            default: .requestInvalid
            }
            let rule = http.status == .notFound ? "no such route (see /openapi.yaml)" : (http.body ?? http.status.reasonPhrase)
            self.init(http.status.code >= 500 ? .internalServerError : http.status, LumbungError(code, rule: rule))
        case let http as any HTTPResponseError where http.status.code < 500:
            self.init(http.status, LumbungError(.requestInvalid, rule: http.status.reasonPhrase))
        default:
            self.init(.internalServerError, LumbungError(.internalError, rule: "internal error; the server log has the details (request id)"))
        }
    }

    /// The HTTP status a Lumbung error answers with: its code's kind decides.
    public static func status(for error: LumbungError) -> HTTPResponse.Status {
        switch error.code.kind {
        case .malformed: .badRequest
        case .invalidInput: .unprocessableContent
        case .notFound: .notFound
        case .conflict: .conflict
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .tooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .methodNotAllowed: .methodNotAllowed
        case .rateLimited: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .storageFull: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        case .storage, .corrupt, .verificationFailed, .internal: .internalServerError
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [:]
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="lumbung""# }
        if let requestID { headers[requestIDField] = requestID }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if !allowedMethods.isEmpty { headers[.allow] = allowedMethods.map(\.rawValue).joined(separator: ", ") }
        return problem.response(status: status, contentType: "application/problem+json", headers: headers)
    }

    /// The RFC 9457 body.
    public var problem: JSONValue {
        var detail: [(String, JSONValue)] = [("code", .string(error.code.rawValue)), ("message", .string(error.message))]
        if let field = error.field { detail.append(("field", .string(field))) }
        if let value = error.value { detail.append(("value", .string(value))) }
        detail.append(("rule", .string(error.rule)))
        var body: [(String, JSONValue)] = [
            ("type", .string("urn:lumbung:problem:\(error.code.rawValue)")),
            ("title", .string(status.reasonPhrase)),
            ("status", .int(status.code)),
            ("code", .string(error.code.rawValue)),
            ("detail", .string(error.message)),
            ("errors", .array([.object(detail)])),
        ]
        if let id = error.householdID { body.append(("household_id", .int(Int(id.rawValue)))) }
        if let requestID { body.append(("request_id", .string(requestID))) }
        return .object(body)
    }
}

/// `X-Request-Id`.
let requestIDField = HTTPField.Name("X-Request-Id")!

/// `X-Lumbung-Outcome`: `updated` or `unchanged` after a PUT.
let outcomeField = HTTPField.Name("X-Lumbung-Outcome")!

/// `Last-Event-ID`: where a reconnecting Server-Sent Events client resumes.
let lastEventIDField = HTTPField.Name("Last-Event-ID")!
