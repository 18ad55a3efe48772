import Lumbung

/// What other register systems call Lumbung's fields and values: the one table of header
/// spellings `lumbung mapping infer` recognises, and the BPS codes it proposes where their
/// meaning is certain.
///
/// ```swift
/// ForeignVocabulary.field(forHeader: "Tgl Lahir")   // .memberTanggalLahir
/// ForeignVocabulary.field(forHeader: "anggota.nik") // .memberNIK (Lumbung's own name)
/// ForeignVocabulary.field(forHeader: "KETERANGAN")  // nil
/// ```
public enum ForeignVocabulary {
    /// Common header spellings of DTKS/DTSEN, SIKS-NG and Dukcapil exports, by field. Matched
    /// with case, spaces, underscores, dots and hyphens ignored (``headerKey(_:)``). Lumbung's own
    /// names (``FlatField/name``) are added from the flat layout, not listed here.
    public static let headerSpellings: [(field: FlatField, spellings: [String])] = [
        (.nomorKK, ["NO_KK", "NOKK", "NOMOR_KK", "NO_KARTU_KELUARGA"]),
        (.sourceID, ["ID_DTKS", "IDDTKS", "IDSEN", "ID_SEN", "ID_DTSEN", "ID_BDT", "IDBDT", "ID_KELUARGA", "ID_KEL", "ID_RUTA"]),
        (.kodeWilayah, ["KODE_DESA", "KDDESA", "KODE_WILAYAH", "KODE_KELURAHAN"]),
        (.alamat, ["ALAMAT"]),
        (.rt, ["RT"]),
        (.rw, ["RW"]),
        (.status, ["STATUS", "STATUS_DTKS"]),
        (.desil, ["DESIL"]),
        (.memberNIK, ["NIK", "NO_NIK"]),
        (.memberNama, ["NAMA", "NAMA_ART", "NAMA_ANGGOTA"]),
        (.memberJenisKelamin, ["JNS_KEL", "JENIS_KELAMIN", "JK"]),
        (.memberTanggalLahir, ["TGL_LAHIR", "TANGGAL_LAHIR"]),
        (.memberHubungan, ["HUB_KRT", "HUBUNGAN", "SHDK", "HUB_KK"]),
        (.memberStatusKawin, ["STATUS_KAWIN", "STS_KAWIN"]),
        (.memberPendidikan, ["PENDIDIKAN"]),
        (.memberPekerjaan, ["PEKERJAAN"]),
    ]

    /// The key a header is matched by: upper case, without spaces, `_`, `.` or `-`.
    public static func headerKey(_ header: some StringProtocol) -> String {
        String(header.uppercased().unicodeScalars.filter { !" _.-\t".unicodeScalars.contains($0) }.map(Character.init))
    }

    /// Header key → field: the spellings above, then every Lumbung field name.
    static let fieldsByKey: [String: FlatField] = {
        var table: [String: FlatField] = [:]
        for (field, spellings) in headerSpellings {
            for spelling in spellings { table[headerKey(spelling)] = field }
        }
        for field in FlatField.householdFields + FlatField.memberFields { table[headerKey(field.name)] = field }
        return table
    }()

    /// The field a file's header most likely holds; nil when no spelling matches. A header that is
    /// a Lumbung attribute name (`atribut.lantai`, `anggota.atribut.kip`) is that attribute.
    public static func field(forHeader header: String) -> FlatField? {
        let trimmed = header.trimmingSpaces
        if let field = fieldsByKey[headerKey(trimmed)] { return field }
        if let field = FlatField(name: trimmed), field.attributeCodeProblem == nil { return field }
        return nil
    }

    /// BPS codes of hubungan dengan kepala rumah tangga (SUSENAS, DTKS) and Lumbung's relation for
    /// each, where there is exactly one. Lumbung's own relation codes differ from 6 on (its 7 is
    /// `mertua`, BPS's 7 famili lain), so a foreign file's codes are never read as Lumbung's.
    public static let bpsRelationCodes: [String: String] = [
        "1": "kepala_keluarga", "2": "istri_suami", "3": "anak", "4": "menantu", "5": "cucu",
        "7": "famili_lain", "9": "lainnya",
    ]

    /// BPS relation codes with no single Lumbung relation: what they mean, for the operator.
    public static let bpsRelationNotes: [String: String] = [
        "6": "BPS 6 is orang tua/mertua: Lumbung has orang_tua and mertua",
        "8": "BPS 8 is pembantu rumah tangga: Lumbung has no such relation (lainnya?)",
    ]

    /// BPS codes of status perkawinan: 1 belum kawin, 2 kawin, 3 cerai hidup, 4 cerai mati.
    public static let bpsMaritalCodes: [String: String] = [
        "1": "belum_kawin", "2": "kawin", "3": "cerai_hidup", "4": "cerai_mati",
    ]

    /// The BPS codes proposed for a field, and the notes for codes that have no single value.
    static func knownCodes(for field: FlatField) -> (codes: [String: String], notes: [String: String]) {
        switch field {
        case .memberHubungan: (bpsRelationCodes, bpsRelationNotes)
        case .memberStatusKawin: (bpsMaritalCodes, [:])
        default: ([:], [:])
        }
    }
}
