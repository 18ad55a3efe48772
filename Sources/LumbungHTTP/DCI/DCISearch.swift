import Foundation
import Lumbung

/// One search of a DCI `search_request` batch, turned into what Lumbung can answer, or the
/// DCI reason it is rejected with.
///
/// - `idtype-value`: `{"type": "NIK"|"UIN"|"NationalID"|"KK"|"SOURCE_ID", "value": "3216…"}`: the
///   household holding that NIK, KK number or source-register id (`id_sumber`; as `Member`: the
///   member with that NIK; the household's members).
/// - `expression`: `{"type": …, "value": {"expression": {"collection": "Group", "query":
///   {"$and": [{"wilayah": {"$eq": "32.16.01"}}, {"$or": [{"desil": {"$le": 3}}, {"program": "PKH"}]}]}}}}`.
///   `$and`, `$or`, `$nor` and `$not` (a list or an object of conditions) combine conditions at
///   any depth (at most 16); an attribute takes `$not` (`{"desil": {"$not": {"$gt": 3}}}`) and `$ne`.
/// - `predicate`: `[{"seq_num": 1, "expression1": {"attribute_name": "desil", "operator": "le",
///   "attribute_value": 3}, "condition": "or", "expression2": {…}}, …]`: each item is
///   `expression1 and|or expression2`, or `expression1 and not expression2` (`not` without
///   `expression2`: not `expression1`); the items all hold.
///
/// Attributes: `wilayah` (also `kode_wilayah`, `location`; a code prefix at any level, `eq`),
/// `desil` (also `poverty_score`; `eq`, `lt`, `le`, `gt`, `ge`, `in` of consecutive values),
/// `status` and `program` (`eq`). Conditions are on the household, also when `response_entity`
/// is `Member`: then the answer is the matching households' members, paged over members.
///
/// `sort`: `[{"attribute_name": "poverty_score", "sort_order": "desc"}, …]` over `desil`
/// (`poverty_score`), `wilayah` (`kode_wilayah`, `location`), `kk`, `id` and `updated_at`;
/// ties fall back to the household id. Without `sort`, records come in index order.
///
/// The token's scope bounds every search (what lies outside is not found); encrypted messages
/// stay refused (``DCIRoutes``).
enum DCISearch {
    /// A rejection: the DCI reason code and a message.
    struct Rejection: Error {
        let code: String
        let message: String
        init(_ code: String, _ message: String) {
            self.code = code
            self.message = String(message.prefix(999))
        }

        /// Runs `body`; a rejection passes through, a ``LumbungError`` becomes a rejection with
        /// `code` and its message, anything else one with `code` and `otherwise`.
        static func mapping<R>(_ code: String, otherwise: String, _ body: () throws -> R) throws(Rejection) -> R {
            do {
                return try body()
            } catch let rejection as Rejection {
                throw rejection
            } catch let error as LumbungError {
                throw Rejection(code, error.message)
            } catch {
                throw Rejection(code, otherwise)
            }
        }
    }

    enum Plan {
        case nik(NIK)
        case kk(NomorKK)
        case sourceID(SourceID)
        case filter(HouseholdFilter)
    }

    /// What a search answers: households (`Group`) or their members (`Member`).
    enum Entity: String {
        case group = "Group"
        case member = "Member"
    }

    struct Page {
        var size = 100
        var number = 1
        var offset: Int { (number - 1) * size }
    }

    /// One search, parsed.
    struct Criteria {
        var plan: Plan
        var page = Page()
        var sort: [HouseholdSort] = []
        var entity = Entity.group
    }

    static let maxPageSize = 1000
    static let maxSortKeys = 5
    static let maxDepth = 16
    static let maxPredicates = 100

    /// The search one `search_criteria` asks for.
    static func plan(_ criteria: DCIValue?) throws(Rejection) -> Criteria {
        guard let criteria, criteria.object != nil else {
            throw Rejection("rjct.search_criteria.invalid", "search_criteria is an object")
        }
        if let version = criteria["version"], version.string != "1.0.0" {
            throw Rejection("rjct.search_criteria.invalid", "search_criteria.version is 1.0.0")
        }
        var entity = Entity.group
        if let value = criteria["response_entity"] {
            guard let parsed = value.string.flatMap(Entity.init(rawValue:)) else {
                throw Rejection("rjct.search_criteria.invalid", "response_entity is Group (households) or Member (their members)")
            }
            entity = parsed
        }
        let sort = try sortKeys(criteria["sort"])
        let page = try pagination(criteria["pagination"])
        guard let queryType = criteria["query_type"]?.string else {
            throw Rejection("rjct.search_criteria.invalid", "query_type is idtype-value, expression or predicate")
        }
        guard let query = criteria["query"] else {
            throw Rejection("rjct.search_criteria.invalid", "query is required")
        }
        let plan: Plan
        switch queryType {
        case "idtype-value": plan = try identifier(query)
        case "expression": plan = .filter(try expression(query))
        case "predicate": plan = .filter(try predicate(query))
        default: throw Rejection("rjct.search_criteria.invalid", "query_type is idtype-value, expression or predicate")
        }
        return Criteria(plan: plan, page: page, sort: sort, entity: entity)
    }

    /// Sort attribute names, lower-cased, and the key each sorts by.
    static let sortAttributes: [String: HouseholdSort.Key] = [
        "desil": .desil, "poverty_score": .desil,
        "wilayah": .wilayah, "kode_wilayah": .wilayah, "location": .wilayah,
        "kk": .nomorKK, "nomor_kk": .nomorKK,
        "id": .id, "lumbung_id": .id,
        "updated_at": .updatedAt, "last_updated": .updatedAt,
    ]

    static func sortKeys(_ value: DCIValue?) throws(Rejection) -> [HouseholdSort] {
        guard let value else { return [] }
        guard let items = value.array else {
            throw Rejection("rjct.sort.invalid", "sort is a list of {\"attribute_name\", \"sort_order\"}")
        }
        guard items.count <= maxSortKeys else {
            throw Rejection("rjct.sort.invalid", "sort takes at most \(maxSortKeys) attributes")
        }
        var keys: [HouseholdSort] = []
        for item in items {
            guard let name = item["attribute_name"]?.string else {
                throw Rejection("rjct.sort.invalid", "each sort item has an attribute_name")
            }
            let shown = String(name.prefix(64))
            guard let key = sortAttributes[name.lowercased()] else {
                throw Rejection("rjct.sort.invalid", "\(shown) is not a sort attribute here; use desil (poverty_score), wilayah (kode_wilayah, location), kk, id or updated_at")
            }
            var descending = false
            if let order = item["sort_order"] {
                switch order.string?.lowercased() {
                case "asc"?: descending = false
                case "desc"?: descending = true
                default: throw Rejection("rjct.sort.invalid", "the sort_order of \(shown) is asc or desc")
                }
            }
            keys.append(HouseholdSort(key, descending: descending))
        }
        return keys
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
            throw Rejection("rjct.search_criteria.invalid", "an idtype-value query is {\"type\": \"NIK\", \"KK\" or \"SOURCE_ID\", \"value\": \"…\"}")
        }
        return try Rejection.mapping("rjct.search_criteria.invalid", otherwise: "the identifier value is invalid") {
            switch type.uppercased() {
            case "NIK", "UIN", "NATIONALID", "NATIONAL_ID": return .nik(try NIK(value))
            case "KK", "NOMOR_KK", "NOMORKK", "FAMILYCARD", "FAMILY_CARD": return .kk(try NomorKK(value))
            case "SOURCE_ID", "SOURCEID", "ID_SUMBER": return .sourceID(try SourceID(value, field: "value"))
            default: throw Rejection("rjct.search_criteria.invalid", "the identifier type is NIK (also UIN, NationalID), KK or SOURCE_ID")
            }
        }
    }

    /// `{"type": …, "value": {"expression": {"collection": "Group", "query": {…}}}}`; also the
    /// expression object or its query alone.
    static func expression(_ query: DCIValue) throws(Rejection) -> HouseholdFilter {
        var expression = query["value"] ?? query
        if let inner = expression["expression"] { expression = inner }
        if let collection = expression["collection"], collection.string != "Group", collection.string != "Member" {
            throw Rejection("rjct.filter.invalid", "the collection is Group (or Member: conditions are still on the household)")
        }
        return try filter(expression["query"] ?? expression, depth: 0)
    }

    /// An object of conditions that must all hold: attribute conditions merge into one query
    /// (one index scan), `$or`, `$nor` and `$not` become parts beside it.
    static func filter(_ conditions: DCIValue, depth: Int) throws(Rejection) -> HouseholdFilter {
        guard depth < maxDepth else { throw Rejection("rjct.filter.invalid", "expressions nest at most \(maxDepth) deep") }
        var conjunction = Conjunction()
        try conjunction.add(conditions, depth: depth)
        return conjunction.filter
    }

    /// Conditions that all hold, gathered: one query of attribute conditions and other parts.
    struct Conjunction {
        var query = HouseholdQuery()
        var hasCondition = false
        var parts: [HouseholdFilter] = []
        /// Two conditions that cannot both hold (regions that do not nest, desil ranges apart).
        var contradicts = false

        var filter: HouseholdFilter {
            if contradicts { return .none }
            let all: [HouseholdFilter] = hasCondition || parts.isEmpty ? [.query(query)] + parts : parts
            return all.count == 1 ? all[0] : .all(all)
        }

        mutating func condition(_ attribute: String, _ op: String, _ value: DCIValue) throws(Rejection) {
            // A query holds one status and one program: a second one is a part of its own.
            if (attribute == "status" && query.status != nil) || (attribute == "program" && query.program != nil) {
                var separate = HouseholdQuery()
                _ = try DCISearch.condition(attribute, op, value, into: &separate)
                parts.append(.query(separate))
                return
            }
            if try !DCISearch.condition(attribute, op, value, into: &query) { contradicts = true }
            hasCondition = true
        }

        /// `{"$and": [c, …]}`, `{"$or": […]}`, `{"$not": c}` or `{attribute: {"$op": value}, …}`.
        mutating func add(_ conditions: DCIValue, depth: Int) throws(Rejection) {
            guard depth < maxDepth else { throw Rejection("rjct.filter.invalid", "expressions nest at most \(maxDepth) deep") }
            guard let fields = conditions.object, !fields.isEmpty else {
                throw Rejection("rjct.filter.invalid", "an expression query is an object of conditions")
            }
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                switch key {
                case "$and":
                    for part in try list(key, value) { try add(part, depth: depth + 1) }
                case "$or", "$nor":
                    var alternatives: [HouseholdFilter] = []
                    for part in try list(key, value) { alternatives.append(try DCISearch.filter(part, depth: depth + 1)) }
                    parts.append(key == "$or" ? .any(alternatives) : .not(.any(alternatives)))
                case "$not":
                    if let items = value.array {
                        var all = Conjunction()
                        for part in try list(key, .array(items)) { try all.add(part, depth: depth + 1) }
                        parts.append(.not(all.filter))
                    } else {
                        parts.append(.not(try DCISearch.filter(value, depth: depth + 1)))
                    }
                default:
                    guard !key.hasPrefix("$") else {
                        throw Rejection("rjct.filter.invalid", "\(key.prefix(64)) is not an operator here; combine with $and, $or, $nor or $not")
                    }
                    guard let operators = value.object else {
                        try condition(key, "eq", value)
                        continue
                    }
                    guard !operators.isEmpty else { throw Rejection("rjct.filter.invalid", "\(key.prefix(64)) has no operator") }
                    for (op, operand) in operators.sorted(by: { $0.key < $1.key }) {
                        let name = op.hasPrefix("$") ? String(op.dropFirst()) : op
                        switch name {
                        case "not":
                            guard operand.object != nil else {
                                throw Rejection("rjct.filter.invalid", "\(key.prefix(64)) $not takes an object of operators")
                            }
                            parts.append(.not(try DCISearch.filter(.object([key: operand]), depth: depth + 1)))
                        case "ne":
                            parts.append(.not(try DCISearch.filter(.object([key: .object(["$eq": operand])]), depth: depth + 1)))
                        default:
                            try condition(key, name, operand)
                        }
                    }
                }
            }
        }

        private func list(_ key: String, _ value: DCIValue) throws(Rejection) -> [DCIValue] {
            guard let parts = value.array, !parts.isEmpty else { throw Rejection("rjct.filter.invalid", "\(key) takes a list of conditions") }
            return parts
        }
    }

    /// `[{seq_num, expression1, condition, expression2}, …]` in seq_num order; every item holds.
    static func predicate(_ query: DCIValue) throws(Rejection) -> HouseholdFilter {
        guard let items = query.array, !items.isEmpty else {
            throw Rejection("rjct.filter.invalid", "a predicate query is a list of {seq_num, expression1, condition, expression2}")
        }
        guard items.count <= maxPredicates else {
            throw Rejection("rjct.filter.invalid", "a predicate query holds at most \(maxPredicates) items")
        }
        func parts(_ expression: DCIValue) throws(Rejection) -> (String, String, DCIValue) {
            guard let name = expression["attribute_name"]?.string, let op = expression["operator"]?.string,
                let value = expression["attribute_value"]
            else { throw Rejection("rjct.filter.invalid", "an expression has attribute_name, operator and attribute_value") }
            return (name, op, value)
        }
        func single(_ expression: DCIValue) throws(Rejection) -> HouseholdFilter {
            let (name, op, value) = try parts(expression)
            var query = HouseholdQuery()
            return try condition(name, op, value, into: &query) ? .query(query) : .none
        }
        let ordered = items.enumerated().sorted { a, b in
            let (x, y) = (a.element["seq_num"]?.number ?? Double(a.offset), b.element["seq_num"]?.number ?? Double(b.offset))
            return x != y ? x < y : a.offset < b.offset
        }
        var conjunction = Conjunction()
        for (_, item) in ordered {
            guard let first = item["expression1"] else { throw Rejection("rjct.filter.invalid", "expression1 is required") }
            let second = item["expression2"]
            let condition: String? = item["condition"] == nil ? "and" : item["condition"]?.string
            switch condition {
            case "and"?:
                for expression in [first, second].compactMap({ $0 }) {
                    let (name, op, value) = try parts(expression)
                    try conjunction.condition(name, op, value)
                }
            case "or"?:
                guard let second else { throw Rejection("rjct.filter.invalid", "the or condition joins expression1 and expression2") }
                conjunction.parts.append(.any([try single(first), try single(second)]))
            case "not"?:
                if let second {
                    let (name, op, value) = try parts(first)
                    try conjunction.condition(name, op, value)
                    conjunction.parts.append(.not(try single(second)))
                } else {
                    conjunction.parts.append(.not(try single(first)))
                }
            default:
                throw Rejection("rjct.filter.invalid", "condition is and, or or not")
            }
        }
        return conjunction.filter
    }

    /// One attribute condition, added to `query`; false when it cannot hold together with what
    /// `query` already asks (the search then matches nothing).
    static func condition(_ attribute: String, _ op: String, _ value: DCIValue, into query: inout HouseholdQuery) throws(Rejection) -> Bool {
        let name = String(attribute.prefix(64))
        return try Rejection.mapping("rjct.filter.invalid", otherwise: "\(name) is invalid") { () throws -> Bool in
            switch attribute {
            case "wilayah", "kode_wilayah", "location":
                guard op == "eq", let text = value.string else { throw Rejection("rjct.filter.invalid", "\(name) takes eq and a kode wilayah") }
                let code = try KodeWilayah(text)
                // Both must hold: the narrower of two nested regions; regions apart match nothing.
                if let current = query.wilayah, !current.contains(code) {
                    guard code.contains(current) else { return false }
                } else {
                    query.wilayah = code
                }
                return true
            case "desil", "poverty_score":
                let desils = Household.desilRule.range
                let range = query.desil ?? desils
                var low = range.lowerBound, high = range.upperBound
                func bound(_ value: DCIValue) throws(Rejection) -> Int {
                    // One past each end is taken (lt 11, gt 0), and clamped below.
                    guard let number = value.integer, (desils.lowerBound - 1...desils.upperBound + 1).contains(number) else {
                        throw Rejection("rjct.filter.invalid", "\(name) is a whole number \(desils.lowerBound) to \(desils.upperBound)")
                    }
                    return number
                }
                switch op {
                case "eq":
                    let v = try bound(value)
                    (low, high) = (max(low, v), min(high, v))
                case "lt": high = min(high, try bound(value) - 1)
                case "le", "lte": high = min(high, try bound(value))
                case "gt": low = max(low, try bound(value) + 1)
                case "ge", "gte": low = max(low, try bound(value))
                case "in":
                    guard let list = value.array, !list.isEmpty else { throw Rejection("rjct.filter.invalid", "\(name) in takes a list") }
                    var values: [Int] = []
                    for item in list { values.append(try bound(item)) }
                    let sorted = Set(values).sorted()
                    guard sorted.last! - sorted.first! + 1 == sorted.count else {
                        throw Rejection("rjct.filter.invalid", "\(name) in takes consecutive values (a range)")
                    }
                    (low, high) = (max(low, sorted.first!), min(high, sorted.last!))
                default: throw Rejection("rjct.filter.invalid", "\(name) takes eq, lt, le, gt, ge or in")
                }
                // A range outside the desils, or empty, matches no household.
                (low, high) = (max(low, desils.lowerBound), min(high, desils.upperBound))
                guard low <= high else { return false }
                query.desil = low...high
                return true
            case "status":
                guard op == "eq", let text = value.string else { throw Rejection("rjct.filter.invalid", "status takes eq and a status name") }
                query.status = try HouseholdQuery.StatusFilter(parsing: text)
                return true
            case "program":
                guard op == "eq", let text = value.string else { throw Rejection("rjct.filter.invalid", "program takes eq and a program name") }
                query.program = try Program(parsing: text)
                return true
            default:
                throw Rejection("rjct.filter.invalid", "\(name) is not a filter here; use wilayah, desil (poverty_score), status or program")
            }
        }
    }

}
