/// The snapshots, oldest first: what `lumbung snapshot list --json` prints and
/// `GET /v1/snapshots` answers, built once for both.
///
/// ```swift
/// let report = SnapshotListReport(try store.snapshots.list())
/// report.json(scope: token.scope).text   // {"snapshots":[{"period":"2026-10","created_at":…},…]}
/// ```
public struct SnapshotListReport: Sendable {
    /// Every entry of ``Snapshots/list()``, complete or not.
    public let listings: [Snapshots.Listing]

    public init(_ listings: [Snapshots.Listing]) {
        self.listings = listings
    }

    /// `{"snapshots": [{"period", "created_at", "households", "members", "journal_sequence",
    /// "content_digest", "verify_status"}]}` for the complete snapshots: totals for `scope`'s wilayah, and the
    /// store-wide `journal_sequence` and `content_digest` only for the whole store
    /// (``AccessScope/seesWholeStore``). With `incomplete` (the CLI shows them; the API does not),
    /// then `"incomplete": [{"directory", "reason"}]` for what is not a complete snapshot.
    /// `verify_status` is ``Snapshots/VerifyStatus``: known without hashing, so the list stays instant.
    public func json(scope: AccessScope = .everything, incomplete: Bool = false) -> JSONValue {
        var complete: [JSONValue] = []
        var others: [JSONValue] = []
        for listing in listings {
            switch listing.state {
            case .complete(let manifest):
                let total = manifest.counts(wilayah: scope.wilayah)?.total
                var fields: [(String, JSONValue)] = [
                    ("period", .string(manifest.period)), ("created_at", .string(manifest.createdAt)),
                    ("households", .int(total?.households ?? 0)), ("members", .int(total?.members ?? 0)),
                ]
                if scope.seesWholeStore {
                    fields += [("journal_sequence", .int(Int(manifest.journalSequence))), ("content_digest", .string(manifest.contentDigest))]
                }
                if let status = listing.verifyStatus { fields.append(("verify_status", .string(status.rawValue))) }
                complete.append(.object(fields))
            case .incomplete(let reason):
                others.append(.object([("directory", .string(listing.directoryName)), ("reason", .string(reason))]))
            }
        }
        var body: [(String, JSONValue)] = [("snapshots", .array(complete))]
        if incomplete { body.append(("incomplete", .array(others))) }
        return .object(body)
    }
}
