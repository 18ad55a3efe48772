extension FlatField {
    /// Whether the column holds digits that are a code, not a quantity (NIK, KK, the household id,
    /// kode wilayah, RT, RW): a spreadsheet must keep them as text, or it drops leading zeros and
    /// turns 16 digits into `3.2E+15`. An .xlsx export gives these columns the Text format.
    public var isIdentifier: Bool {
        switch self {
        case .id, .nomorKK, .kodeWilayah, .rt, .rw, .memberNIK: true
        default: false
        }
    }
}
