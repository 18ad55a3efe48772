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

extension SnapshotDiff {
    /// The wilayah level a diff is summed at, by name: `nasional` (one total for everything) or a
    /// ``KodeWilayah/Level`` (`provinsi`, `kabupaten`, `kecamatan`, `desa`). The names of
    /// `lumbung snapshot diff --by` and `GET /v1/snapshots/diff?by=`, and a manifest's `level`.
    ///
    /// ```swift
    /// try SnapshotDiff.Grouping(parsing: "kecamatan").level   // .kecamatan
    /// SnapshotDiff.Grouping.rule                              // "one of nasional, provinsi, …"
    /// ```
    public struct Grouping: RawRepresentable, CaseIterable, Hashable, Sendable {
        /// The level, nil for `nasional`.
        public let level: KodeWilayah.Level?

        public init(_ level: KodeWilayah.Level?) { self.level = level }

        /// The summary's level when none is asked for.
        public static let `default` = Grouping(.kabupaten)
        /// The one total for everything.
        public static let nasional = Grouping(nil)

        public static var allCases: [Grouping] { [nasional] + KodeWilayah.Level.allCases.map(Grouping.init) }

        /// `nasional`, or the level's case name.
        public var rawValue: String { level.map { "\($0)" } ?? "nasional" }

        public init?(rawValue: String) {
            guard let match = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
            self = match
        }

        /// What `by` must hold: `one of nasional, provinsi, kabupaten, kecamatan, desa`.
        public static var rule: String { "one of " + allCases.map(\.rawValue).joined(separator: ", ") }

        /// Parses a name, or throws `request.invalid` naming the field `by`, the value and ``rule``.
        public init(parsing text: String) throws {
            guard let grouping = Self(rawValue: text) else {
                throw LumbungError(.requestInvalid, field: "by", value: String(text.prefix(32)), rule: Self.rule)
            }
            self = grouping
        }
    }
}
