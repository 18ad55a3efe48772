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

    /// Issues grouped by what an operator fixes once: the same column, value, code and rule.
    public private(set) var groups: [IssueGroup] = []
    private var groupIndex: [IssueGroup.Key: Int] = [:]
    /// Issues that did not get a group of their own past ``groupLimit`` (counted, not listed).
    public private(set) var ungroupedCount = 0
    /// How many distinct groups are kept.
    public var groupLimit: Int

    public init(keepLimit: Int = 1_000_000, groupLimit: Int = 100_000) {
        self.keepLimit = keepLimit
        self.groupLimit = groupLimit
    }

    public mutating func add(_ failure: RowIssues) {
        failedHouseholds += 1
        for issue in failure.issues { add(issue) }
    }

    public mutating func add(_ issue: RowIssue) {
        issueCount += 1
        counts[issue.code, default: 0] += 1
        if issues.count < keepLimit { issues.append(issue) }
        let key = IssueGroup.Key(column: issue.column, value: issue.value, code: issue.code, rule: issue.rule)
        if let index = groupIndex[key] {
            groups[index].add(line: issue.line)
        } else if groups.count < groupLimit {
            groupIndex[key] = groups.count
            groups.append(IssueGroup(key: key, line: issue.line))
        } else {
            ungroupedCount += 1
        }
    }

    /// The summary CSV's header: one row per group.
    public static let groupHeader = ["column", "value", "code", "rule", "count", "first_lines"]

    /// The groups, most frequent first (then in file order), as summary CSV rows.
    public var groupRows: [[String]] {
        sortedGroups.map { group in
            [group.key.column, group.key.value, group.key.code.rawValue, group.key.rule, String(group.count),
             group.firstLines.map(String.init).joined(separator: " ")]
        }
    }

    /// The groups, most frequent first, then by first line.
    public var sortedGroups: [IssueGroup] {
        groups.sorted { ($0.count, -$0.firstLines[0]) > ($1.count, -$1.firstLines[0]) }
    }

    /// One line per group, most frequent first, at most `limit` of them:
    /// `10000 × HUB 'Istri' [member.invalid] must be one of … (lines 2, 3, 5, …)`.
    public func groupedSummary(limit: Int = 10) -> String {
        let sorted = sortedGroups
        var lines = ["\(groups.count) distinct problem\(groups.count == 1 ? "" : "s") (column, value, rule):"]
        for group in sorted.prefix(limit) {
            let more = group.count > group.firstLines.count ? ", …" : ""
            lines.append(
                "  \(group.count) × \(group.key.column)\(group.key.value.isEmpty ? "" : " '\(group.key.value)'") [\(group.key.code)] \(group.key.rule)"
                    + " (line\(group.count == 1 ? "" : "s") \(group.firstLines.map(String.init).joined(separator: ", "))\(more))")
        }
        if sorted.count > limit { lines.append("  … and \(sorted.count - limit) more") }
        if ungroupedCount > 0 { lines.append("  … and \(ungroupedCount) issues past \(groupLimit) groups") }
        return lines.joined(separator: "\n")
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

/// Issues that share their column, value, code and rule: how many, and on which lines first.
///
/// ```swift
/// report.sortedGroups[0].count        // 10000
/// report.sortedGroups[0].firstLines   // [2, 3, 5, 8, 13]
/// ```
public struct IssueGroup: Sendable, Hashable {
    public struct Key: Sendable, Hashable {
        public var column: String
        public var value: String
        public var code: LumbungError.Code
        public var rule: String
    }

    /// How many line numbers a group keeps.
    public static let linesKept = 5

    public var key: Key
    public private(set) var count = 1
    /// The first lines the issue is on, in the order found (at most ``linesKept``).
    public private(set) var firstLines: [Int]

    init(key: Key, line: Int) {
        self.key = key
        firstLines = [line]
    }

    mutating func add(line: Int) {
        count += 1
        if firstLines.count < Self.linesKept { firstLines.append(line) }
    }
}
