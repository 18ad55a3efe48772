import Hummingbird
import Lumbung

/// What Lumbung's routes need from a request context: the authenticated token and the request id.
///
/// Use ``LumbungBasicRequestContext``, or conform your own context to mount Lumbung's routes
/// inside your application:
///
/// ```swift
/// struct AppContext: LumbungRequestContext {
///     var coreContext: CoreRequestContextStorage
///     var access = RequestAccess()
///     init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
/// }
/// ```
public protocol LumbungRequestContext: RequestContext {
    var access: RequestAccess { get set }
}

/// The authenticated caller of one request.
public struct RequestAccess: Sendable {
    /// The token the request presented; nil before authentication and on `/health`.
    public var token: AccessToken?
    /// The request id: the caller's `X-Request-Id` when it is sane, else a fresh one.
    public var requestID: String

    public init(token: AccessToken? = nil, requestID: String = "") {
        self.token = token
        self.requestID = requestID
    }

    /// The journal's actor for a write: the token's actor and the request id.
    public var journalActor: String {
        "\(token?.actor ?? "anonymous") request=\(requestID)"
    }

    /// The token, or `auth.missing` (401): fails closed if a route is mounted without the
    /// authentication middleware.
    public func authenticated() throws -> AccessToken {
        guard let token else {
            throw LumbungError(.authMissing, rule: "this route needs `Authorization: Bearer <token>`")
        }
        return token
    }

    /// The token, if its role includes `role`; else `auth.forbidden` (403).
    public func authorized(_ role: AccessRole) throws -> AccessToken {
        try authenticated().authorized(role)
    }
}

extension AccessToken {
    /// This token, if its role includes `role`; else `auth.forbidden` (403). The routes check
    /// through ``RequestAccess/authorized(_:)``, the persons fast path directly.
    @inline(__always)
    func authorized(_ role: AccessRole) throws(LumbungError) -> AccessToken {
        guard self.role.includes(role) else {
            throw LumbungError(.authForbidden, field: "role", value: self.role.rawValue, rule: "this needs the \(role) role or higher")
        }
        return self
    }
}

/// The request context `lumbung serve` uses.
public struct LumbungBasicRequestContext: LumbungRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var access = RequestAccess()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
