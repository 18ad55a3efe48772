extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks (including the
    /// non-breaking space spreadsheets like to add).
    var trimmingWhitespace: Substring {
        let string = String(self)[...]
        if needsNoTrim(string.utf8.first, string.utf8.last) { return string }
        let start = string.firstIndex { !$0.isWhitespace } ?? string.endIndex
        let end = string[start...].lastIndex { !$0.isWhitespace }.map(string.index(after:)) ?? start
        return string[start..<end]
    }
}
