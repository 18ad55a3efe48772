import Foundation
import Lumbung

extension ColumnMapping {
    /// Reads a mapping from its JSON file's bytes, checking every key and every Lumbung value
    /// it names against its field's rule, so a typo fails before any row is read.
    ///
    /// ```swift
    /// let mapping = try ColumnMapping(json: Data(#"{"columns":{"NIK":"anggota.nik"}}"#.utf8))
    /// ```
    /// - Throws: ``LumbungError`` `row.mappingInvalid` whose field is the JSON path of the first
    ///   problem (`columns[3].values["aktif"]`), whose value is the value there, and whose rule
    ///   says what it must be (and lists the other problems).
    public init(json: Data) throws {
        let tree: MappingJSON
        do {
            tree = try JSONDecoder().decode(MappingJSON.self, from: json)
        } catch {
            throw LumbungError(.rowMappingInvalid, field: "mapping", rule: "the mapping file is not JSON: \(error)")
        }
        var reader = MappingReader()
        let mapping = reader.mapping(tree)
        guard let first = reader.problems.first else {
            self = mapping
            return
        }
        var error = first
        let others = reader.problems.dropFirst()
        if !others.isEmpty {
            error.rule += " (and \(others.count) more: " + others.map(\.message).joined(separator: "; ") + ")"
        }
        throw error
    }
}

/// A mapping file's JSON as parsed, so that each problem can name the path it is at.
indirect enum MappingJSON: Decodable {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case null
    case array([MappingJSON])
    case object([String: MappingJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int.self) {
            self = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let array = try? container.decode([MappingJSON].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: MappingJSON].self))
        }
    }

    /// What the value is, for a message.
    var kind: String {
        switch self {
        case .string: "a string"
        case .integer, .number: "a number"
        case .bool: "true or false"
        case .null: "null"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Walks a mapping file's JSON into a ``ColumnMapping``, collecting every problem with its path.
struct MappingReader {
    private(set) var problems: [LumbungError] = []

    static let topKeys = ["code_lists", "columns", "group_by", "ignore", "lumbung_names", "notes"]
    static let columnKeys = ["header", "field", "values", "code_list", "default", "constant", "format", "fill_in", "seen"]

    mutating func mapping(_ tree: MappingJSON) -> ColumnMapping {
        var mapping = ColumnMapping()
        guard let top = object(tree, at: "mapping", keys: Self.topKeys) else { return mapping }
        if let lists = top["code_lists"].flatMap({ object($0, at: "code_lists") }) {
            for (name, list) in lists.sorted(by: { $0.key < $1.key }) {
                mapping.codeLists[name] = valueMap(list, at: "code_lists[\(ColumnMapping.quoted(name))]")
            }
        }
        if let groupBy = top["group_by"] {
            let text = string(groupBy, at: "group_by")
            if let text, let key = ColumnMapping.GroupKey(rawValue: text) {
                mapping.groupBy = key
            } else if text != nil {
                fail("group_by", text, "rows are grouped by " + ColumnMapping.GroupKey.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
            }
        }
        if let ignore = top["ignore"] {
            if case .array(let items) = ignore {
                mapping.ignore = items.enumerated().compactMap { string($1, at: "ignore[\($0)]") }
            } else {
                fail("ignore", ignore.kind, "must be an array of header names")
            }
        }
        if let notes = top["notes"] {
            // What `mapping infer` tells the operator; read past.
            if case .array(let items) = notes {
                for (index, item) in items.enumerated() { _ = string(item, at: "notes[\(index)]") }
            } else {
                fail("notes", notes.kind, "must be an array of strings")
            }
        }
        if let names = top["lumbung_names"] {
            if case .bool(let flag) = names { mapping.acceptsLumbungNames = flag } else { fail("lumbung_names", names.kind, "must be true or false") }
        }
        switch top["columns"] {
        case .object(let entries)?:
            for (header, entry) in entries.sorted(by: { $0.key < $1.key }) {
                column(entry, header: header, at: "columns[\(ColumnMapping.quoted(header))]", into: &mapping)
            }
        case .array(let entries)?:
            for (index, entry) in entries.enumerated() {
                column(entry, header: nil, at: "columns[\(index)]", into: &mapping)
            }
        case let other?:
            fail("columns", other.kind, "must be an array of columns, or an object of HEADER: field")
        case nil:
            break
        }
        return mapping
    }

    /// One column: `"field"` alone, or an object (in the array form with its `"header"`, or a
    /// `"constant"` instead).
    private mutating func column(_ entry: MappingJSON, header key: String?, at path: String, into mapping: inout ColumnMapping) {
        if case .string = entry, key != nil {
            guard let field = string(entry, at: path) else { return }
            checkField(field, at: path)
            mapping.columns[key!] = ColumnMapping.Column(field: field)
            return
        }
        guard let spec = object(entry, at: path, keys: Self.columnKeys) else { return }
        guard let fieldName = spec["field"].flatMap({ string($0, at: path + ".field") }) else {
            if spec["field"] == nil { fail(path, nil, "a column needs a \"field\": the Lumbung field it holds") }
            return
        }
        guard let field = checkField(fieldName, at: path + ".field") else { return }
        if key != nil, spec["header"] != nil {
            fail(path + ".header", nil, "in the object form the key is the header; drop \"header\"")
        }
        if let constant = spec["constant"] {
            guard key == nil, spec["header"] == nil else {
                fail(path + ".constant", nil, "a constant is for a field the file has no column for: give it no header, in the columns array")
                return
            }
            if let extra = ["values", "code_list", "default", "format", "fill_in", "seen"].first(where: { spec[$0] != nil }) {
                fail(path + "." + extra, nil, "a constant column takes only \"field\" and \"constant\"")
            }
            guard let value = scalar(constant, at: path + ".constant") else { return }
            report(ColumnMapping.Column.targetProblems(field: field, value, at: path + ".constant"))
            if mapping.constants[fieldName] != nil {
                fail(path + ".field", fieldName, "the field already has a constant")
            }
            mapping.constants[fieldName] = value
            return
        }
        let header = key ?? spec["header"].flatMap { string($0, at: path + ".header") }
        guard let header else {
            if spec["header"] == nil {
                fail(path, nil, "a column needs a \"header\" (the file's column name), or a \"constant\" for a field the file lacks")
            }
            return
        }
        var column = ColumnMapping.Column(field: fieldName)
        if let values = spec["values"] { column.values = valueMap(values, at: path + ".values") ?? [:] }
        if let list = spec["code_list"] { column.codeList = string(list, at: path + ".code_list") }
        if let value = spec["default"] { column.defaultValue = scalar(value, at: path + ".default") }
        if let format = spec["format"], let name = string(format, at: path + ".format") {
            column.format = CellFormat(name: name)
            if column.format == nil { fail(path + ".format", name, "a format is one of " + CellFormat.names.joined(separator: ", ")) }
        }
        report(column.valueProblems(field: field, at: path, codeLists: mapping.codeLists))
        if let fillIn = spec["fill_in"] { filledIn(fillIn, field: field, at: path, into: &column) }
        if let seen = spec["seen"], let counts = object(seen, at: path + ".seen") {
            // The sample's counts `mapping infer` wrote; read past.
            for (key, count) in counts.sorted(by: { $0.key < $1.key }) {
                if case .integer = count { continue }
                fail("\(path).seen[\(ColumnMapping.quoted(key))]", count.kind, "must be a number: how often the sample held the value")
            }
        }
        if let list = column.codeList, let entries = mapping.codeLists[list] {
            // A code list's values are checked against each field that uses it.
            for (code, value) in entries.sorted(by: { $0.key < $1.key }) {
                let place = "code_lists[\(ColumnMapping.quoted(list))][\(ColumnMapping.quoted(code))]"
                report(ColumnMapping.Column.targetProblems(field: field, value, at: place).map {
                    var problem = $0
                    problem.rule += " (the list is used by \(path))"
                    return problem
                })
            }
        }
        if mapping.columns[header] != nil {
            fail(path + ".header", header, "the header is mapped twice")
        }
        mapping.columns[header] = column
    }

    /// `"fill_in"`: the cells `mapping infer` could not place, each to be given its Lumbung value.
    /// A filled entry reads like one of `"values"`; one left `""` is refused, naming its path.
    private mutating func filledIn(_ tree: MappingJSON, field: FlatField, at path: String, into column: inout ColumnMapping.Column) {
        guard let entries = valueMap(tree, at: path + ".fill_in") else { return }
        for (key, target) in entries.sorted(by: { $0.key < $1.key }) {
            let place = path + ".fill_in[\(ColumnMapping.quoted(key))]"
            if target.isEmpty {
                // The field's own rule for a value it does not know says what the target may be.
                let choices = field.problem(inCell: "\u{FFFD}").map { "; \($0.rule.hasPrefix(field.name) ? "" : field.name + " ")\($0.rule)" } ?? ""
                fail(place, target, "fill in the Lumbung value for this cell, or move it to \"values\" with \"\" to leave the field empty" + choices)
            } else if column.values[key] != nil {
                fail(place, key, "the cell is in \"values\" too: give it once")
            } else {
                report(ColumnMapping.Column.targetProblems(field: field, target, at: place))
                column.values[key] = target
            }
        }
    }

    @discardableResult
    private mutating func checkField(_ name: String, at path: String) -> FlatField? {
        guard let field = FlatField(name: name) else {
            fail(path, name, FlatField.unknownFieldRule)
            return nil
        }
        if let problem = field.attributeCodeProblem { problems.append(problem.atPath(path)) }
        return field
    }

    private mutating func report(_ found: [LumbungError]) {
        for problem in found where !problems.contains(problem) { problems.append(problem) }
    }

    private mutating func fail(_ path: String, _ value: String?, _ rule: String) {
        problems.append(LumbungError(.rowMappingInvalid, field: path, value: value, rule: rule))
    }

    private mutating func object(_ tree: MappingJSON, at path: String, keys: [String]? = nil) -> [String: MappingJSON]? {
        guard case .object(let entries) = tree else {
            fail(path, tree.kind, "must be an object")
            return nil
        }
        if let keys {
            for key in entries.keys.sorted() where !keys.contains(key) {
                fail(path == "mapping" ? key : "\(path).\(key)", nil, "unknown key; the keys here are " + keys.joined(separator: ", "))
            }
        }
        return entries
    }

    private mutating func string(_ tree: MappingJSON, at path: String) -> String? {
        guard case .string(let text) = tree else {
            fail(path, tree.kind, "must be a string")
            return nil
        }
        return text
    }

    /// A Lumbung value: a string, or a whole number written as one (`"desil": 3`).
    private mutating func scalar(_ tree: MappingJSON, at path: String) -> String? {
        if case .integer(let number) = tree { return String(number) }
        return string(tree, at: path)
    }

    /// `{"file value": "Lumbung value", …}`.
    private mutating func valueMap(_ tree: MappingJSON, at path: String) -> [String: String]? {
        guard let entries = object(tree, at: path) else { return nil }
        var map: [String: String] = [:]
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
            if let text = scalar(value, at: "\(path)[\(ColumnMapping.quoted(key))]") { map[key] = text }
        }
        return map
    }
}
