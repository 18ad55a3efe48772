extension StringProtocol {
    /// The text without leading and trailing spaces and tabs. Returns the text unchanged in the
    /// common case of nothing to trim (Foundation's trimming is slow on Linux, and this runs for
    /// every cell of an import).
    @inline(__always)
    var trimmingSpaces: String {
        let string = String(self)
        let edges = string.utf8.withContiguousStorageIfAvailable { bytes in (bytes.first, bytes.last) } ?? (string.utf8.first, string.utf8.last)
        guard let first = edges.0, let last = edges.1 else { return "" }
        if first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 { return string }
        var view = Substring(string)
        while let head = view.first, head == " " || head == "\t" { view = view.dropFirst() }
        while let tail = view.last, tail == " " || tail == "\t" { view = view.dropLast() }
        return String(view)
    }
}
