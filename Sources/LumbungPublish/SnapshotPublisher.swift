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
        let manifestJSON = String(decoding: try manifest.encoded(), as: UTF8.self)
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
        var partition = Partition(kabupaten: kabupaten, households: 0, members: 0)
        let query = HouseholdQuery(wilayah: kabupaten)
        for table in [PublishSchema.household, PublishSchema.member] {
            let staging = PublishSchema.leaf(table, kabupaten, period) + "_load"
            try await run(PublishSchema.createStaging(table, staging: staging, kabupaten: kabupaten, period: period), on: connection, logger)
            var households = 0, members = 0
            try await connection.copyFrom(table: staging, logger: logger) { writer in
                var cursor: String?
                repeat {
                    let page = try Self.page(store, query, after: cursor)
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(page.households.count * (table == PublishSchema.household ? 256 : 1_024))
                    for household in page.households {
                        if table == PublishSchema.household {
                            CopyRows.household(household, kabupaten: kabupaten.dotted, period: period.text, into: &bytes)
                        } else {
                            members += CopyRows.members(household, kabupaten: kabupaten.dotted, period: period.text, into: &bytes)
                        }
                    }
                    households += page.households.count
                    if !bytes.isEmpty { try await writer.write(ByteBuffer(bytes: bytes)) }
                    cursor = page.nextCursor
                } while cursor != nil
            }
            if table == PublishSchema.household { partition.households = households } else { partition.members = members }
            for statement in PublishSchema.swap(table, staging: staging, kabupaten: kabupaten, period: period) {
                try await run(statement, on: connection, logger)
            }
        }
        return partition
    }

    /// One page of the snapshot, read on the calling thread (a short read transaction).
    private static func page(_ store: Store, _ query: HouseholdQuery, after cursor: String?) throws -> HouseholdPage {
        try store.read { tx in try tx.find(query, after: cursor, limit: pageSize) }
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
