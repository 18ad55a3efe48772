extension StringProtocol {
    /// The text without leading and trailing spaces and tabs. Returns the text unchanged in the
    /// common case of nothing to trim (Foundation's trimming is slow on Linux, and this runs for
    /// every cell of an import).
    @inline(__always)
    var trimmingSpaces: String {
        let string = String(self)
        guard let first = string.utf8.first, let last = string.utf8.last else { return "" }
        if first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 { return string }
        var view = Substring(string)
        while let head = view.first, head == " " || head == "\t" { view = view.dropFirst() }
        while let tail = view.last, tail == " " || tail == "\t" { view = view.dropLast() }
        return String(view)
    }
}
