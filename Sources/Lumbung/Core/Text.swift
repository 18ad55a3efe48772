extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmedWhitespace: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view = view.dropFirst() }
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}
