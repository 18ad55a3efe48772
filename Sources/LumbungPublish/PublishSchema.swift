import Lumbung
import LumbungIO

/// The PostgreSQL tables `lumbung publish` fills: their names, columns and DDL, in one place.
///
/// `lumbung_household` and `lumbung_member` are partitioned by LIST (kabupaten), and each
/// kabupaten's partition by LIST (period), so one (kabupaten, period) is one leaf table that a
/// publish replaces whole. `lumbung_publication` records, per (kabupaten, period), the manifest
/// and its content digest beside the data.
///
/// ```sql
/// SELECT left(kode_wilayah, 2) AS provinsi, count(*) FROM lumbung_household
///  WHERE period = '2026-11' GROUP BY 1;
/// ```
public enum PublishSchema {
    public static let household = PublishedTable(name: "lumbung_household", columns: householdColumns)
    public static let member = PublishedTable(name: "lumbung_member", columns: memberColumns)
    public static let publication = "lumbung_publication"

    /// `lumbung_household`: the flat layout's household fields (`FlatField.householdFields`),
    /// typed, after the partition keys.
    public static let householdColumns: [PublishedColumn<Household>] = keys() + [
        .init("id", "bigint NOT NULL") { household, copy in copy.integer(Int(household.id?.rawValue ?? 0)) },
        .init("nomor_kk", "text NOT NULL") { household, copy in copy.text(household.nomorKK.text) },
        .init("id_sumber", "text") { household, copy in copy.text(household.sourceID?.text) },
        .init("kode_wilayah", "text NOT NULL") { household, copy in copy.text(household.wilayah.dotted) },
        .init("alamat", "text NOT NULL") { household, copy in copy.text(household.alamat) },
        .init("rt", "integer") { household, copy in copy.integer(household.rt) },
        .init("rw", "integer") { household, copy in copy.integer(household.rw) },
        .init("status", "text NOT NULL") { household, copy in copy.text(household.status.name) },
        .init("alasan_tidak_layak", "text") { household, copy in copy.text(household.status.reason?.name) },
        .init("desil", "smallint") { household, copy in copy.integer(household.desil) },
        .init(DesilVersion.field, "date") { household, copy in copy.date(household.desilVersion?.date) },
        .init("program", "text[] NOT NULL") { household, copy in copy.array(household.programs.sorted().map(\.name)) },
        .init("diperbarui", "timestamptz") { household, copy in copy.text(household.updatedAt.map(FlatCells.timestamp)) },
        .init("atribut", "jsonb NOT NULL") { household, copy in copy.attributes(household.attributes) },
    ]

    /// `lumbung_member`: one row per member, `urutan` its place in the household (0 first).
    public static let memberColumns: [PublishedColumn<MemberRow>] = keys() + [
        .init("household_id", "bigint NOT NULL") { row, copy in copy.integer(Int(row.householdID?.rawValue ?? 0)) },
        .init("urutan", "smallint NOT NULL") { row, copy in copy.integer(row.urutan) },
        .init("nik", "text") { row, copy in copy.text(row.member.nik.text) },
        .init("status_nik", "text NOT NULL") { row, copy in copy.text(nikStatus(row.member.nikStatus)) },
        .init("nama", "text NOT NULL") { row, copy in copy.text(row.member.name) },
        .init("jenis_kelamin", "text NOT NULL") { row, copy in copy.text(row.member.sex.letter) },
        .init("tanggal_lahir", "date") { row, copy in copy.date(row.member.birthDate) },
        .init("hubungan", "text NOT NULL") { row, copy in copy.text(row.member.relation.name) },
        .init("keberadaan", "text NOT NULL") { row, copy in copy.text(row.member.presence.name) },
        .init("status_kawin", "text") { row, copy in copy.text(row.member.maritalStatus?.name) },
        .init("pendidikan", "text") { row, copy in copy.text(row.member.education?.name) },
        .init("pekerjaan", "text") { row, copy in copy.text(row.member.occupation) },
        .init("disabilitas", "text") { row, copy in copy.text(row.member.disability?.name) },
        .init(DukcapilResult.statusField, "text NOT NULL") { row, copy in
            copy.text(row.member.dukcapil?.status.name ?? DukcapilResult.pendingName)
        },
        .init(DukcapilResult.reasonField, "text") { row, copy in copy.text(row.member.dukcapil?.reason) },
        .init("atribut", "jsonb NOT NULL") { row, copy in copy.attributes(row.member.attributes) },
    ]

    /// The partition keys, first in both tables.
    static func keys<Row>() -> [PublishedColumn<Row>] {
        [
            .init("kabupaten", "text NOT NULL") { _, copy in copy.text(copy.kabupaten) },
            .init("period", "text NOT NULL") { _, copy in copy.text(copy.period) },
        ]
    }

    /// `valid`, `missing`, `missing:REASON` for a BPS placeholder (as the JSON writes it), or the
    /// error code that makes the NIK invalid (`nik.invalidDate`).
    static func nikStatus(_ status: NIKStatus) -> String {
        switch status {
        case .valid: "valid"
        case .missing, .placeholder: status.description
        case .invalid(let code): code.rawValue
        }
    }

    /// Creates the parent tables, their indexes and the publication table if absent.
    static let setup: [String] = [
        "CREATE TABLE IF NOT EXISTS \(household.name) (\(definition(householdColumns)), PRIMARY KEY (kabupaten, period, id)) PARTITION BY LIST (kabupaten)",
        "CREATE TABLE IF NOT EXISTS \(member.name) (\(definition(memberColumns))) PARTITION BY LIST (kabupaten)",
        // Data ganda across kabupaten: members by NIK.
        "CREATE INDEX IF NOT EXISTS \(member.name)_nik ON \(member.name) (nik)",
        """
        CREATE TABLE IF NOT EXISTS \(publication) (
          kabupaten text NOT NULL, period text NOT NULL, content_digest text NOT NULL,
          households bigint NOT NULL, members bigint NOT NULL, manifest jsonb NOT NULL,
          published_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (kabupaten, period))
        """,
    ] + addedColumns(household) + addedColumns(member)

    /// Run first in the publish transaction. The leaves' indexes are built at ATTACH (the primary
    /// key on the households, `nik` on the members), and PostgreSQL's default 64 MB of sort memory
    /// sends the sort of a 1M-household kabupaten's 4M member NIKs to disk; `LOCAL` ends with the
    /// transaction.
    static let transactionSettings = ["SET LOCAL maintenance_work_mem = '512MB'"]

    /// Parents created by an older `lumbung` get the columns added since (nullable: their
    /// earlier partitions have no value); ATTACH matches columns by name, not place.
    static func addedColumns<Row>(_ table: PublishedTable<Row>) -> [String] {
        table.columns.map { "ALTER TABLE \(table.name) ADD COLUMN IF NOT EXISTS \($0.name) \($0.nullableType)" }
    }

    static func definition<Row>(_ columns: [PublishedColumn<Row>]) -> String {
        columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
    }

    /// The kabupaten-level partition of `table` (`lumbung_household_3216`).
    static func kabupatenPartition(_ table: String, _ kabupaten: KodeWilayah) -> String {
        "\(table)_\(kabupaten.plain)"
    }

    /// The (kabupaten, period) leaf of `table` (`lumbung_household_3216_2026_11`).
    static func leaf(_ table: String, _ kabupaten: KodeWilayah, _ period: SnapshotName) -> String {
        kabupatenPartition(table, kabupaten) + "_" + identifierPart(period.text)
    }

    /// A period name as identifier characters (`2026-11` → `2026_11`).
    static func identifierPart(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? Character($0.lowercased()) : "_" })
    }

    /// A SQL string literal.
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// The statements that put `staging` (loaded, with the leaf's CHECK) in place of the
    /// (kabupaten, period) leaf of `table`, run inside the publish transaction.
    static func swap(_ table: String, staging: String, kabupaten: KodeWilayah, period: SnapshotName) -> [String] {
        let middle = kabupatenPartition(table, kabupaten)
        let leaf = leaf(table, kabupaten, period)
        return [
            "CREATE TABLE IF NOT EXISTS \(middle) PARTITION OF \(table) FOR VALUES IN (\(literal(kabupaten.dotted))) PARTITION BY LIST (period)",
            "DROP TABLE IF EXISTS \(leaf)",
            "ALTER TABLE \(staging) RENAME TO \(leaf)",
            "ALTER TABLE \(middle) ATTACH PARTITION \(leaf) FOR VALUES IN (\(literal(period.text)))",
        ]
    }

    /// A staging table shaped like `table`, with a CHECK that lets ATTACH skip its scan.
    static func createStaging<Row>(_ table: PublishedTable<Row>, staging: String, kabupaten: KodeWilayah, period: SnapshotName) -> String {
        "CREATE TABLE \(staging) (\(definition(table.columns)), CHECK (kabupaten = \(literal(kabupaten.dotted)) AND period = \(literal(period.text))))"
    }
}
