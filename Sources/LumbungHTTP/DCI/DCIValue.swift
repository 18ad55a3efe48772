/// Any JSON value of a DCI request, decoded without a fixed schema (queries are free-form).
indirect enum DCIValue: Decodable, Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case object([String: DCIValue])
    case array([DCIValue])
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([DCIValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: DCIValue].self)) }
    }

    subscript(key: String) -> DCIValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var number: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    var object: [String: DCIValue]? {
        if case .object(let fields) = self { return fields }
        return nil
    }

    var array: [DCIValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// A whole number (from a number or a string of digits), else nil.
    var integer: Int? {
        switch self {
        case .number(let value): return value.isFinite && value.rounded() == value && abs(value) < 1e15 ? Int(value) : nil
        case .string(let text): return text.utf8.count <= 18 ? Int(text) : nil
        default: return nil
        }
    }

    /// Text for an identifier value: a string, or a whole number written out.
    var identifierText: String? {
        switch self {
        case .string(let text): return text
        case .number(let value) where value.isFinite && value.rounded() == value && value >= 0 && value < 1e17:
            return String(UInt64(value))
        default: return nil
        }
    }
}
