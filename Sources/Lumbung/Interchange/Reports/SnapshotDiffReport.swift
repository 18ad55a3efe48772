extension SnapshotDiff {
    /// The diff as `lumbung snapshot diff --format json` prints it and `GET /v1/snapshots/diff`
    /// answers it, limited to what `scope` sees:
    /// `{"from", "to", "added", "removed", "changed", "members_added", "members_removed",
    /// "regions": [{"wilayah", "nama", "added", …}], "changes": [{"id", "kind", "wilayah",
    /// "fields": [{"field", "before", "after"}], "members_added", "members_removed"}],
    /// "changes_truncated"}`; `changes` and `changes_truncated` only when `changes` is given
    /// (the most changes listed).
    ///
    /// ```swift
    /// diff.json(level: .kabupaten, changes: 1000).text
    /// ```
    public func json(level: KodeWilayah.Level?, scope: AccessScope = .everything, changes limit: Int? = nil) -> JSONValue {
        func summary(_ region: RegionSummary?) -> [(String, JSONValue)] {
            [
                ("added", .int(region?.added ?? 0)), ("removed", .int(region?.removed ?? 0)),
                ("changed", .int(region?.changed ?? 0)), ("members_added", .int(region?.membersAdded ?? 0)),
                ("members_removed", .int(region?.membersRemoved ?? 0)),
            ]
        }
        var body: [(String, JSONValue)] = [("from", .string(from.description)), ("to", .string(to.description))]
        body += summary(regions(at: nil, within: scope).first)
        body.append(("regions", .array(regions(at: level, within: scope).map { region in
            .object([("wilayah", .optional(region.wilayah?.dotted)), ("nama", .string(StatsReport.regionName(region.wilayah)))] + summary(region))
        })))
        if let limit {
            let changes = changes.filter { scope.permits($0.wilayah) }
            body.append(("changes", .array(changes.prefix(limit).map { change in
                .object([
                    ("id", .int(Int(change.id.rawValue))), ("kind", .string(change.kind.rawValue)),
                    ("wilayah", .string(change.wilayah.dotted)),
                    ("fields", .array(change.fields.map { field in
                        .object([("field", .string(field.field)), ("before", .optional(field.before)), ("after", .optional(field.after))])
                    })),
                    ("members_added", .array(change.membersAdded.map { .string($0) })),
                    ("members_removed", .array(change.membersRemoved.map { .string($0) })),
                ])
            })))
            body.append(("changes_truncated", .bool(changes.count > limit)))
        }
        return .object(body)
    }
}
