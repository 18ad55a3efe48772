/// One socio-economic answer: an integer code, a number or text.
public enum AttributeValue: Hashable, Sendable, CustomStringConvertible {
    /// A coded answer, e.g. floor material 3.
    case code(Int64)
    /// A measured number, e.g. floor area 36.5.
    case number(Double)
    /// Free text.
    case text(String)

    public var description: String {
        switch self {
        case .code(let value): String(value)
        case .number(let value): value.rounded() == value && abs(value) < 1e15 ? "\(Int64(value)).0" : "\(value)"
        case .text(let value): value
        }
    }
}

/// The open set of `code -> value` answers of a questionnaire, kept sorted by code.
///
/// The set is open because the questionnaire changes between versions: a code the store has
/// never seen is stored as it comes.
///
/// ```swift
/// var attributes: Attributes = ["lantai": .code(3), "luas_lantai": .number(36)]
/// attributes["sumber_air"] = .code(2)
/// ```
public struct Attributes: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (code: String, value: AttributeValue)

    private(set) var entries: [Element] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, AttributeValue)...) {
        for (code, value) in elements { self[code] = value }
    }

    init(sortedEntries: [Element]) { self.entries = sortedEntries }

    /// Attributes from entries already in ascending code order, each code once (checked in debug
    /// builds): built in one go, without a search and an insertion per entry, as an importer
    /// builds one for every row.
    public init(inCodeOrder entries: [Element]) {
        assert(zip(entries, entries.dropFirst()).allSatisfy { $0.code < $1.code }, "attribute entries must be in ascending code order")
        self.entries = entries
    }

    public subscript(code: String) -> AttributeValue? {
        get {
            index(of: code).found ? entries[index(of: code).position].value : nil
        }
        set {
            let (found, position) = index(of: code)
            switch (found, newValue) {
            case (true, let value?): entries[position].value = value
            case (true, nil): entries.remove(at: position)
            case (false, let value?): entries.insert((code, value), at: position)
            case (false, nil): break
            }
        }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var codes: [String] { entries.map(\.code) }
    public func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }

    private func index(of code: String) -> (found: Bool, position: Int) {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].code < code { low = mid + 1 } else { high = mid }
        }
        return (low < entries.count && entries[low].code == code, low)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.code == $1.code && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries.count)
        for entry in entries {
            hasher.combine(entry.code)
            hasher.combine(entry.value)
        }
    }

    /// The most bytes an attribute code holds.
    public static let maxCodeBytes = 64
    /// The most bytes an attribute text holds.
    public static let maxTextBytes = 4096

    /// The error for a code that is not a short identifier (letters, digits, `_`, `.`, `-`);
    /// nil for a good one. Codes Lumbung knows always pass.
    ///
    /// ```swift
    /// Attributes.codeProblem("luas lantai", field: "atribut")?.code   // .attributeInvalid
    /// ```
    public static func codeProblem(_ code: String, field: String) -> LumbungError? {
        // The byte scan first: most codes are identifiers, and it hashes nothing.
        if isIdentifier(code) || RecordCodec.isKnownAttributeCode(code) { return nil }
        return LumbungError(
            .attributeInvalid, field: field, value: code,
            rule: "an attribute code is 1-\(maxCodeBytes) letters, digits, '_', '.' or '-'")
    }

    private static func isIdentifier(_ code: String) -> Bool {
        var code = code
        return code.withUTF8 { bytes in
            guard !bytes.isEmpty, bytes.count <= maxCodeBytes else { return false }
            for byte in bytes where !isIdentifierByte(byte) { return false }
            return true
        }
    }

    /// Letters, digits, '_', '.' and '-', as two 64-bit masks of ASCII (bit b of word b / 64):
    /// `check` tests every stored code, so a table lookup, not a chain of comparisons.
    @inline(__always)
    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        let (low, high): (UInt64, UInt64) = (0x03FF_6000_0000_0000, 0x07FF_FFFE_87FF_FFFE)
        guard byte < 128 else { return false }
        return ((byte < 64 ? low : high) >> UInt64(byte & 63)) & 1 == 1
    }

    /// Adds a problem for each code that is not a short identifier and each value out of bounds.
    func check(field: String, into problems: inout [LumbungError]) {
        for (code, value) in entries {
            if let problem = Self.codeProblem(code, field: field) { problems.append(problem) }
            switch value {
            case .text(let text) where text.utf8.count > Self.maxTextBytes:
                problems.append(LumbungError(
                    .attributeInvalid, field: "\(field).\(code)", value: String(text.prefix(20)) + "…",
                    rule: "an attribute text is at most \(Self.maxTextBytes) bytes"))
            case .number(let number) where !number.isFinite:
                problems.append(LumbungError(
                    .attributeInvalid, field: "\(field).\(code)", value: "\(number)",
                    rule: "an attribute number must be finite"))
            default: break
            }
        }
    }
}
