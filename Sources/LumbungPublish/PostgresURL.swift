import Foundation
import Lumbung
import PostgresNIO

/// A libpq-style connection URL as postgres-nio's configuration.
///
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, or a Unix socket directory in `?host=`
/// (`postgresql://lumbung@/dtks?host=/run/postgresql&port=5433` uses
/// `/run/postgresql/.s.PGSQL.5433`). TLS is not negotiated: use a socket or a trusted network.
///
/// ```swift
/// let configuration = try PostgresURL.configuration("postgres://bi@db.internal/dtks")
/// ```
public enum PostgresURL {
    public static func configuration(_ text: String) throws -> PostgresConnection.Configuration {
        func refuse(_ rule: String) -> LumbungError {
            LumbungError(.publishURL, field: "postgres", value: masked(text), rule: rule)
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              scheme == "postgres" || scheme == "postgresql"
        else { throw refuse("give postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE") }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let user = components.user ?? query["user"] ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        let password = components.password ?? query["password"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let database = path.isEmpty ? nil : path
        let port = components.port ?? query["port"].flatMap(Int.init) ?? 5432
        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            return PostgresConnection.Configuration(
                unixSocketPath: (socketDirectory as NSString).appendingPathComponent(".s.PGSQL.\(port)"),
                username: user, password: password, database: database)
        }
        guard let host = components.host, !host.isEmpty else { throw refuse("the URL names no host (nor a socket directory in ?host=/dir)") }
        return PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: .disable)
    }

    /// The URL with its password replaced by `***`, for messages.
    public static func masked(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}
