/// Yes or no, as registers, queries and integrators write it: the one list of words that mean
/// either, shared by file cells, member attributes, `find --has-member`/`anggota=` and DCI.
///
/// ```swift
/// YesNo.parse("Ya")       // true
/// YesNo.parse("tidak")    // false
/// YesNo.parse("mungkin")  // nil: neither, so the caller refuses it with `YesNo.rule`
/// ```
public enum YesNo {
    /// Words for yes, lower case (ASCII case is ignored when reading).
    public static let yesWords = ["ya", "y", "yes", "true", "1"]
    /// Words for no, lower case.
    public static let noWords = ["tidak", "t", "no", "n", "false", "0"]

    /// What a yes-or-no value must hold, for error messages.
    public static let rule = "yes or no: ya/tidak (also y/t, yes/no, true/false, 1/0)"

    /// True for a yes word, false for a no word, nil for anything else. Surrounding whitespace
    /// is ignored.
    public static func parse(_ text: some StringProtocol) -> Bool? {
        let word = text.trimmedWhitespace.lowercased()
        if yesWords.contains(word) { return true }
        if noWords.contains(word) { return false }
        return nil
    }
}
