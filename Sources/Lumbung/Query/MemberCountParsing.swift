extension MemberCount {
    /// Parses a member condition as the CLI (`find --has-member`) and the HTTP list parameter
    /// (`anggota=`) write it: terms joined by `,`, each `name op value` or a bare flag.
    ///
    /// | term | means |
    /// |---|---|
    /// | `age<6`, `umur>=60`, `age=7-12`, `age=3` | age at the reference date (`<`, `<=`, `>`, `>=`, `=`; `a-b` a range) |
    /// | `sex=P`, `jenis_kelamin=L`, `gender=female` | sex |
    /// | `hubungan=anak`, `relation=kepala_keluarga` | relation to the head |
    /// | `status_perkawinan=kawin`, `marital=cerai_mati` | marital status |
    /// | `disabilitas`, `disabilitas=fisik`, `disabilitas=tidak` | any disability, one kind, none |
    /// | `disabilitas_berat`, `hamil` | a severe disability, a pregnancy |
    /// | `keberadaan=meninggal`, `keberadaan=semua` | presence (default: living in the household) |
    /// | `pkh=anak_sd` | a PKH component's rule (``PKHComponent``) |
    /// | `jumlah>=2`, `count=0` | how many members must meet the rest (default at least 1) |
    ///
    /// ```swift
    /// try MemberCount(parsing: "age=7-12,jumlah>=2", field: "--has-member")
    /// ```
    public init(parsing text: String, field: String) throws {
        var condition = MemberCondition()
        var count = 1...Int.max
        func fail(_ term: Substring, _ rule: String) -> LumbungError {
            LumbungError(.queryInvalid, field: field, value: String(term.prefix(40)), rule: rule)
        }
        /// A bare flag (`hamil`) or `=` and a yes-or-no word; anything else (`hamil=mungkin`) is refused.
        func flag(_ term: Substring, _ op: String?, _ value: String) throws -> Bool {
            guard let op else { return true }
            guard op == "=", let flag = YesNo.parse(value) else { throw fail(term, YesNo.rule) }
            return flag
        }
        let terms = text.split(separator: ",").map { Substring($0.trimmedWhitespace) }.filter { !$0.isEmpty }
        guard !terms.isEmpty else { throw fail(Substring(text), Self.syntaxRule) }
        for term in terms {
            let (name, op, value) = Self.split(term)
            let key = name.lowercased()
            switch key {
            case "age", "umur", "count", "jumlah":
                guard let op, let range = Self.range(op, value) else { throw fail(term, "\(key) takes <, <=, >, >=, = and a whole number (or a-b)") }
                if key == "age" || key == "umur" {
                    guard range.upperBound >= 0 else { throw fail(term, "an age is 0 or more") }
                    condition.ages = max(range.lowerBound, 0)...range.upperBound
                } else {
                    guard range.upperBound >= 0 else { throw fail(term, "a member count is 0 or more") }
                    count = max(range.lowerBound, 0)...range.upperBound
                }
            case "sex", "jenis_kelamin", "gender":
                guard op == "=", let sex = Sex(letter: value) else { throw fail(term, "sex=" + Sex.rule) }
                condition.sex = sex
            case "hubungan", "relation":
                guard op == "=" else { throw fail(term, Relation.rule) }
                condition.relation = try Relation(parsing: value, field: field, code: .queryInvalid)
            case "status_perkawinan", "marital", "marital_status":
                guard op == "=" else { throw fail(term, MaritalStatus.rule) }
                condition.maritalStatus = try MaritalStatus(parsing: value, field: field, code: .queryInvalid)
            case "disabilitas", "disability":
                if op == nil {
                    condition.disabled = true
                } else if op == "=", let flag = YesNo.parse(value) ?? (value.lowercased() == "none" ? false : nil) {
                    condition.disabled = flag
                } else {
                    guard op == "=" else { throw fail(term, YesNo.rule + ", or " + Disability.rule) }
                    guard let kind = Disability(name: value) else { throw fail(term, YesNo.rule + ", or " + Disability.rule) }
                    condition.disability = kind
                }
            case "disabilitas_berat", "severe_disability":
                condition.severeDisability = try flag(term, op, value)
            case "hamil", "pregnant":
                condition.pregnant = try flag(term, op, value)
            case "keberadaan", "presence":
                guard op == "=" else { throw fail(term, Presence.rule + ", or semua") }
                condition.presence = ["semua", "all", "any"].contains(value.lowercased())
                    ? MemberCondition.anyPresence : [try Presence(parsing: value, field: field, code: .queryInvalid)]
            case "pkh", "pkh_komponen":
                guard op == "=" else { throw fail(term, PKHComponent.rule) }
                let rule = try PKHComponent(parsing: value, field: field, code: .queryInvalid).condition
                if let ages = rule.ages { condition.ages = ages }
                if let pregnant = rule.pregnant { condition.pregnant = pregnant }
                if let severe = rule.severeDisability { condition.severeDisability = severe }
            default:
                throw fail(term, Self.syntaxRule)
            }
        }
        guard !count.isEmpty else { throw fail(Substring(text), "the member count range is empty") }
        self.init(condition, count: count)
    }

    /// Several member counts joined by `;` (the HTTP `anggota` parameter).
    public static func list(parsing text: String, field: String) throws -> [MemberCount] {
        try text.split(separator: ";").map { try MemberCount(parsing: String($0), field: field) }
    }

    /// Household size from `5`, `2-4`, `<5` or `>=3` (`--household-size`, `ukuran_keluarga`).
    /// An error names `field` and the text as given.
    public static func householdSize(parsing text: String, field: String) throws -> MemberCount {
        try quoting(text) { try MemberCount(parsing: "jumlah" + comparison(text), field: field) }
    }

    /// The head's sex (`L`, `P`) and age (`60`, `25-40`, `>=60`), either or both
    /// (`--head-sex`/`--head-age`, `jk_kepala`/`umur_kepala`); an error names the field of the
    /// value at fault (`fields.sex` or `fields.age`) and the text as given.
    public static func head(sex: String?, age: String?, fields: (sex: String, age: String)) throws -> MemberCount {
        var condition = MemberCondition()
        if let sex {
            condition.sex = try quoting(sex) { try MemberCount(parsing: "sex=" + sex, field: fields.sex) }.condition.sex
        }
        if let age {
            condition.ages = try quoting(age) { try MemberCount(parsing: "age" + comparison(age), field: fields.age) }.condition.ages
        }
        return .head(condition)
    }

    /// Runs `body`; its error quotes `text` as the value (not the term built from it).
    private static func quoting(_ text: String, _ body: () throws -> MemberCount) throws -> MemberCount {
        do {
            return try body()
        } catch var error as LumbungError {
            error.value = String(text.prefix(40))
            throw error
        }
    }

    /// `5` → `=5`, `2-4` → `=2-4`; `<5`, `>=2` kept.
    private static func comparison(_ text: String) -> String {
        let trimmed = text.trimmedWhitespace
        return trimmed.first.map { "<>=".contains($0) } == true ? trimmed : "=" + trimmed
    }

    static let syntaxRule = "terms joined by ',': age, sex, hubungan, status_perkawinan, disabilitas, disabilitas_berat, hamil, keberadaan, pkh, jumlah (e.g. age<6 or age=7-12,jumlah>=2)"

    /// (name, operator, value) of `age>=60`; a bare `hamil` has no operator.
    private static func split(_ term: Substring) -> (String, String?, String) {
        guard let start = term.firstIndex(where: { "<>=".contains($0) }) else { return (String(term), nil, "") }
        var end = term.index(after: start)
        if end < term.endIndex, term[end] == "=" { end = term.index(after: end) }
        return (term[..<start].trimmedWhitespace, String(term[start..<end]), String(term[end...]).trimmedWhitespace)
    }

    /// The whole numbers `op value` means.
    private static func range(_ op: String, _ value: String) -> ClosedRange<Int>? {
        if op == "=", let dash = value.firstIndex(of: "-"), dash != value.startIndex {
            guard let low = Int(value[..<dash]), let high = Int(value[value.index(after: dash)...]), low <= high else { return nil }
            return low...high
        }
        guard let number = Int(value), abs(number) < 1_000_000 else { return nil }
        switch op {
        case "<": return Int.min / 2...(number - 1)
        case "<=": return Int.min / 2...number
        case ">": return (number + 1)...Int.max / 2
        case ">=": return number...Int.max / 2
        case "=": return number...number
        default: return nil
        }
    }
}
