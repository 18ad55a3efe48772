import Lumbung

/// Any JSON value of a DCI request, decoded without a fixed schema (queries are free-form).
/// Requests are read with the store's own parser (``init(parsing:)``): Foundation's
/// `JSONDecoder` took a tenth of a search's time (every value tried as each type in turn).
indirect enum DCIValue: Sendable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case object([String: DCIValue])
    case array([DCIValue])
    case null

    /// Arrays and objects nest at most this deep in a request, as with Foundation's decoder.
    static let maxNesting = 512

    /// The value of one whole JSON document (numbers as doubles, as Foundation read them).
    ///
    /// ```swift
    /// let message = try DCIValue(parsing: buffer.readableBytesView)   // throws on bad JSON
    /// ```
    init(parsing bytes: some Collection<UInt8>) throws {
        let tree = try bytes.withContiguousStorageIfAvailable { try JSONTree.parse(UnsafeRawBufferPointer($0), maxDepth: Self.maxNesting) }
            ?? Array(bytes).withUnsafeBytes { try JSONTree.parse($0, maxDepth: Self.maxNesting) }
        self.init(tree)
    }

    private init(_ tree: JSONTree) {
        switch tree {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        // The parser checked the number's form, which Double reads (out of range: infinite).
        case .number(let text, _): self = .number(Double(text) ?? .nan)
        case .string(let text): self = .string(text)
        case .array(let values): self = .array(values.map(DCIValue.init))
        case .object(let entries):
            var fields: [String: DCIValue] = [:]
            fields.reserveCapacity(entries.count)
            // A key given twice: the first counts, as Foundation's decoder read it.
            for (key, value) in entries where fields[key] == nil { fields[key] = DCIValue(value) }
            self = .object(fields)
        }
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
