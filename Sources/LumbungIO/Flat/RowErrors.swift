import Lumbung

extension LumbungError.Code {
    // Flat (one row per member) files
    /// A household column differs between the rows of one household.
    public static let rowHouseholdMismatch = Self("row.householdMismatch", .malformed)
    /// A row has more or fewer cells than the header.
    public static let rowColumnCount = Self("row.columnCount", .malformed)
    /// The rows of one household are not consecutive: its key was seen before another household.
    public static let rowGroupNotContiguous = Self("row.groupNotContiguous", .malformed)
    /// The column the rows are grouped by is empty on a row.
    public static let rowGroupKeyMissing = Self("row.groupKeyMissing", .malformed)
    /// A header column the mapping does not map (nor ignore).
    public static let rowUnmappedColumn = Self("row.unmappedColumn", .malformed)
    /// The mapping itself is wrong: an unknown field name, a field mapped twice, a required one missing.
    public static let rowMappingInvalid = Self("row.mappingInvalid", .malformed)
    /// A cell is not in the format its mapped column declares (a date, a yes/no).
    public static let rowValueFormat = Self("row.valueFormat", .malformed)
    /// An export meets an attribute code it was not told to write (the value would be lost).
    public static let rowAttributeNotExported = Self("row.attributeNotExported", .malformed)
}
