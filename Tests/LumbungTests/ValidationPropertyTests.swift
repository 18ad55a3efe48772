import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung
@testable import LumbungIO

/// One validation source: for random valid households with random injected defects,
/// `problems` returns exactly the injected ones with their field paths, `validated` throws the
/// first, and importing the household as CSV rows reports the same problems on the right
/// lines and columns.
@Suite struct ValidationPropertyTests {
    /// A defect injected into a valid household, and the problem it must give.
    enum Defect: CaseIterable {
        case wilayahLevel, badDesil, longAddress, rtOutOfRange, rwOutOfRange, noHead, twoHeads
        case emptyName, longOccupation, nikSexMismatch, nikBirthDateMismatch

        var isMemberDefect: Bool {
            switch self {
            case .emptyName, .longOccupation, .nikSexMismatch, .nikBirthDateMismatch: true
            default: false
            }
        }
    }

    /// The model: an injected problem, and where the rules say it is reported.
    struct Expected: Equatable, CustomStringConvertible {
        var code: LumbungError.Code
        var field: String
        /// Order of the rules: household fields, the members together, then member by member.
        var rank: [Int]
        var description: String { "\(code) at \(field)" }
    }

    static let households = Array(
        SyntheticKabupaten(kabupaten: try! KodeWilayah("32.16"), seed: 12).households(count: 300)
            .filter { $0.members.count >= 3 && $0.members.allSatisfy { $0.birthDate != nil } })

    /// Injects 1–5 random defects; returns the household and the problems the model expects.
    static func inject(into household: inout Household, _ random: inout SplitMix64) -> [Expected] {
        var expected: [Expected] = []
        var defects = Defect.allCases.shuffled(using: &random).prefix(Int.random(in: 1...5, using: &random))
        if defects.contains(.noHead) && defects.contains(.twoHeads) { defects.removeAll { $0 == .twoHeads } }
        let head = household.headIndices[0]
        let others = household.members.indices.filter { $0 != head }
        var nikDefectMembers = Set<Int>()
        for defect in defects {
            switch defect {
            case .wilayahLevel:
                household.wilayah = household.wilayah.ancestor(at: .kecamatan)!
                expected.append(Expected(code: .wilayahLevel, field: "kode_wilayah", rank: [0]))
            case .badDesil:
                household.desil = Bool.random(using: &random) ? 0 : Int.random(in: 11...99, using: &random)
                expected.append(Expected(code: .householdDesil, field: "desil", rank: [1]))
            case .longAddress:
                household.alamat = String(repeating: "Jl. Mawar ", count: 51)
                expected.append(Expected(code: .householdInvalid, field: "alamat", rank: [2]))
            case .rtOutOfRange:
                household.rt = Bool.random(using: &random) ? -1 : Int.random(in: 1000...5000, using: &random)
                expected.append(Expected(code: .householdInvalid, field: "rt", rank: [3]))
            case .rwOutOfRange:
                household.rw = Int.random(in: 1000...5000, using: &random)
                expected.append(Expected(code: .householdInvalid, field: "rw", rank: [4]))
            case .noHead:
                household.members[head].relation = .anak
                expected.append(Expected(code: .householdNoHead, field: "anggota", rank: [5]))
            case .twoHeads:
                household.members[others.randomElement(using: &random)!].relation = .kepalaKeluarga
                expected.append(Expected(code: .householdManyHeads, field: "anggota", rank: [5]))
            case .emptyName, .longOccupation, .nikSexMismatch, .nikBirthDateMismatch:
                let member = household.members.indices.randomElement(using: &random)!
                let isNIK = defect == .nikSexMismatch || defect == .nikBirthDateMismatch
                if isNIK && !nikDefectMembers.insert(member).inserted { continue }  // one NIK problem a member
                let path = "anggota[\(member)]"
                switch defect {
                case .emptyName:
                    household.members[member].name = Bool.random(using: &random) ? "" : "   "
                    expected.append(Expected(code: .memberInvalid, field: "\(path).nama", rank: [6, member, 0]))
                case .longOccupation:
                    household.members[member].occupation = String(repeating: "petani ", count: 30)
                    expected.append(Expected(code: .memberInvalid, field: "\(path).pekerjaan", rank: [6, member, 1]))
                case .nikSexMismatch:
                    household.members[member].sex = household.members[member].sex == .male ? .female : .male
                    expected.append(Expected(code: .nikSexMismatch, field: "\(path).nik", rank: [6, member, 2]))
                default:
                    let date = household.members[member].birthDate!
                    household.members[member].birthDate = try! CalendarDate(
                        year: date.year + (date.year < 2000 ? 1 : -1), month: date.month, day: min(date.day, 28))
                    expected.append(Expected(code: .nikBirthDateMismatch, field: "\(path).nik", rank: [6, member, 2]))
                }
            }
        }
        return expected.sorted { $0.rank.lexicographicallyPrecedes($1.rank) }
    }

    @Test func problemsAreExactlyTheInjectedDefectsInCoreAndImport() throws {
        var random = SplitMix64(seed: 2026)
        #expect(Self.households.count >= 40)
        for trial in 0..<300 {
            let original = Self.households[trial % Self.households.count]
            #expect(original.problems(policy: .strict).isEmpty, "the generator's households are valid")
            var household = original
            let expected = Self.inject(into: &household, &random)

            // The core: every problem, with its field path, in rule order; `validated` throws the first.
            let problems = household.problems(policy: .strict)
            #expect(problems.map(\.code) == expected.map(\.code), "trial \(trial): \(problems) vs \(expected)")
            #expect(problems.map(\.field) == expected.map(\.field), "trial \(trial)")
            #expect(problems.allSatisfy { $0.householdID == household.id })
            do {
                _ = try household.validated(policy: .strict)
                Issue.record("trial \(trial): validated accepted \(expected)")
            } catch let error as LumbungError {
                #expect(error == problems.first, "trial \(trial): validated throws the first problem")
            }

            // The importer: the same problems, on the member's row and the field's column.
            let encoder = FlatRowEncoder(codesOf: [household])
            let rows = try encoder.rows(for: household)
            let results = try FlatRowDecoder.decode(header: encoder.header, rows: rows.enumerated().map { ($0 + 2, $1) })
            guard case .failure(let report)? = results.first, results.count == 1 else {
                Issue.record("trial \(trial): the import accepted \(expected)")
                continue
            }
            let heads = household.headIndices
            let located: [(line: Int, column: String)] = problems.map { problem in
                let field = problem.field!
                if field.hasPrefix("anggota[") {
                    let index = Int(field.dropFirst(8).prefix { $0 != "]" })!
                    return (2 + index, "anggota." + field.split(separator: ".", maxSplits: 1)[1])
                }
                switch problem.code {
                case .householdManyHeads: return (2 + heads[1], "anggota.hubungan")
                case .householdNoHead: return (2, "anggota.hubungan")
                default: return (2, field)
                }
            }
            #expect(report.issues.count == problems.count, "trial \(trial): \(report.issues) vs \(problems)")
            for (problem, place) in zip(problems, located) {
                let match = report.issues.first {
                    $0.code == problem.code && $0.line == place.line && $0.column == place.column && $0.rule.hasPrefix(problem.rule)
                }
                #expect(match != nil, "trial \(trial): \(problem) not at line \(place.line) \(place.column) in \(report.issues)")
                if let match, ![LumbungError.Code.householdManyHeads, .wilayahLevel].contains(problem.code) {
                    #expect(match.value == problem.value ?? "", "trial \(trial): value of \(match)")
                }
            }
        }
    }

    @Test func theImportKeepsFlaggedNIKsAsTheCoreStoresThem() throws {
        var random = SplitMix64(seed: 7)
        for trial in 0..<40 {
            var household = Self.households[trial % Self.households.count]
            let member = household.members.indices.randomElement(using: &random)!
            household.members[member].sex = household.members[member].sex == .male ? .female : .male
            let stored = try household.validated(policy: .keepFlagged)
            #expect(stored.members[member].nik.status == .invalid(.nikSexMismatch))

            let encoder = FlatRowEncoder(codesOf: [household])
            let rows = try encoder.rows(for: household).enumerated().map { ($0 + 2, $1) }
            let results = try FlatRowDecoder.decode(header: encoder.header, rows: rows, options: .init(keepInvalidNIK: true))
            let imported = try #require(try results.first?.get())
            #expect(imported.members.map(\.nik) == stored.members.map(\.nik))
        }
    }

    @Test func everyLimitIsTheDomainsNamedConstant() {
        var household = Self.households[0]
        household.alamat = String(repeating: "a", count: Household.maxAddressBytes)
        household.rt = Household.rtRule.range.upperBound
        household.desil = Household.desilRule.range.lowerBound
        household.members[0].name = String(repeating: "n", count: Member.maxNameBytes)
        household.attributes["catatan"] = .text(String(repeating: "t", count: Attributes.maxTextBytes))
        #expect(household.problems(policy: .strict).isEmpty)
        household.alamat += "a"
        household.rt! += 1
        household.desil! -= 1
        household.members[0].name += "n"
        household.attributes["catatan"] = .text(String(repeating: "t", count: Attributes.maxTextBytes + 1))
        #expect(household.problems(policy: .strict).map(\.field) == ["desil", "alamat", "rt", "atribut.catatan", "anggota[0].nama"])
        #expect(Attributes.codeProblem(String(repeating: "c", count: Attributes.maxCodeBytes), field: "atribut") == nil)
        #expect(Attributes.codeProblem(String(repeating: "c", count: Attributes.maxCodeBytes + 1), field: "atribut")?.code == .attributeInvalid)
    }

    @Test("an attribute code is accepted exactly when it is a short identifier or a known code", arguments: [1, 2] as [UInt64])
    func attributeCodes(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        // Every ASCII byte, the range edges around the allowed ones, and non-ASCII letters.
        let alphabet = (0..<128).map { String(UnicodeScalar(UInt8($0))) } + ["é", "ß", "日", "\u{00A0}", "Ａ"]
        func model(_ code: String) -> Bool {
            !code.isEmpty && code.utf8.count <= Attributes.maxCodeBytes
                && code.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0) }
        }
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...(Attributes.maxCodeBytes + 2), using: &random)
            let code = (0..<length).map { _ in
                Bool.random(using: &random) ? alphabet.randomElement(using: &random)! : ["a", "Z", "0", "9", "_", "-", "."].randomElement(using: &random)!
            }.joined()
            let accepted = Attributes.codeProblem(code, field: "atribut") == nil
            #expect(accepted == (model(code) || RecordCodec.isKnownAttributeCode(code)), "code \(code.debugDescription)")
        }
    }
}
