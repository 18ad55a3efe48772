import Foundation
import Logging
import Lumbung
import PostgresNIO

/// Publishes a verified snapshot into PostgreSQL, one (kabupaten, period) partition at a time
/// (``PublishSchema``), for BI tools and national queries.
///
/// The whole publish is one transaction: each kabupaten's households and members are streamed
/// with `COPY … FROM STDIN` into staging tables, their row counts are checked against the
/// manifest, then the old (kabupaten, period) leaves are dropped, the staging tables take their
/// place, and `lumbung_publication` records the manifest and its digest. A rerun replaces the
/// partitions; a failed or killed run rolls back and leaves the previous ones as they were.
///
/// ```swift
/// let summary = try await SnapshotPublisher.publish(
///     Snapshots(storePath: "/srv/lumbung/3216"), try SnapshotName("2026-11"),
///     to: "postgres://bi@db.internal/dtks")
/// ```
public enum SnapshotPublisher {
    /// What one kabupaten's partition received.
    public struct Partition: Sendable, Hashable {
        public var kabupaten: KodeWilayah
        public var households: Int
        public var members: Int
    }

    public struct Summary: Sendable, Hashable {
        public var period: String
        public var contentDigest: String
        public var partitions: [Partition]
    }

    /// Households per page read from the snapshot and sent as one COPY chunk.
    static let pageSize = 2_000

    public static func publish(
        _ snapshots: Snapshots, _ name: SnapshotName, to url: String,
        logger: Logger = Logger(label: "lumbung.publish"), progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> Summary {
        let verification = try snapshots.verify(name)
        guard verification.isValid else {
            throw LumbungError(
                .snapshotCorrupt, field: "period", value: name.text,
                rule: "the snapshot does not verify, so it is not published: " + verification.problems.joined(separator: "; "))
        }
        let manifest = try snapshots.manifest(name)
        let manifestJSON = String(decoding: manifest.encoded(), as: UTF8.self)
        let kabupaten = try manifest.counts.compactMap { entry -> (KodeWilayah, SnapshotManifest.CountPair)? in
            guard let text = entry.wilayah else { return nil }
            let code = try KodeWilayah(text)
            return code.level == .kabupaten ? (code, entry.total) : nil
        }
        let store = try snapshots.open(name) { $0 }
        let configuration = try PostgresURL.configuration(url)

        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            throw failure(error, url: url, doing: "connect")
        }
        do {
            for statement in PublishSchema.setup { try await run(statement, on: connection, logger) }
            var partitions: [Partition] = []
            try await connection.withTransaction(logger: logger) { connection in
                for statement in PublishSchema.transactionSettings { try await run(statement, on: connection, logger) }
                for (code, expected) in kabupaten {
                    progress?("copying \(code.dotted) \(code.name ?? ""): \(expected.households) households, \(expected.members) members")
                    let loaded = try await load(store, code, name, on: connection, logger)
                    guard loaded.households == expected.households, loaded.members == expected.members else {
                        throw LumbungError(
                            .snapshotCorrupt, field: "kabupaten", value: code.dotted,
                            rule: "PostgreSQL received \(loaded.households) households, \(loaded.members) members; the manifest counts \(expected.households), \(expected.members)")
                    }
                    try await run(
                        """
                        INSERT INTO \(PublishSchema.publication) (kabupaten, period, content_digest, households, members, manifest, published_at)
                        VALUES (\(PublishSchema.literal(code.dotted)), \(PublishSchema.literal(name.text)), \(PublishSchema.literal(manifest.contentDigest)),
                                \(loaded.households), \(loaded.members), \(PublishSchema.literal(manifestJSON))::jsonb, now())
                        ON CONFLICT (kabupaten, period) DO UPDATE SET content_digest = EXCLUDED.content_digest,
                          households = EXCLUDED.households, members = EXCLUDED.members, manifest = EXCLUDED.manifest,
                          published_at = EXCLUDED.published_at
                        """, on: connection, logger)
                    partitions.append(loaded)
                }
            }
            try? await connection.close()
            return Summary(period: name.text, contentDigest: manifest.contentDigest, partitions: partitions)
        } catch {
            try? await connection.close()
            throw failure(error, url: url, doing: "publish \(name.text)")
        }
    }

    /// Streams one kabupaten's households and members into staging tables and swaps them in.
    private static func load(
        _ store: Store, _ kabupaten: KodeWilayah, _ period: SnapshotName, on connection: PostgresConnection, _ logger: Logger
    ) async throws -> Partition {
        let households = try await copy(PublishSchema.household, store, kabupaten, period, on: connection, logger)
        let members = try await copy(PublishSchema.member, store, kabupaten, period, on: connection, logger)
        return Partition(kabupaten: kabupaten, households: households.households, members: members.rows)
    }

    /// COPYs the kabupaten's rows of `table` into a staging table and swaps it in place of the
    /// (kabupaten, period) leaf. The next page is read and encoded on another thread while the
    /// current one is sent, so this process and the server work at the same time; at most two
    /// pages are held.
    private static func copy<Row: PublishedRow>(
        _ table: PublishedTable<Row>, _ store: Store, _ kabupaten: KodeWilayah, _ period: SnapshotName,
        on connection: PostgresConnection, _ logger: Logger
    ) async throws -> (households: Int, rows: Int) {
        let staging = PublishSchema.leaf(table.name, kabupaten, period) + "_load"
        try await run(PublishSchema.createStaging(table, staging: staging, kabupaten: kabupaten, period: period), on: connection, logger)
        let query = HouseholdQuery(wilayah: kabupaten)
        let keys = (kabupaten: kabupaten.dotted, period: period.text)
        var households = 0, rows = 0
        try await connection.copyFrom(table: staging, logger: logger) { writer in
            func encoding(after cursor: String?) -> Task<EncodedPage, any Error> {
                Task.detached { try encode(table, store, query, after: cursor, keys) }
            }
            var pending = encoding(after: nil)
            defer { pending.cancel() }
            while true {
                let page = try await pending.value
                if let next = page.nextCursor { pending = encoding(after: next) }
                households += page.households
                rows += page.rows
                if page.rows > 0 { try await writer.write(ByteBuffer(bytes: page.bytes)) }
                if page.nextCursor == nil { break }
            }
        }
        for statement in PublishSchema.swap(table.name, staging: staging, kabupaten: kabupaten, period: period) {
            try await run(statement, on: connection, logger)
        }
        return (households, rows)
    }

    /// One page of the snapshot as COPY rows.
    struct EncodedPage: Sendable {
        var bytes: [UInt8]
        var households: Int
        var rows: Int
        var nextCursor: String?
    }

    /// Reads one page of the snapshot (a short read transaction) and encodes its rows of `table`.
    private static func encode<Row: PublishedRow>(
        _ table: PublishedTable<Row>, _ store: Store, _ query: HouseholdQuery, after cursor: String?,
        _ keys: (kabupaten: String, period: String)
    ) throws -> EncodedPage {
        let page = try store.read { tx in try tx.find(query, after: cursor, limit: pageSize) }
        var copy = CopyText(kabupaten: keys.kabupaten, period: keys.period, capacity: page.households.count * Row.bytesPerHousehold)
        var rows = 0
        for household in page.households {
            Row.rows(of: household) { row in copy.row(row, table.columns); rows += 1 }
        }
        return EncodedPage(bytes: copy.bytes, households: page.households.count, rows: rows, nextCursor: page.nextCursor)
    }

    private static func run(_ sql: String, on connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    /// A PostgreSQL or connection error as `publish.postgres`, naming the server's message;
    /// LumbungErrors pass through.
    static func failure(_ error: any Error, url: String, doing action: String) -> any Error {
        var underlying: any Error = error
        if let transaction = error as? PostgresTransactionError {
            underlying = transaction.closureError ?? transaction.commitError ?? transaction.beginError ?? error
        }
        if let lumbung = underlying as? LumbungError { return lumbung }
        let message: String
        if let psql = underlying as? PSQLError {
            message = psql.serverInfo?[.message] ?? "\(psql.code)"
        } else {
            message = "\(underlying)"
        }
        return LumbungError(.publishPostgres, field: "postgres", value: PostgresURL.masked(url), rule: "cannot \(action): \(message); the previous publication stands")
    }
}
