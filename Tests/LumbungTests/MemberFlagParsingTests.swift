import Testing
import LumbungSynthetic
@testable import Lumbung

/// Yes-or-no member flags in `find --has-member` and `anggota=` (`hamil`, `disabilitas_berat`,
/// `disabilitas`) against a model word list: a word that is neither is refused, never read as no.
@Suite("Member flags in member conditions")
struct MemberFlagParsingTests {
    static let yes: Set = ["ya", "y", "yes", "true", "1"]
    static let no: Set = ["tidak", "t", "no", "n", "false", "0"]
    static let neither = ["mungkin", "", "2", "yaa", "tidakk", "benar", "-1", "none?"]

    @Test("hamil and disabilitas_berat read yes and no words in any case, and refuse the rest naming field, value and rule")
    func flagsReadAsTheModelSays() throws {
        var random = SeededRandom(seed: 11)
        let words = Array(Self.yes) + Array(Self.no) + Self.neither
        for _ in 0..<2000 {
            let word = words.randomElement(using: &random)!
            let cased = String(word.map { Bool.random(using: &random) ? Character($0.uppercased()) : $0 })
            let name = Bool.random(using: &random) ? "hamil" : "disabilitas_berat"
            let term = "\(name)= \(cased) "
            let model: Bool? = Self.yes.contains(word) ? true : Self.no.contains(word) ? false : nil
            do {
                let condition = try MemberCount(parsing: "age>=10," + term, field: "anggota").condition
                let flag = name == "hamil" ? condition.pregnant : condition.severeDisability
                #expect(model != nil && flag == model, "\(term) read as \(String(describing: flag))")
            } catch let error as LumbungError {
                #expect(model == nil, "\(term) refused")
                #expect(error.code == .queryInvalid && error.field == "anggota")
                #expect(error.value == term.trimmedWhitespace && error.rule.contains("ya/tidak"), "\(error)")
            }
        }
    }

    @Test("a bare flag means yes; disabilitas takes yes, no, none or a kind, and refuses the rest")
    func bareFlagsAndDisability() throws {
        #expect(try MemberCount(parsing: "hamil", field: "f").condition.pregnant == true)
        #expect(try MemberCount(parsing: "disabilitas_berat", field: "f").condition.severeDisability == true)
        #expect(try MemberCount(parsing: "disabilitas", field: "f").condition.disabled == true)
        #expect(try MemberCount(parsing: "disabilitas=Tidak", field: "f").condition.disabled == false)
        #expect(try MemberCount(parsing: "disabilitas=none", field: "f").condition.disabled == false)
        #expect(try MemberCount(parsing: "disabilitas=ya", field: "f").condition.disabled == true)
        for kind in Disability.allCases {
            #expect(try MemberCount(parsing: "disabilitas=\(kind.name)", field: "f").condition.disability == kind)
        }
        #expect(throws: LumbungError.self) { try MemberCount(parsing: "disabilitas=mungkin", field: "f") }
        #expect(throws: LumbungError.self) { try MemberCount(parsing: "hamil<1", field: "f") }
    }
}
