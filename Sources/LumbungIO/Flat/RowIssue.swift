import Lumbung

/// One problem found in one row (or line) of an import file.
///
/// ```swift
/// RowIssue(line: 12, column: "NIK", value: "3216********0001", code: .nikDuplicate,
///          rule: "the NIK is already on line 7")
/// ```
public struct RowIssue: Hashable, Sendable, CustomStringConvertible {
    /// 1-based line (row) number in the file, the header being line 1 for CSV.
    public var line: Int
    /// The source column name (header name in a CSV, JSON path for JSON Lines).
    public var column: String
    /// The offending value as written; NIKs and KKs masked.
    public var value: String
    public var code: LumbungError.Code
    public var rule: String

    public init(line: Int, column: String, value: String, code: LumbungError.Code, rule: String) {
        self.line = line
        self.column = column
        self.value = value
        self.code = code
        self.rule = rule
    }

    /// An issue from a core error: its field (unless `column` is given), value, code and rule.
    public init(line: Int, column: String? = nil, error: LumbungError) {
        self.init(
            line: line, column: column ?? error.field ?? "", value: error.value ?? "", code: error.code,
            rule: error.rule)
    }

    public var description: String {
        "line \(line) \(column)\(value.isEmpty ? "" : " '\(value)'"): [\(code)] \(rule)"
    }
}

/// Every problem of one household (or one JSON line): the reason it was not imported.
///
/// ```swift
/// case .failure(let problems): for issue in problems.issues { print(issue) }
/// ```
public struct RowIssues: Error, Hashable, Sendable, CustomStringConvertible {
    /// The issues, in line order of discovery; never empty.
    public var issues: [RowIssue]
    /// The first line of the household's rows.
    public var firstLine: Int

    public init(issues: [RowIssue], firstLine: Int) {
        self.issues = issues
        self.firstLine = firstLine
    }

    public var description: String { issues.map(\.description).joined(separator: "\n") }

    /// The issues' codes, for tests and summaries.
    public var codes: [LumbungError.Code] { issues.map(\.code) }
}
