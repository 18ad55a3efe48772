import Lumbung

/// Builds the members of one synthetic household: family structure, ages, NIKs, names.
///
/// Structure: one kepala keluarga (20–80), a spouse in most households, children born while
/// the parents were 17–45, sometimes a grandchild (heads over 45), a parent of the head, or
/// another relative. Members come out in Kartu Keluarga order: head, spouse, children
/// (oldest first), grandchildren, parents, others.
struct MemberBuilder {
    /// The household's NIK base (see ``IdentityScheme``).
    let base: IdentityScheme.Household
    /// `PPKKCC` of the household's kecamatan.
    let region: Int
    /// Every kecamatan `PPKKCC` of the kabupaten (for members registered elsewhere).
    let kecamatan: [Int]
    /// Desil 1–10 (nil: not ranked yet), for education.
    let desil: Int?
    /// Batak households carry a marga as family name.
    let batak: Bool
    let dirtyNIKRate: Double

    /// Household sizes 1...9, mean ≈ 4.0.
    static let sizes = Weighted([7, 13, 20, 24, 17, 10, 5, 2.5, 1.5])

    /// One planned member: relation, sex and the window the birth date must fall in.
    private struct Plan {
        var relation: Relation
        var sex: Sex
        var lo: Int
        var hi: Int
        var desired: Int
        var birth = 0
        var serial = 0
    }

    func build(_ random: inout SplitMix64) -> [Member] {
        let size = MemberBuilder.sizes.sample(&random) + 1
        var plans: [Plan] = []
        plans.reserveCapacity(size)

        // Kepala keluarga: mostly men; a one-person household is often an elderly widow(er).
        let headSex: Sex = random.chance(size == 1 ? 0.45 : 0.12) ? .female : .male
        let headAge =
            size == 1 && random.chance(0.5)
            ? 55 + random.unit() * 25 : 20 + 60 * (random.unit() + random.unit()) / 2
        let headLo = Days.reference - Days.years(80)
        let headHi = Days.reference - Days.years(20)
        plans.append(Plan(relation: .kepalaKeluarga, sex: headSex, lo: headLo, hi: headHi,
                          desired: clamp(Days.reference - Days.years(headAge), headLo, headHi)))
        let headDesired = plans[0].desired

        // Spouse: nearly every male head, few female heads (most are widows).
        var spouseDesired: Int?
        if size >= 2, random.chance(headSex == .male ? 0.9 : 0.08) {
            // Positive gap: the wife is younger.
            let gap = headSex == .male ? -3 + random.unit() * 13 : -8 + random.unit() * 10
            let lo = Days.earliestBirth, hi = Days.reference - Days.years(18)
            let desired = clamp(headDesired + Days.years(gap), lo, hi)
            plans.append(Plan(relation: .istriSuami, sex: headSex == .male ? .female : .male,
                              lo: lo, hi: hi, desired: desired))
            spouseDesired = desired
        }

        // Children: born after the younger parent turned 17 and before the mother turned 45.
        let youngest = max(headDesired, spouseDesired ?? headDesired)
        let mother = headSex == .female ? headDesired : spouseDesired
        var childLo = youngest + Days.years(17)
        let childHi = min(Days.reference, (mother ?? headDesired) + Days.years(mother == nil ? 55 : 45))
        if childHi - childLo + 1 < IdentityScheme.m { childLo = childHi - IdentityScheme.m + 1 }
        let headAgeYears = Days.age(headDesired)
        let parentLo = max(Days.earliestBirth, headDesired - Days.years(45))
        let parentHi = headDesired - Days.years(18)
        let grandLo = headDesired + Days.years(36)
        var hasParent = false

        while plans.count < size {
            let roll = random.unit()
            let sex: Sex = random.chance(0.5) ? .male : .female
            if roll < 0.07, !hasParent, parentHi - parentLo + 1 >= IdentityScheme.m {
                hasParent = true
                let parentSex: Sex = random.chance(0.7) ? .female : .male
                plans.append(Plan(relation: .orangTua, sex: parentSex, lo: parentLo, hi: parentHi,
                                  desired: parentLo + random.below(parentHi - parentLo + 1)))
            } else if roll < 0.09 {
                let lo = Days.reference - Days.years(70)
                plans.append(Plan(relation: .familiLain, sex: sex, lo: lo, hi: Days.reference,
                                  desired: lo + random.below(Days.reference - lo + 1)))
            } else if headAgeYears >= 46, roll < 0.30, Days.reference - grandLo + 1 >= IdentityScheme.m {
                plans.append(Plan(relation: .cucu, sex: sex, lo: grandLo, hi: Days.reference,
                                  desired: grandLo + random.below(Days.reference - grandLo + 1)))
            } else {
                plans.append(Plan(relation: .anak, sex: sex, lo: childLo, hi: childHi,
                                  desired: childLo + random.below(childHi - childLo + 1)))
            }
        }

        // Birth dates on the NIK residue grid, distinct within (sex, group) in the household.
        var sameSex = [0, 0]
        var used: [(sex: Sex, group: Int, day: Int)] = []
        used.reserveCapacity(size)
        var placed: [Plan] = []
        placed.reserveCapacity(size)
        for var plan in plans {
            let sexIndex = plan.sex == .female ? 1 : 0
            let slot = IdentityScheme.slot(base, sex: plan.sex, sameSexIndex: sameSex[sexIndex])
            let snapped = IdentityScheme.snap(plan.desired, residue: slot.residue, lo: plan.lo, hi: plan.hi)
            func taken(_ day: Int) -> Bool {
                used.contains { $0.sex == plan.sex && $0.group == slot.group && $0.day == day }
            }
            // On a clash, move whole periods (M days) older or younger inside the window.
            var day: Int? = snapped
            if taken(snapped) {
                day = nil
                for step in [-1, 1, -2, 2, -3, 3, -4, 4] {
                    let candidate = snapped + step * IdentityScheme.m
                    if candidate >= plan.lo && candidate <= plan.hi && !taken(candidate) {
                        day = candidate
                        break
                    }
                }
            }
            // No free date: leave this member out (vanishingly rare; never the head, placed first).
            guard let day else { continue }
            sameSex[sexIndex] += 1
            used.append((plan.sex, slot.group, day))
            plan.birth = day
            plan.serial = slot.serial
            placed.append(plan)
        }

        // Kartu Keluarga order.
        placed.sort { lhs, rhs in
            let left = MemberBuilder.rank(lhs.relation), right = MemberBuilder.rank(rhs.relation)
            return left != right ? left < right : lhs.birth < rhs.birth
        }

        let headFamily = batak ? random.pick(Names.marga) : nil
        var members: [Member] = []
        members.reserveCapacity(placed.count)
        let married = placed.contains { $0.relation == .istriSuami }
        for plan in placed {
            members.append(member(plan, headFamily: headFamily, married: married, &random))
        }
        return members
    }

    private static func rank(_ relation: Relation) -> Int {
        switch relation {
        case .kepalaKeluarga: 0
        case .istriSuami: 1
        case .anak: 2
        case .menantu: 3
        case .cucu: 4
        case .orangTua: 5
        case .mertua: 6
        case .familiLain: 7
        case .lainnya: 8
        }
    }

    private func member(_ plan: Plan, headFamily: String?, married: Bool, _ random: inout SplitMix64) -> Member {
        let age = Days.age(plan.birth)
        let nikRegion = random.chance(0.95) || kecamatan.count < 2 ? region : random.pick(kecamatan)
        let nik = IdentityScheme.nik(region: nikRegion, birth: plan.birth, sex: plan.sex, serial: plan.serial)
        // Drawn whatever the rate, so the rest of the household does not depend on it.
        let dirtyRoll = random.unit()
        let dirtyKind = random.below(10)
        let memberNIK = dirtyRoll < dirtyNIKRate ? MemberBuilder.dirty(nik, kind: dirtyKind) : .valid(nik)

        // Children and grandchildren of a Batak head carry the family marga; a spouse keeps theirs.
        var family: String? = nil
        if batak {
            family = plan.relation == .anak || plan.relation == .cucu || plan.relation == .kepalaKeluarga
                ? headFamily : random.pick(Names.marga)
        }
        let name = MemberBuilder.name(sex: plan.sex, family: family, &random)

        var presence = Presence.tinggalBersama
        if plan.relation != .kepalaKeluarga, random.chance(0.02) {
            presence = random.pick([.pindah, .meninggal, .anggotaBaru, .tidakDitemukan])
        }
        let disability: Disability? =
            random.chance(0.02) ? Disability(rawValue: UInt8(1 + min(4, random.below(7))))! : nil

        return Member(
            nik: memberNIK, name: name, sex: plan.sex, birthDate: Days.date(plan.birth),
            relation: plan.relation, presence: presence,
            maritalStatus: maritalStatus(plan.relation, age: age, sex: plan.sex, married: married, &random),
            education: education(age: age, &random),
            occupation: occupation(age: age, sex: plan.sex, &random),
            disability: disability)
    }

    /// A flagged NIK as real imports have them: missing, mangled by a spreadsheet, or a digit short.
    static func dirty(_ nik: NIK, kind: Int) -> MemberNIK {
        let text = nik.text
        switch kind {
        case 0..<4:
            return MemberNIK(parsing: nil)
        case 4..<8:
            let digits = Array(text)
            return MemberNIK(parsing: "\(digits[0]).\(String(digits[1..<6]))E+15")
        default:
            return MemberNIK(parsing: String(text.dropLast()))
        }
    }

    /// "AHMAD FAUZI", "SUPARMAN", "TOGAR SIREGAR".
    static func name(sex: Sex, family: String?, _ random: inout SplitMix64) -> String {
        let given = random.pick(sex == .male ? Names.male : Names.female)
        if let family { return given + " " + family }
        guard random.chance(0.55) else { return given }
        return given + " " + random.pick(sex == .male ? Names.maleSecond : Names.femaleSecond)
    }

    private func maritalStatus(_ relation: Relation, age: Int, sex: Sex, married: Bool, _ random: inout SplitMix64)
        -> MaritalStatus
    {
        switch relation {
        case .kepalaKeluarga:
            if married { return .kawin }
            if age < 30 { return random.chance(0.7) ? .belumKawin : .ceraiHidup }
            return random.chance(sex == .female ? 0.65 : 0.5) ? .ceraiMati : (random.chance(0.7) ? .ceraiHidup : .belumKawin)
        case .istriSuami, .menantu:
            return .kawin
        case .orangTua, .mertua:
            return random.chance(0.85) ? .ceraiMati : .kawin
        case .anak, .cucu, .familiLain, .lainnya:
            if age < 19 { return .belumKawin }
            let roll = random.unit()
            return roll < 0.82 ? .belumKawin : roll < 0.94 ? .ceraiHidup : .kawin
        }
    }

    /// Highest completed schooling; poorer and older members have less.
    private static let adultPoor = Weighted([12, 38, 22, 22, 2, 3.8, 0.2])
    private static let adultBetter = Weighted([4, 18, 21, 38, 7, 11, 1])
    private static let elderly = Weighted([32, 45, 11, 8, 1, 2.8, 0.2])
    private static let youngAdult = Weighted([3, 14, 28, 48, 3, 4, 0])

    private func education(age: Int, _ random: inout SplitMix64) -> Education? {
        switch age {
        case ..<5: return nil
        case ..<13: return .tidakSekolah
        case ..<16: return random.chance(0.9) ? .sd : .tidakSekolah
        case ..<19: return random.chance(0.85) ? .smp : .sd
        case ..<23: return Education(rawValue: UInt8(1 + MemberBuilder.youngAdult.sample(&random)))
        default:
            let table =
                age >= 60 ? MemberBuilder.elderly : (desil ?? 3) <= 4 ? MemberBuilder.adultPoor : MemberBuilder.adultBetter
            return Education(rawValue: UInt8(1 + table.sample(&random)))
        }
    }

    private func occupation(age: Int, sex: Sex, _ random: inout SplitMix64) -> String {
        switch age {
        case ..<5: return "BELUM/TIDAK BEKERJA"
        case ..<19: return random.chance(0.9) ? "PELAJAR" : "TIDAK BEKERJA"
        case ..<23 where random.chance(0.25): return "PELAJAR"
        case 65...: return Names.elderJobs[Names.elderJobWeights.sample(&random)]
        default:
            return sex == .male
                ? Names.maleJobs[Names.maleJobWeights.sample(&random)]
                : Names.femaleJobs[Names.femaleJobWeights.sample(&random)]
        }
    }
}

@inline(__always)
func clamp(_ value: Int, _ lo: Int, _ hi: Int) -> Int { min(max(value, lo), hi) }
