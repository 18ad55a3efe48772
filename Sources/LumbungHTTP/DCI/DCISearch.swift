import Foundation
import Lumbung

/// One search of a DCI `search_request` batch, turned into what Lumbung can answer, or the
/// DCI reason it is rejected with.
///
/// - `idtype-value`: `{"type": "NIK"|"UIN"|"NationalID"|"KK", "value": "3216…"}`: the household
///   holding that NIK or KK number.
/// - `expression`: `{"type": …, "value": {"expression": {"collection": "Group", "query":
///   {"$and": [{"wilayah": {"$eq": "32.16.01"}}, {"desil": {"$le": 3}}, …]}}}}`.
/// - `predicate`: `[{"seq_num": 1, "expression1": {"attribute_name": "desil", "operator": "le",
///   "attribute_value": 3}, "condition": "and", …}]`.
///
/// Attributes: `wilayah` (also `kode_wilayah`, `location`; a code prefix at any level, `eq`),
/// `desil` (also `poverty_score`; `eq`, `lt`, `le`, `gt`, `ge`, `in` of consecutive values),
/// `status` and `program` (`eq`). Conditions combine with `and` only.
enum DCISearch {
    /// A rejection: the DCI reason code and a message.
    struct Rejection: Error {
        let code: String
        let message: String
        init(_ code: String, _ message: String) {
            self.code = code
            self.message = String(message.prefix(999))
        }
    }

    enum Plan {
        case nik(NIK)
        case kk(NomorKK)
        case query(HouseholdQuery)
    }

    struct Page {
        var size = 100
        var number = 1
    }

    static let maxPageSize = 1000

    /// The plan and page of one `search_criteria`.
    static func plan(_ criteria: DCIValue?) throws(Rejection) -> (Plan, Page) {
        guard let criteria, criteria.object != nil else {
            throw Rejection("rjct.search_criteria.invalid", "search_criteria is an object")
        }
        if let version = criteria["version"], version.string != "1.0.0" {
            throw Rejection("rjct.search_criteria.invalid", "search_criteria.version is 1.0.0")
        }
        if let entity = criteria["response_entity"], entity.string != "Group" {
            throw Rejection("rjct.search_criteria.invalid", "response_entity is Group: Lumbung answers households")
        }
        if let sort = criteria["sort"], sort.array?.isEmpty != true {
            throw Rejection("rjct.sort.invalid", "sorting is not supported; records come in the register's index order")
        }
        let page = try pagination(criteria["pagination"])
        guard let queryType = criteria["query_type"]?.string else {
            throw Rejection("rjct.search_criteria.invalid", "query_type is idtype-value, expression or predicate")
        }
        guard let query = criteria["query"] else {
            throw Rejection("rjct.search_criteria.invalid", "query is required")
        }
        switch queryType {
        case "idtype-value": return (try identifier(query), page)
        case "expression": return (.query(try expression(query)), page)
        case "predicate": return (.query(try predicate(query)), page)
        default: throw Rejection("rjct.search_criteria.invalid", "query_type is idtype-value, expression or predicate")
        }
    }

    static func pagination(_ value: DCIValue?) throws(Rejection) -> Page {
        guard let value else { return Page() }
        guard value.object != nil, let size = value["page_size"]?.integer, (1...maxPageSize).contains(size) else {
            throw Rejection("rjct.pagination.invalid", "pagination.page_size is 1 to \(maxPageSize)")
        }
        var page = Page(size: size)
        if let number = value["page_number"] {
            guard let number = number.integer, number >= 1, number <= 1_000_000 else {
                throw Rejection("rjct.pagination.invalid", "pagination.page_number counts from 1")
            }
            page.number = number
        }
        return page
    }

    static func identifier(_ query: DCIValue) throws(Rejection) -> Plan {
        guard let type = query["type"]?.string, let value = query["value"]?.identifierText else {
            throw Rejection("rjct.search_criteria.invalid", "an idtype-value query is {\"type\": \"NIK\" or \"KK\", \"value\": \"…\"}")
        }
        do {
            switch type.uppercased() {
            case "NIK", "UIN", "NATIONALID", "NATIONAL_ID": return .nik(try NIK(value))
            case "KK", "NOMOR_KK", "NOMORKK", "FAMILYCARD", "FAMILY_CARD": return .kk(try NomorKK(value))
            default: throw Rejection("rjct.search_criteria.invalid", "the identifier type is NIK (also UIN, NationalID) or KK")
            }
        } catch let rejection as Rejection {
            throw rejection
        } catch let error as LumbungError {
            throw Rejection("rjct.search_criteria.invalid", error.message)
        } catch {
            throw Rejection("rjct.search_criteria.invalid", "the identifier value is invalid")
        }
    }

    /// `{"type": …, "value": {"expression": {"collection": "Group", "query": {…}}}}`; also the
    /// expression object or its query alone.
    static func expression(_ query: DCIValue) throws(Rejection) -> HouseholdQuery {
        var expression = query["value"] ?? query
        if let inner = expression["expression"] { expression = inner }
        if let collection = expression["collection"], collection.string != "Group" {
            throw Rejection("rjct.filter.invalid", "the collection is Group")
        }
        let conditions = expression["query"] ?? expression
        var result = HouseholdQuery()
        try apply(conditions, to: &result)
        return result
    }

    /// `{"$and": [c, …]}` or `{attribute: {"$op": value}, …}` (all must hold).
    static func apply(_ conditions: DCIValue, to query: inout HouseholdQuery) throws(Rejection) {
        guard let fields = conditions.object, !fields.isEmpty else {
            throw Rejection("rjct.filter.invalid", "an expression query is an object of conditions")
        }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "$and":
                guard let parts = value.array, !parts.isEmpty else { throw Rejection("rjct.filter.invalid", "$and takes a list of conditions") }
                for part in parts { try apply(part, to: &query) }
            case "$or", "$not", "$nor":
                throw Rejection("rjct.filter.invalid", "\(key) is not supported; conditions combine with $and")
            default:
                if let operators = value.object {
                    guard !operators.isEmpty else { throw Rejection("rjct.filter.invalid", "\(key) has no operator") }
                    for (op, operand) in operators.sorted(by: { $0.key < $1.key }) {
                        try condition(key, op.hasPrefix("$") ? String(op.dropFirst()) : op, operand, into: &query)
                    }
                } else {
                    try condition(key, "eq", value, into: &query)
                }
            }
        }
    }

    static func predicate(_ query: DCIValue) throws(Rejection) -> HouseholdQuery {
        guard let items = query.array, !items.isEmpty else {
            throw Rejection("rjct.filter.invalid", "a predicate query is a list of {seq_num, expression1, condition, expression2}")
        }
        var result = HouseholdQuery()
        for item in items {
            if let condition = item["condition"], condition.string != "and" {
                throw Rejection("rjct.filter.invalid", "only the and condition is supported")
            }
            guard let first = item["expression1"] else { throw Rejection("rjct.filter.invalid", "expression1 is required") }
            for expression in [first, item["expression2"]].compactMap({ $0 }) {
                guard let name = expression["attribute_name"]?.string, let op = expression["operator"]?.string,
                    let value = expression["attribute_value"]
                else { throw Rejection("rjct.filter.invalid", "an expression has attribute_name, operator and attribute_value") }
                try condition(name, op, value, into: &result)
            }
        }
        return result
    }

    /// One attribute condition.
    static func condition(_ attribute: String, _ op: String, _ value: DCIValue, into query: inout HouseholdQuery) throws(Rejection) {
        let name = String(attribute.prefix(64))
        do {
            switch attribute {
            case "wilayah", "kode_wilayah", "location":
                guard op == "eq", let text = value.string else { throw Rejection("rjct.filter.invalid", "\(name) takes eq and a kode wilayah") }
                let code = try KodeWilayah(text)
                if let current = query.wilayah, !current.contains(code) {
                    throw Rejection("rjct.filter.invalid", "\(name) is given twice with regions that do not overlap")
                }
                query.wilayah = code
            case "desil", "poverty_score":
                var range = query.desil ?? 1...10
                func bound(_ value: DCIValue) throws(Rejection) -> Int {
                    guard let number = value.integer, (0...11).contains(number) else { throw Rejection("rjct.filter.invalid", "\(name) is a whole number 1 to 10") }
                    return number
                }
                switch op {
                case "eq":
                    let v = try bound(value)
                    range = try clamp(max(range.lowerBound, v), min(range.upperBound, v), name)
                case "lt": range = try clamp(range.lowerBound, min(range.upperBound, try bound(value) - 1), name)
                case "le", "lte": range = try clamp(range.lowerBound, min(range.upperBound, try bound(value)), name)
                case "gt": range = try clamp(max(range.lowerBound, try bound(value) + 1), range.upperBound, name)
                case "ge", "gte": range = try clamp(max(range.lowerBound, try bound(value)), range.upperBound, name)
                case "in":
                    guard let list = value.array, !list.isEmpty else { throw Rejection("rjct.filter.invalid", "\(name) in takes a list") }
                    var values: [Int] = []
                    for item in list { values.append(try bound(item)) }
                    let sorted = Set(values).sorted()
                    guard sorted.last! - sorted.first! + 1 == sorted.count else {
                        throw Rejection("rjct.filter.invalid", "\(name) in takes consecutive values (a range)")
                    }
                    range = try clamp(max(range.lowerBound, sorted.first!), min(range.upperBound, sorted.last!), name)
                default: throw Rejection("rjct.filter.invalid", "\(name) takes eq, lt, le, gt, ge or in")
                }
                query.desil = range
            case "status":
                guard op == "eq", let text = value.string else { throw Rejection("rjct.filter.invalid", "status takes eq and a status name") }
                query.status = try HouseholdQuery.StatusFilter(parsing: text)
            case "program":
                guard op == "eq", let text = value.string else { throw Rejection("rjct.filter.invalid", "program takes eq and a program name") }
                query.program = try Program(parsing: text)
            default:
                throw Rejection("rjct.filter.invalid", "\(name) is not a filter here; use wilayah, desil (poverty_score), status or program")
            }
        } catch let rejection as Rejection {
            throw rejection
        } catch let error as LumbungError {
            throw Rejection("rjct.filter.invalid", error.message)
        } catch {
            throw Rejection("rjct.filter.invalid", "\(name) is invalid")
        }
    }

    static func clamp(_ low: Int, _ high: Int, _ name: String) throws(Rejection) -> ClosedRange<Int> {
        let low = max(low, 1), high = min(high, 10)
        guard low <= high else { throw Rejection("rjct.filter.invalid", "the \(name) conditions match no desil from 1 to 10") }
        return low...high
    }
}
