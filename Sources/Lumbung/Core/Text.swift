extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmedWhitespace: String {
        let string = String(self)
        if needsNoTrim(string.utf8.first, string.utf8.last) { return string }
        var view = Substring(string)
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }

}

/// True when a text starts and ends with a visible ASCII character: nothing to trim, and no
/// need to ask Unicode (slow) what is whitespace.
@inline(__always)
func needsNoTrim(_ first: UInt8?, _ last: UInt8?) -> Bool {
    guard let first, let last else { return false }
    return first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F
}
