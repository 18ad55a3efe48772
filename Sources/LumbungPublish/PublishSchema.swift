import Lumbung

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
    public static let household = "lumbung_household"
    public static let member = "lumbung_member"
    public static let publication = "lumbung_publication"

    /// A column and its PostgreSQL type.
    public struct Column: Sendable {
        public let name: String
        public let type: String
    }

    /// The partition keys, first in both tables.
    static let keys = [Column(name: "kabupaten", type: "text NOT NULL"), Column(name: "period", type: "text NOT NULL")]

    /// `lumbung_household`: the flat layout's household fields (`FlatField.householdFields`), typed.
    public static let householdColumns: [Column] = keys + [
        Column(name: "id", type: "bigint NOT NULL"),
        Column(name: "nomor_kk", type: "text NOT NULL"),
        Column(name: "kode_wilayah", type: "text NOT NULL"),
        Column(name: "alamat", type: "text NOT NULL"),
        Column(name: "rt", type: "integer"),
        Column(name: "rw", type: "integer"),
        Column(name: "status", type: "text NOT NULL"),
        Column(name: "alasan_tidak_layak", type: "text"),
        Column(name: "desil", type: "smallint"),
        Column(name: "program", type: "text[] NOT NULL"),
        Column(name: "diperbarui", type: "timestamptz"),
        Column(name: "atribut", type: "jsonb NOT NULL"),
    ]

    /// `lumbung_member`: one row per member, `urutan` its place in the household (0 first).
    public static let memberColumns: [Column] = keys + [
        Column(name: "household_id", type: "bigint NOT NULL"),
        Column(name: "urutan", type: "smallint NOT NULL"),
        Column(name: "nik", type: "text"),
        Column(name: "status_nik", type: "text NOT NULL"),
        Column(name: "nama", type: "text NOT NULL"),
        Column(name: "jenis_kelamin", type: "text NOT NULL"),
        Column(name: "tanggal_lahir", type: "date"),
        Column(name: "hubungan", type: "text NOT NULL"),
        Column(name: "keberadaan", type: "text NOT NULL"),
        Column(name: "status_kawin", type: "text"),
        Column(name: "pendidikan", type: "text"),
        Column(name: "pekerjaan", type: "text"),
        Column(name: "disabilitas", type: "text"),
        Column(name: "atribut", type: "jsonb NOT NULL"),
    ]

    /// Creates the parent tables, their indexes and the publication table if absent.
    static let setup: [String] = [
        "CREATE TABLE IF NOT EXISTS \(household) (\(definition(householdColumns)), PRIMARY KEY (kabupaten, period, id)) PARTITION BY LIST (kabupaten)",
        "CREATE TABLE IF NOT EXISTS \(member) (\(definition(memberColumns))) PARTITION BY LIST (kabupaten)",
        // Data ganda across kabupaten: members by NIK.
        "CREATE INDEX IF NOT EXISTS \(member)_nik ON \(member) (nik)",
        """
        CREATE TABLE IF NOT EXISTS \(publication) (
          kabupaten text NOT NULL, period text NOT NULL, content_digest text NOT NULL,
          households bigint NOT NULL, members bigint NOT NULL, manifest jsonb NOT NULL,
          published_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (kabupaten, period))
        """,
    ]

    static func definition(_ columns: [Column]) -> String {
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
    static func createStaging(_ table: String, staging: String, kabupaten: KodeWilayah, period: SnapshotName) -> String {
        let columns = table == household ? householdColumns : memberColumns
        return "CREATE TABLE \(staging) (\(definition(columns)), CHECK (kabupaten = \(literal(kabupaten.dotted)) AND period = \(literal(period.text))))"
    }
}
