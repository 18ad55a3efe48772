import ArgumentParser
import Lumbung

/// The household filters `find` and `export` share.
struct QueryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A kode wilayah at any level, e.g. 32.16.01.", valueName: "code"))
    var wilayah: String?

    @Option(help: ArgumentHelp(listed(HouseholdStatus.names + ["tidak_layak:REASON"]) + ".", valueName: "status"))
    var status: String?

    @Option(help: ArgumentHelp(listed(Program.allCases.map(\.name)) + ".", valueName: "program"))
    var program: String?

    @Option(name: .customLong("desil-min"), help: ArgumentHelp("The lowest desil, \(desilRange).", valueName: "n"))
    var desilMin: Int?

    @Option(name: .customLong("desil-max"), help: ArgumentHelp("The highest desil, \(desilRange).", valueName: "n"))
    var desilMax: Int?

    @Option(name: .customLong("nik-status"), help: "Households with an invalid or missing NIK, or with only valid ones.")
    var nikStatus: NIKStatusChoice?

    @Option(help: ArgumentHelp(
        "Households with a member of this Dukcapil status: " + listed(DukcapilStatus.names)
            + "; \(DukcapilResult.pendingName): households none of whose members has a result.", valueName: "status"))
    var dukcapil: String?

    @Option(name: .customLong("has-member"), help: ArgumentHelp(
        "Households with a member who meets every term (repeatable): age<6, age=7-12, sex=P, hubungan=anak, "
            + "status_perkawinan=kawin, disabilitas, disabilitas_berat, hamil, keberadaan=semua, pkh=anak_sd, jumlah>=2.",
        valueName: "terms"))
    var hasMember: [String] = []

    @Option(name: .customLong("household-size"), help: ArgumentHelp("Members living in the household: n, n-m, <n or >=n.", valueName: "size"))
    var householdSize: String?

    @Option(name: .customLong("head-sex"), help: ArgumentHelp("The head's sex, L or P.", valueName: "sex"))
    var headSex: String?

    @Option(name: .customLong("head-age"), help: ArgumentHelp("The head's age: n, n-m, <n or >=n.", valueName: "age"))
    var headAge: String?

    @Option(name: .customLong("pkh-komponen"), help: ArgumentHelp("Households with a member in this PKH component: " + listed(PKHComponent.names) + ".", valueName: "component"))
    var pkhKomponen: String?

    @Option(name: .customLong("date"), help: ArgumentHelp("The day ages are reckoned on (YYYY-MM-DD; default today).", valueName: "date"))
    var referenceDate: String?

    /// The filters as a query; invalid values throw the core's errors (exit 3).
    func query() throws -> HouseholdQuery {
        var query = HouseholdQuery()
        query.wilayah = try parseWilayah(wilayah)
        query.status = try status.map { try HouseholdQuery.StatusFilter(parsing: $0) }
        query.program = try program.map { try Program(parsing: $0) }
        query.nikStatus = nikStatus?.kind
        query.dukcapil = try dukcapil.map { try DukcapilFilter(parsing: $0, field: "--dukcapil") }
        query.members = try hasMember.map { try MemberCount(parsing: $0, field: "--has-member") }
        if let householdSize { query.members.append(try .householdSize(parsing: householdSize, field: "--household-size")) }
        if headSex != nil || headAge != nil {
            query.members.append(try .head(sex: headSex, age: headAge, fields: ("--head-sex", "--head-age")))
        }
        if let pkhKomponen {
            query.members.append(.pkh(try PKHComponent(parsing: pkhKomponen, field: "--pkh-komponen", code: .queryInvalid)))
        }
        query.referenceDate = try referenceDate.map(parseReferenceDate)
        if desilMin != nil || desilMax != nil {
            let low = desilMin ?? 1, high = desilMax ?? 10
            guard low <= high else {
                throw LumbungError(.queryInvalid, field: "desil", value: "\(low)-\(high)", rule: "--desil-min must not exceed --desil-max")
            }
            query.desil = low...high
        }
        return query
    }
}

/// The `--date` ages are reckoned on (`find`, `export`, `stats --pkh`).
func parseReferenceDate(_ text: String) throws -> CalendarDate {
    guard let date = try? CalendarDate(parsing: text) else {
        throw LumbungError(.queryInvalid, field: "--date", value: text, rule: "a date is written YYYY-MM-DD")
    }
    return date
}

/// `a, b or c`, for help text that lists the core's names.
private func listed(_ names: [String]) -> String {
    names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
}

/// `1-10`, from the core's desil rule.
private let desilRange = "\(Household.desilRule.range.lowerBound)-\(Household.desilRule.range.upperBound)"
