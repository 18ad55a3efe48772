import Lumbung

extension LumbungError.Code {
    // CSV text
    /// A quoted field is never closed, or a stray character follows a closing quote.
    public static let csvQuoting = Self("csv.quoting", .malformed)
    /// The bytes are not valid UTF-8 (often Windows-1252 from older Excel).
    public static let csvEncoding = Self("csv.encoding", .malformed)
    /// A record has a different number of fields than the header.
    public static let csvColumnCount = Self("csv.columnCount", .malformed)
    /// The header is missing, empty or names a column twice.
    public static let csvHeader = Self("csv.header", .malformed)

    // Files
    /// A file could not be opened, read, written or renamed.
    public static let fileIO = Self("file.io", .storage)
    /// An input file does not exist.
    public static let fileNotFound = Self("file.notFound", .notFound)
    /// The file's format is neither given nor implied by its name.
    public static let fileFormat = Self("file.format", .malformed)
    /// The path names a directory where a file was expected.
    public static let fileIsDirectory = Self("file.isDirectory", .malformed)
    /// zstd data is corrupt or truncated, or a zstd context failed.
    public static let fileZstd = Self("file.zstd", .malformed)
}

extension LumbungError.Code {
    // Excel workbooks (.xlsx)
    /// The file is not an .xlsx workbook: not a zip, or a zip without a workbook part.
    public static let xlsxNotWorkbook = Self("xlsx.notWorkbook", .malformed)
    /// The workbook is damaged: a truncated zip, a failed checksum, a part that is not XML.
    public static let xlsxCorrupt = Self("xlsx.corrupt", .malformed)
    /// `--sheet` names a sheet the workbook does not have.
    public static let xlsxSheetNotFound = Self("xlsx.sheetNotFound", .notFound)
    /// The export cannot be written as .xlsx (standard output: a zip needs a file).
    public static let xlsxUnwritable = Self("xlsx.unwritable", .malformed)
}
