import Lumbung

extension LumbungError.Code {
    /// The PostgreSQL URL does not parse, or names a scheme other than postgres/postgresql.
    public static let publishURL = Self("publish.url", .malformed)
    /// PostgreSQL refused the connection or a statement; the previous publication stands.
    public static let publishPostgres = Self("publish.postgres", .unavailable)
}
