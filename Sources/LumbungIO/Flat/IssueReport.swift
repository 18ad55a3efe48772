import Lumbung

/// Collects import issues for the issue CSV (`line,column,value,code,rule`) and a one-paragraph
/// summary for stderr.
///
/// ```swift
/// var report = IssueReport()
/// if case .failure(let issues) = result { report.add(issues) }
/// writer.write(IssueReport.header); for row in report.rows { writer.write(row) }
/// FileHandle.standardError.write(report.summary(households: 1200))
/// ```
/// Counts are kept for every issue; the issues themselves up to ``keepLimit`` (rows for a file
/// written at the end), so a huge bad file does not fill memory. A streaming import can instead
/// write ``rows(for:)`` as each household fails.
public struct IssueReport: Sendable {
    /// The CSV header.
    public static let header = ["line", "column", "value", "code", "rule"]

    /// How many issues are kept for ``rows``; counts go on beyond it.
    public var keepLimit: Int
    public private(set) var issues: [RowIssue] = []
    public private(set) var counts: [LumbungError.Code: Int] = [:]
    public private(set) var issueCount = 0
    /// Households (or JSON lines) refused.
    public private(set) var failedHouseholds = 0

    public init(keepLimit: Int = 1_000_000) { self.keepLimit = keepLimit }

    public mutating func add(_ failure: RowIssues) {
        failedHouseholds += 1
        for issue in failure.issues { add(issue) }
    }

    public mutating func add(_ issue: RowIssue) {
        issueCount += 1
        counts[issue.code, default: 0] += 1
        if issues.count < keepLimit { issues.append(issue) }
    }

    /// The kept issues as CSV rows (without the header).
    public var rows: [[String]] { Self.rows(for: issues) }

    /// Issues as CSV rows (without the header).
    public static func rows(for issues: some Sequence<RowIssue>) -> [[String]] {
        issues.map { [String($0.line), $0.column, $0.value, $0.code.rawValue, $0.rule] }
    }

    /// One paragraph: refused households, counts by code (most frequent first) and the first few issues.
    public func summary(households: Int? = nil, examples: Int = 3) -> String {
        if issueCount == 0 {
            return households.map { "No issues in \($0) households." } ?? "No issues."
        }
        var text = "\(failedHouseholds) "
        text += households.map { "of \($0) households" } ?? "households"
        text += " refused, \(issueCount) issue\(issueCount == 1 ? "" : "s"): "
        text += counts.sorted { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        text += ". First: "
        text += issues.prefix(examples).map(\.description).joined(separator: "; ")
        if issueCount > examples { text += "; …" }
        return text + "."
    }
}
