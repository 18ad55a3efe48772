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
/// Attributes (the vocabulary: ``DCIAttribute``, ``DCIValues``): household ones, `wilayah`
/// (a code prefix at any level, or a wilayah's name), `desil`, `status`, `program`,
/// `household_size`; member ones, `sex`, `age`, `yob`, `dob`, `marital_status`, `disability`,
/// `severe_disability`, `pregnant`, `relationship_head`, `pkh_component`, which all hold for
/// one member ("has a member who …", read from the member index). With `response_entity`
/// `Member` the answer is the matching households' members, only those who match when member
/// attributes are asked for, paged over members.
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
            throw Rejection("rjct.search_criteria.invalid", "an idtype-value query is {\"type\": \"NIK\", \"UIN\", \"KK\" or \"SOURCE_ID\", \"value\": \"…\"}")
        }
        guard let kind = DCIIdentifierType(named: type) else { throw Rejection("rjct.search_criteria.invalid", DCIIdentifierType.rule) }
        return try Rejection.mapping("rjct.search_criteria.invalid", otherwise: "the identifier value is invalid") {
            switch kind {
            case .nik: return .nik(try NIK(value))
            // A UIN is any register's unique number: one that is no NIK is held by no one here.
            case .uin: return (try? NIK(value)).map(Plan.nik) ?? .filter(.none)
            case .kk: return .kk(try NomorKK(value))
            case .sourceID: return .sourceID(try SourceID(value, field: "value"))
            }
        }
    }

    /// `{"type": …, "value": {"expression": {"collection": "Group", "query": {…}}}}`; also the
    /// expression object or its query alone.
    static func expression(_ query: DCIValue) throws(Rejection) -> HouseholdFilter {
        var expression = query["value"] ?? query
        if let inner = expression["expression"] { expression = inner }
        if let collection = expression["collection"], collection.string != "Group", collection.string != "Member" {
            throw Rejection("rjct.filter.invalid", "the collection is Group or Member (response_entity decides what is answered)")
        }
        return try filter(expression["query"] ?? expression, depth: 0, nested: false)
    }

    /// An object of conditions that must all hold: attribute conditions merge into one query
    /// (one index scan), `$or`, `$nor` and `$not` become parts beside it. `nested`: under `$or`,
    /// `$nor`, `$not` or `$ne`, where member attributes are refused.
    static func filter(_ conditions: DCIValue, depth: Int, nested: Bool) throws(Rejection) -> HouseholdFilter {
        guard depth < maxDepth else { throw Rejection("rjct.filter.invalid", "expressions nest at most \(maxDepth) deep") }
        var conjunction = Conjunction(nested: nested)
        try conjunction.add(conditions, depth: depth)
        return conjunction.filter
    }

    /// Conditions that all hold, gathered: one query of attribute conditions, the one member
    /// every member attribute describes, and other parts.
    struct Conjunction {
        var query = HouseholdQuery()
        var hasCondition = false
        var parts: [HouseholdFilter] = []
        /// Two conditions that cannot both hold (regions that do not nest, ranges apart).
        var contradicts = false
        /// The member every member attribute asks for (nil: none asked).
        var member: MemberCondition?
        /// Household sizes asked for.
        var sizes: ClosedRange<Int>?
        /// Under `$or`, `$nor`, `$not` or `$ne`: member attributes are refused here (the member
        /// index answers "has a member who …" for the search's leading conditions only).
        let nested: Bool

        init(nested: Bool) { self.nested = nested }

        var filter: HouseholdFilter {
            if contradicts { return .none }
            var query = self.query
            if let member { query.members.append(MemberCount(member)) }
            if let sizes { query.members.append(.householdSize(sizes)) }
            query.pinReferenceDate()
            let all: [HouseholdFilter] = hasCondition || parts.isEmpty ? [.query(query)] + parts : parts
            return all.count == 1 ? all[0] : .all(all)
        }

        /// One attribute condition (`attribute op value`), added to what must hold.
        mutating func condition(_ attributeName: String, _ op: String, _ value: DCIValue) throws(Rejection) {
            let name = String(attributeName.prefix(64))
            guard let attribute = DCIAttribute(named: attributeName) else {
                throw Rejection("rjct.filter.invalid", "\(name) is not a search attribute here; use \(DCIAttribute.listed)")
            }
            let op = op.lowercased() == "lte" ? "le" : op.lowercased() == "gte" ? "ge" : op.lowercased()
            guard attribute.operators.contains(op) else {
                throw Rejection("rjct.filter.invalid", "\(name) takes \(attribute.operators.joined(separator: ", ")), not \(op.prefix(16))")
            }
            if attribute.isMember && nested {
                throw Rejection("rjct.filter.invalid", "\(name) is a member attribute: member attributes hold together for one member, in the search's $and (or predicate items joined by and), not under $or, $nor, $not or $ne")
            }
            // A query holds one status and one program: a second one is a part of its own.
            if (attribute == .status && query.status != nil) || (attribute == .program && query.program != nil) {
                var separate = Conjunction(nested: nested)
                try separate.condition(attributeName, op, value)
                parts.append(separate.filter)
                return
            }
            try Rejection.mapping("rjct.filter.invalid", otherwise: "\(name) is invalid") { () throws in
                try apply(attribute, name, op, value)
            }
            hasCondition = true
        }

        private mutating func apply(_ attribute: DCIAttribute, _ name: String, _ op: String, _ value: DCIValue) throws {
            func shown(_ value: DCIValue) -> String {
                switch value {
                case .string(let text): String(text.prefix(40))
                case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
                case .bool(let flag): String(flag)
                default: "a \(value.object != nil ? "object" : value.array != nil ? "list" : "null")"
                }
            }
            func unknown(_ rule: String) -> Rejection {
                Rejection("rjct.filter.invalid", "\(name) takes \(rule); got \(shown(value))")
            }
            switch attribute {
            case .wilayah:
                guard let text = value.string else { throw unknown("a kode wilayah or a wilayah's name") }
                // Digits and dots are a code (checked); anything else names a place.
                let codes = text.allSatisfy({ $0.isNumber || $0 == "." || $0 == " " })
                    ? [try KodeWilayah(text)] : WilayahTable.shared.codes(named: text)
                guard let code = codes.first else { contradicts = true; return }  // no region has that name
                if codes.count > 1 {
                    parts.append(.any(codes.map { .query(HouseholdQuery(wilayah: $0)) }))
                    return
                }
                // Both must hold: the narrower of two nested regions; regions apart match nothing.
                if let current = query.wilayah, !current.contains(code) {
                    if code.contains(current) { return }
                    contradicts = true
                } else {
                    query.wilayah = code
                }
            case .desil:
                query.desil = narrowed(query.desil, try DCISearch.range(name, op, value, Household.desilRule.range))
            case .householdSize:
                sizes = narrowed(sizes, try DCISearch.range(name, op, value, 0...Household.maxMembers))
            case .status:
                guard let text = value.string else { throw unknown("a status name") }
                query.status = try HouseholdQuery.StatusFilter(parsing: text)
            case .program:
                guard let text = value.string else { throw unknown("a program name") }
                query.program = try Program(parsing: text)
            case .sex:
                guard let sex = value.string.flatMap(DCIValues.sex) else { throw unknown(DCIValues.sexRule) }
                set(\.sex, sex)
            case .age:
                narrowAges(try DCISearch.range(name, op, value, 0...200))
            case .birthYear:
                let limits = 1850...2200
                guard let years = try DCISearch.range(name, op, value, limits) else { return narrowBirths(nil) }
                narrowBirths(try CalendarDate(year: years.lowerBound, month: 1, day: 1)...CalendarDate(year: years.upperBound, month: 12, day: 31))
            case .birthDate:
                guard let text = value.string, let date = try? CalendarDate(parsing: text.prefix(10)) else {
                    throw unknown("a date YYYY-MM-DD")
                }
                let (first, last) = (try CalendarDate(year: 1850, month: 1, day: 1), try CalendarDate(year: 2200, month: 12, day: 31))
                let days = CalendarDate(daysSinceEpoch: date.daysSinceEpoch - 1), next = CalendarDate(daysSinceEpoch: date.daysSinceEpoch + 1)
                switch op {
                case "eq": narrowBirths(date...date)
                case "lt": narrowBirths(days < first ? nil : first...days)
                case "le": narrowBirths(first...date)
                case "gt": narrowBirths(next > last ? nil : next...last)
                default: narrowBirths(date...last)
                }
            case .maritalStatus:
                guard let status = value.string.flatMap(DCIValues.maritalStatus) else { throw unknown(DCIValues.maritalRule) }
                set(\.maritalStatus, status)
            case .disability:
                if let flag = DCIValues.yesNo(value) {
                    set(\.disabled, flag)
                } else if let text = value.string?.lowercased(), ["severe", "berat"].contains(text) {
                    set(\.severeDisability, true)
                } else if let kind = value.string.flatMap({ Disability(name: $0.lowercased()) }) {
                    set(\.disability, kind)
                } else {
                    throw unknown(DCIValues.yesNoRule + ", severe, or a kind: " + Disability.names.joined(separator: ", "))
                }
            case .severeDisability:
                guard let flag = DCIValues.yesNo(value) else { throw unknown(DCIValues.yesNoRule) }
                set(\.severeDisability, flag)
            case .pregnant:
                guard let flag = DCIValues.yesNo(value) else { throw unknown(DCIValues.yesNoRule) }
                set(\.pregnant, flag)
            case .relation:
                guard let relation = value.string.flatMap({ Relation(name: $0.lowercased()) }) else { throw unknown(Relation.names.joined(separator: ", ")) }
                set(\.relation, relation)
            case .pkhComponent:
                guard let component = value.string.flatMap({ PKHComponent(name: $0.lowercased()) }) else {
                    throw unknown(PKHComponent.names.joined(separator: ", "))
                }
                // The component's rule (``PKHComponent/condition``) joins what the member must be.
                let rule = component.condition
                if let ages = rule.ages { narrowAges(ages) }
                if let pregnant = rule.pregnant { set(\.pregnant, pregnant) }
                if let severe = rule.severeDisability { set(\.severeDisability, severe) }
            }
        }

        /// Sets a fact of the member; a different value already asked for contradicts it.
        private mutating func set<Value: Equatable>(_ field: WritableKeyPath<MemberCondition, Value?>, _ value: Value) {
            var condition = member ?? MemberCondition()
            if let current = condition[keyPath: field], current != value { contradicts = true }
            condition[keyPath: field] = value
            member = condition
        }

        /// `range` narrowed to `other` (nil: empty); when nothing is left, the search contradicts itself.
        private mutating func narrowed(_ range: ClosedRange<Int>?, _ other: ClosedRange<Int>?) -> ClosedRange<Int>? {
            guard let other else { contradicts = true; return range }
            guard let current = range else { return other }
            let (low, high) = (max(current.lowerBound, other.lowerBound), min(current.upperBound, other.upperBound))
            if low <= high { return low...high }
            contradicts = true
            return range
        }

        private mutating func narrowAges(_ ages: ClosedRange<Int>?) {
            var condition = member ?? MemberCondition()
            condition.ages = narrowed(condition.ages, ages)
            member = condition
        }

        private mutating func narrowBirths(_ days: ClosedRange<CalendarDate>?) {
            var condition = member ?? MemberCondition()
            defer { member = condition }
            guard let days else { contradicts = true; return }
            guard let current = condition.births else { condition.births = days; return }
            let (low, high) = (max(current.lowerBound, days.lowerBound), min(current.upperBound, days.upperBound))
            if low <= high { condition.births = low...high } else { contradicts = true }
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
                    for part in try list(key, value) { alternatives.append(try DCISearch.filter(part, depth: depth + 1, nested: true)) }
                    parts.append(key == "$or" ? .any(alternatives) : .not(.any(alternatives)))
                case "$not":
                    if let items = value.array {
                        var all = Conjunction(nested: true)
                        for part in try list(key, .array(items)) { try all.add(part, depth: depth + 1) }
                        parts.append(.not(all.filter))
                    } else {
                        parts.append(.not(try DCISearch.filter(value, depth: depth + 1, nested: true)))
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
                            parts.append(.not(try DCISearch.filter(.object([key: operand]), depth: depth + 1, nested: true)))
                        case "ne":
                            parts.append(.not(try DCISearch.filter(.object([key: .object(["$eq": operand])]), depth: depth + 1, nested: true)))
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
            var alone = Conjunction(nested: true)
            try alone.condition(name, op, value)
            return alone.filter
        }
        let ordered = items.enumerated().sorted { a, b in
            let (x, y) = (a.element["seq_num"]?.number ?? Double(a.offset), b.element["seq_num"]?.number ?? Double(b.offset))
            return x != y ? x < y : a.offset < b.offset
        }
        var conjunction = Conjunction(nested: false)
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

    /// The whole numbers `op value` asks for within `limits` (nil: none of them). One past
    /// each end is taken (`lt 11`, `gt 0`) and clamped; `in` takes consecutive values.
    static func range(_ name: String, _ op: String, _ value: DCIValue, _ limits: ClosedRange<Int>) throws(Rejection) -> ClosedRange<Int>? {
        func bound(_ value: DCIValue) throws(Rejection) -> Int {
            guard let number = value.integer, (limits.lowerBound - 1...limits.upperBound + 1).contains(number) else {
                throw Rejection("rjct.filter.invalid", "\(name) is a whole number \(limits.lowerBound) to \(limits.upperBound)")
            }
            return number
        }
        var low = limits.lowerBound, high = limits.upperBound
        switch op {
        case "eq": (low, high) = (try bound(value), try bound(value))
        case "lt": high = try bound(value) - 1
        case "le": high = try bound(value)
        case "gt": low = try bound(value) + 1
        case "ge": low = try bound(value)
        default:
            guard let list = value.array, !list.isEmpty else { throw Rejection("rjct.filter.invalid", "\(name) in takes a list") }
            var values: [Int] = []
            for item in list { values.append(try bound(item)) }
            let sorted = Set(values).sorted()
            guard sorted.last! - sorted.first! + 1 == sorted.count else {
                throw Rejection("rjct.filter.invalid", "\(name) in takes consecutive values (a range)")
            }
            (low, high) = (sorted.first!, sorted.last!)
        }
        (low, high) = (max(low, limits.lowerBound), min(high, limits.upperBound))
        return low <= high ? low...high : nil
    }
}
