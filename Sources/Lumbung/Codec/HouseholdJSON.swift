import Foundation

/// The JSON form of a household: one object per household, as files (JSON Lines), the CLI and
/// the HTTP API use it.
///
/// ```swift
/// let bytes = HouseholdJSON.encode(household)          // {"id":17,"nomor_kk":"3216…", …}
/// let again = try HouseholdJSON.decode(bytes)           // == household
/// let typed = try HouseholdJSON.decode(#"{"nomor_kk": …}"#.utf8)
/// ```
///
/// Keys are Indonesian snake_case: `id`, `nomor_kk`, `id_sumber` (``SourceID``), `kode_wilayah`, `alamat`, `rt`, `rw`,
/// `status`, `alasan_tidak_layak`, `desil`, `desil_versi`, `program`, `atribut`, `diperbarui`, `anggota`; a
/// member has `nik`, `status_nik`, `nama`, `jenis_kelamin`, `tanggal_lahir`, `hubungan`,
/// `keberadaan`, `status_kawin`, `pendidikan`, `pekerjaan`, `disabilitas`, `atribut`, and with a
/// Dukcapil result `status_dukcapil` and `alasan_dukcapil` (absent: `belum_dipadankan`).
///
/// The writer leaves out a household's absent optional fields and writes a member's as `null`.
/// An attribute `.code` is written as a JSON integer and a `.number` always with a fraction or
/// exponent (`36.0`, `1e+16`), so ``decode(_:)`` gives back an equal household.
///
/// Decoding is strict and never crashes. Every problem is a ``LumbungError`` whose `field` is the
/// JSON path (`anggota[2].tanggal_lahir`):
/// - `json.malformed`: not JSON, not an object, nesting deeper than ``maxDepth``, a key twice;
/// - `household.tooLarge`: a string over ``maxStringBytes``, more than ``Household/maxMembers``
///   members, a container over ``maxContainerCount`` entries;
/// - `household.invalid` / `member.invalid` / `attribute.invalid`: an unknown key, a value of the
///   wrong type, a missing required field, an unknown code name;
/// - the domain codes (`kk.*`, `wilayah.*`, `household.status`, `household.program`,
///   `household.desil`, `member.birthDate`) for values those types refuse.
///
/// A member's NIK is never refused here: it is classified with ``MemberNIK/init(parsing:)``
/// (`status_nik` is ignored on input) and the store's write path applies its ``NIKPolicy``.
/// The rules the store checks on write (ranges, lengths, attribute codes, one head: see
/// ``Household/checked(policy:)`` in `Domain/HouseholdValidation.swift`, where the limits live)
/// are left to it, so any household the store holds reads back unchanged.
public enum HouseholdJSON {
    /// The deepest nesting of arrays and objects accepted (a household needs 4).
    public static let maxDepth = 8
    /// The longest string (or key) accepted, in UTF-8 bytes.
    public static let maxStringBytes = 64 * 1024
    /// The most entries one array or object may hold.
    public static let maxContainerCount = 4096

    // MARK: Writing

    /// The household as compact (or indented) UTF-8 JSON.
    ///
    /// ```swift
    /// let line = HouseholdJSON.encode(household) + [0x0A]   // one JSON Lines record
    /// ```
    public static func encode(_ household: Household, pretty: Bool = false) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(384 + 320 * household.members.count)
        encode(household, into: &buffer, pretty: pretty)
        return buffer
    }

    /// Appends the household's JSON to `buffer`, so one buffer can be reused for many.
    ///
    /// ```swift
    /// var out: [UInt8] = []
    /// for household in households { HouseholdJSON.encode(household, into: &out); out.append(0x0A) }
    /// ```
    public static func encode(_ household: Household, into buffer: inout [UInt8], pretty: Bool = false) {
        var writer = JSONWriter(pretty: pretty)
        writer.write(household)
        writer.append(to: &buffer)
    }

    /// Appends the household's JSON to `buffer` and returns where each member's object lies in
    /// it, so an answer that shows one member beside its household copies those bytes instead
    /// of encoding the member again.
    ///
    /// ```swift
    /// var out = Array(#"{"household":"#.utf8)
    /// let ranges = HouseholdJSON.encode(household, into: &out, memberRanges: true)
    /// out += #","anggota":"#.utf8
    /// out.append(contentsOf: out[ranges[2]])
    /// ```
    public static func encode(_ household: Household, into buffer: inout [UInt8], memberRanges: Bool) -> [Range<Int>] {
        let offset = buffer.count
        return withEncoded(household) { json, ranges in
            buffer.append(contentsOf: json)
            return memberRanges ? ranges.map { ($0.lowerBound + offset)..<($0.upperBound + offset) } : []
        }
    }

    /// Calls `body` with the household's JSON and where each member's object lies in it, in the
    /// writer's own memory: for answers that copy the bytes straight into a network buffer.
    ///
    /// ```swift
    /// let size = HouseholdJSON.withEncoded(household) { json, members in json.count + members[0].count }
    /// ```
    /// The bytes are valid only inside `body`.
    public static func withEncoded<Result>(
        _ household: Household, _ body: (UnsafeBufferPointer<UInt8>, [Range<Int>]) throws -> Result
    ) rethrows -> Result {
        var writer = JSONWriter(pretty: false)
        writer.recordsMemberRanges = true
        writer.write(household)
        return try writer.withBytes { try body($0, writer.memberRanges) }
    }

    /// Appends one member as the same JSON object a household's `anggota` array holds.
    ///
    /// ```swift
    /// var bytes: [UInt8] = []
    /// HouseholdJSON.encode(member: household.members[0], into: &bytes)   // {"nik":"3216…", …}
    /// ```
    public static func encode(member: Member, into buffer: inout [UInt8]) {
        var writer = JSONWriter(pretty: false, capacity: 512)
        writer.write(member)
        writer.append(to: &buffer)
    }

    /// The household as a JSON `String`; a convenience over ``encode(_:pretty:)``.
    ///
    /// ```swift
    /// print(HouseholdJSON.string(household, pretty: true))
    /// ```
    public static func string(_ household: Household, pretty: Bool = false) -> String {
        String(decoding: encode(household, pretty: pretty), as: UTF8.self)
    }

    // MARK: Reading

    /// Reads one household from UTF-8 JSON (a `[UInt8]`, `Data`, `String.UTF8View`, …).
    ///
    /// ```swift
    /// let household = try HouseholdJSON.decode(line)     // throws LumbungError
    /// ```
    /// - Throws: ``LumbungError`` naming the JSON path, the (masked) value and the rule.
    public static func decode(_ bytes: some Collection<UInt8>) throws -> Household {
        if let household = try bytes.withContiguousStorageIfAvailable({ try decode(buffer: $0) }) {
            return household
        }
        return try Array(bytes).withUnsafeBufferPointer { try decode(buffer: $0) }
    }

    static func decode(buffer: UnsafeBufferPointer<UInt8>) throws -> Household {
        var parser = JSONParser(bytes: buffer)
        let document = try parser.parseDocument()
        guard case .object(let entries) = document else {
            throw LumbungError(
                .jsonMalformed, value: document.kindName,
                rule: "a household is a JSON object {…}, not \(document.kindName)")
        }
        return try HouseholdReader.household(entries)
    }
}

// MARK: - Parser

/// One parsed JSON value (the decoder's tree; answers are built with ``JSONValue``). Numbers keep their text so integers and doubles are told apart
/// exactly and range errors can name the value.
///
/// ```swift
/// let tree = try bytes.withUnsafeBytes { try JSONTree.parse($0, maxDepth: 512) }
/// ```
public enum JSONTree: Sendable {
    case null
    case bool(Bool)
    case number(String, integral: Bool)
    case string(String)
    case array([JSONTree])
    case object([(key: String, value: JSONTree)])

    /// Parses one whole document with the store's strict parser (RFC 8259), arrays and objects
    /// nested at most `maxDepth` deep, strings and containers bounded only by the bytes (for
    /// bodies whose size the caller bounds: a DCI message). A key twice in one object is kept
    /// twice, in order: the caller decides (households refuse it). Any problem throws a
    /// ``LumbungError`` (`json.malformed` but for a number over 512 characters).
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) throws -> JSONTree {
        let limits = JSONParser.Limits(depth: maxDepth, stringBytes: .max, containerCount: .max, refusesDuplicateKeys: false)
        var parser = JSONParser(bytes: bytes.assumingMemoryBound(to: UInt8.self), limits: limits)
        return try parser.parseDocument()
    }

    /// `a string`, `a number`, … for messages.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number(_, let integral): integral ? "an integer" : "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// A short form of the value for messages; `masked` for personal numbers.
    func summary(masked: Bool) -> String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number(let text, _): masked ? NIK.mask(text) : HouseholdReader.clip(text)
        case .string(let text): masked ? NIK.mask(HouseholdReader.clip(text)) : HouseholdReader.clip(text)
        case .array(let values): "[… \(values.count) values]"
        case .object(let entries): "{… \(entries.count) keys}"
        }
    }
}

/// A strict RFC 8259 parser with limits on depth, string length and container size.
struct JSONParser {
    /// What a document may hold: how deep arrays and objects nest, how long a string (or key)
    /// is in UTF-8 bytes, how many entries one array or object holds.
    struct Limits {
        var depth: Int
        var stringBytes: Int
        var containerCount: Int
        /// Whether a key twice in one object is refused (else both entries are kept, in order).
        var refusesDuplicateKeys = true

        /// A household's and a change request's (``HouseholdJSON``).
        static let household = Limits(depth: HouseholdJSON.maxDepth, stringBytes: HouseholdJSON.maxStringBytes, containerCount: HouseholdJSON.maxContainerCount)
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let limits: Limits
    var position = 0
    private var path: [PathComponent] = []

    private enum PathComponent {
        case key(String)
        case index(Int)
    }

    init(bytes: UnsafeBufferPointer<UInt8>, limits: Limits = .household) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func parseDocument() throws -> JSONTree {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else {
            throw malformed("unexpected data after the JSON value")
        }
        return value
    }

    // Errors.

    private var pathText: String? {
        guard !path.isEmpty else { return nil }
        var text = ""
        for component in path {
            switch component {
            case .key(let key): text += text.isEmpty ? key : ".\(key)"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    private func malformed(_ rule: String) -> LumbungError {
        let found: String
        if position >= bytes.count {
            found = "end of input"
        } else {
            let byte = bytes[position]
            found = byte >= 0x21 && byte < 0x7F ? String(UnicodeScalar(byte)) : "0x" + String(byte, radix: 16, uppercase: true)
        }
        return LumbungError(.jsonMalformed, field: pathText, value: found, rule: "\(rule) (at byte \(position))")
    }

    private func tooLarge(_ value: String, _ rule: String) -> LumbungError {
        LumbungError(.householdTooLarge, field: pathText, value: value, rule: rule)
    }

    // Tokens.

    private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws -> JSONTree {
        guard let byte = peek else { throw malformed("unexpected end of input; expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: throw malformed("unexpected character; expected a value")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        let matches = word.withUTF8Buffer { expected in
            position + count <= bytes.count && (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        guard matches else { throw malformed("unexpected word; expected a value") }
        position += count
    }

    private mutating func checkDepth(_ depth: Int) throws {
        guard depth <= limits.depth else {
            throw malformed("arrays and objects nest at most \(limits.depth) deep")
        }
    }

    private mutating func parseObject(depth: Int) throws -> JSONTree {
        try checkDepth(depth)
        position += 1
        var entries: [(key: String, value: JSONTree)] = []
        var seen: Set<String> = []
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            position += 1
            return .object(entries)
        }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw malformed("expected a quoted key") }
            let key = try parseString()
            if limits.refusesDuplicateKeys {
                let duplicate = entries.count < 16 ? entries.contains { $0.key == key } : seen.contains(key)
                if duplicate {
                    path.append(.key(key))
                    throw LumbungError(.jsonMalformed, field: pathText, value: HouseholdReader.clip(key), rule: "the key appears twice in one object")
                }
                if entries.count == 15 { seen = Set(entries.map(\.key)) }
                if entries.count >= 15 { seen.insert(key) }
            }
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw malformed("expected ':' after a key") }
            position += 1
            skipWhitespace()
            path.append(.key(key))
            let value = try parseValue(depth: depth)
            path.removeLast()
            entries.append((key, value))
            guard entries.count <= limits.containerCount else {
                throw tooLarge(String(entries.count), "an object holds at most \(limits.containerCount) keys")
            }
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(entries)
            default: throw malformed("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws -> JSONTree {
        try checkDepth(depth)
        position += 1
        var values: [JSONTree] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            position += 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            path.append(.index(values.count))
            let value = try parseValue(depth: depth)
            path.removeLast()
            values.append(value)
            guard values.count <= limits.containerCount else {
                throw tooLarge(String(values.count), "an array holds at most \(limits.containerCount) values")
            }
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(values)
            default: throw malformed("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func parseNumber() throws -> JSONTree {
        let start = position
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
        if peek == UInt8(ascii: "-") { position += 1 }
        guard isDigit(peek) else { throw malformed("a number needs digits") }
        if peek == UInt8(ascii: "0") {
            position += 1
            if isDigit(peek) { throw malformed("a number must not have leading zeros") }
        } else {
            while isDigit(peek) { position += 1 }
        }
        var integral = true
        if peek == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard isDigit(peek) else { throw malformed("a number needs digits after '.'") }
            while isDigit(peek) { position += 1 }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            integral = false
            position += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
            guard isDigit(peek) else { throw malformed("a number needs digits in its exponent") }
            while isDigit(peek) { position += 1 }
        }
        guard position - start <= 512 else {
            throw tooLarge(String(position - start) + " characters", "a number is at most 512 characters")
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        return .number(text, integral: integral)
    }

    private mutating func parseString() throws -> String {
        position += 1  // the opening quote
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = try makeString(UnsafeBufferPointer(rebasing: bytes[start..<position]), at: start)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw malformed("a control character in a string must be escaped") }
            position += 1
            if position - start > limits.stringBytes { throw stringTooLong() }
        }
        // Slow path: unescape into a buffer.
        var buffer = Array(bytes[start..<position])
        while true {
            guard let byte = peek else { throw malformed("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                let text = try buffer.withUnsafeBufferPointer { try makeString($0, at: start) }
                position += 1
                return text
            case UInt8(ascii: "\\"):
                position += 1
                guard let escape = peek else { throw malformed("unterminated string") }
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escape)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    position += 1
                    let scalar = try unicodeEscape()
                    UTF8.encode(scalar) { buffer.append($0) }
                    continue
                default: throw malformed("unknown escape in a string")
                }
                position += 1
            default:
                if byte < 0x20 { throw malformed("a control character in a string must be escaped") }
                buffer.append(byte)
                position += 1
            }
            if buffer.count > limits.stringBytes { throw stringTooLong() }
        }
    }

    private func stringTooLong() -> LumbungError {
        tooLarge("more than \(limits.stringBytes) bytes", "a string is at most \(limits.stringBytes) bytes")
    }

    /// After `\u`: four hex digits, and a second `\u` escape for a surrogate pair.
    private mutating func unicodeEscape() throws -> Unicode.Scalar {
        let high = try hex4()
        if (0xDC00...0xDFFF).contains(high) { throw malformed("a lone low surrogate in a \\u escape") }
        if (0xD800...0xDBFF).contains(high) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
            else { throw malformed("a high surrogate \\u escape must be followed by a low one") }
            position += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw malformed("a high surrogate \\u escape must be followed by a low one")
            }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        return Unicode.Scalar(high)!
    }

    private mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek else { throw malformed("a \\u escape needs 4 hex digits") }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 0x41 + 10)
            default: throw malformed("a \\u escape needs 4 hex digits")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private func makeString(_ utf8: UnsafeBufferPointer<UInt8>, at start: Int) throws -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw LumbungError(
                .jsonMalformed, field: pathText, value: nil,
                rule: "the string starting at byte \(start) is not valid UTF-8")
        }
        return text
    }
}

// MARK: - From JSON values to a household

/// The keys of one JSON object, checked against the allowed names, with typed getters that
/// throw errors naming the JSON path.
struct Fields {
    let path: String
    /// The code for unknown keys, wrong types and missing fields in this object.
    let code: LumbungError.Code
    private let entries: [(key: String, value: JSONTree)]

    init(_ entries: [(key: String, value: JSONTree)], path: String, code: LumbungError.Code, allowed: [String], noun: String) throws {
        self.entries = entries
        self.path = path
        self.code = code
        for entry in entries where !allowed.contains(entry.key) {
            throw LumbungError(
                code, field: field(entry.key), value: HouseholdReader.clip(entry.key),
                rule: "not a \(noun) field; allowed: \(allowed.joined(separator: ", "))")
        }
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value, or nil when the key is absent or null.
    func value(_ key: String) -> JSONTree? {
        guard let value = entries.first(where: { $0.key == key })?.value else { return nil }
        if case .null = value { return nil }
        return value
    }

    func missing(_ key: String, code: LumbungError.Code? = nil) -> LumbungError {
        LumbungError(code ?? self.code, field: field(key), rule: "is required")
    }

    func wrongType(_ key: String, _ value: JSONTree, expected: String, code: LumbungError.Code? = nil) -> LumbungError {
        LumbungError(
            code ?? self.code, field: field(key), value: value.summary(masked: key == "nik" || key == "nomor_kk"),
            rule: "must be \(expected), not \(value.kindName)")
    }

    func string(_ key: String, code: LumbungError.Code? = nil) throws -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, value, expected: "a string", code: code) }
        return text
    }

    func requiredString(_ key: String, code: LumbungError.Code? = nil) throws -> String {
        guard let text = try string(key, code: code) else { throw missing(key, code: code) }
        return text
    }

    func integer(_ key: String, code: LumbungError.Code? = nil) throws -> Int64? {
        guard let value = value(key) else { return nil }
        guard case .number(let text, integral: true) = value else {
            throw wrongType(key, value, expected: "an integer", code: code)
        }
        guard let number = Int64(text) else {
            throw LumbungError(code ?? self.code, field: field(key), value: HouseholdReader.clip(text), rule: "the integer is out of range")
        }
        return number
    }

    func int(_ key: String, code: LumbungError.Code? = nil) throws -> Int? {
        try integer(key, code: code).map { Int($0) }
    }

    func array(_ key: String, code: LumbungError.Code? = nil) throws -> [JSONTree]? {
        guard let value = value(key) else { return nil }
        guard case .array(let values) = value else { throw wrongType(key, value, expected: "an array", code: code) }
        return values
    }

    func object(_ key: String, code: LumbungError.Code? = nil) throws -> [(key: String, value: JSONTree)]? {
        guard let value = value(key) else { return nil }
        guard case .object(let entries) = value else { throw wrongType(key, value, expected: "an object", code: code) }
        return entries
    }

    func named<T: NamedCode>(_ key: String, _ type: T.Type) throws -> T? {
        guard let text = try string(key) else { return nil }
        // The path is built only for an error: this runs for every coded field of an import.
        guard let match = T(name: text) else { throw T.unknownName(text, field: field(key), code: code) }
        return match
    }
}

enum HouseholdReader {
    static let householdKeys = [
        "id", "nomor_kk", "id_sumber", "kode_wilayah", "alamat", "rt", "rw", "status", "alasan_tidak_layak", "desil",
        "desil_versi", "program", "atribut", "diperbarui", "anggota",
    ]
    static let memberKeys = [
        "nik", "status_nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan", "keberadaan",
        "status_kawin", "pendidikan", "pekerjaan", "disabilitas", "atribut", "status_dukcapil", "alasan_dukcapil",
    ]

    /// A value cut to 40 characters for messages.
    static func clip(_ text: String) -> String {
        text.count > 40 ? String(text.prefix(40)) + "…" : text
    }

    static func household(_ entries: [(key: String, value: JSONTree)]) throws -> Household {
        let fields = try Fields(entries, path: "", code: .householdInvalid, allowed: householdKeys, noun: "household")
        var id: HouseholdID?
        if let raw = try fields.integer("id") {
            guard raw >= 1, UInt64(raw) <= HouseholdID.max.rawValue else {
                throw LumbungError(
                    .householdInvalid, field: "id", value: String(raw),
                    rule: HouseholdID.rule)
            }
            id = HouseholdID(UInt64(raw))
        }
        do {
            let nomorKK = try NomorKK(try fields.requiredString("nomor_kk"))
            let sourceID = try fields.string("id_sumber", code: .sourceIDInvalid).map { try SourceID($0) }
            let wilayah = try KodeWilayah(try fields.requiredString("kode_wilayah"))
            let alamat = try fields.requiredString("alamat")
            let rt = try fields.int("rt")
            let rw = try fields.int("rw")
            let desil = try fields.int("desil", code: .householdDesil)
            let desilVersion = try fields.string(DesilVersion.field, code: .householdDesil).map(DesilVersion.init(parsing:))
            let status = try self.status(fields)
            var programs: Set<Program> = []
            for (index, value) in (try fields.array("program", code: .householdProgram) ?? []).enumerated() {
                guard case .string(let text) = value else {
                    throw fields.wrongType("program[\(index)]", value, expected: "a program name", code: .householdProgram)
                }
                do {
                    programs.insert(try Program(parsing: text))
                } catch var error as LumbungError {
                    error.field = "program[\(index)]"
                    throw error
                }
            }
            let attributes = try self.attributes(try fields.object("atribut") ?? [], path: "atribut")
            var updatedAt: Date?
            if let text = try fields.string("diperbarui") {
                updatedAt = try timestamp(text)
            }
            guard let memberValues = try fields.array("anggota") else { throw fields.missing("anggota") }
            if let problem = Household.memberCountProblem(memberValues.count) { throw problem }
            var members: [Member] = []
            members.reserveCapacity(memberValues.count)
            for (index, value) in memberValues.enumerated() {
                let path = "anggota[\(index)]"
                guard case .object(let memberEntries) = value else {
                    throw LumbungError(
                        .memberInvalid, field: path, value: value.summary(masked: true),
                        rule: "a member must be an object, not \(value.kindName)")
                }
                members.append(try member(memberEntries, path: path))
            }
            return Household(
                id: id, nomorKK: nomorKK, wilayah: wilayah, alamat: alamat, rt: rt, rw: rw, status: status,
                desil: desil, desilVersion: desilVersion, programs: programs, attributes: attributes, members: members,
                updatedAt: updatedAt, sourceID: sourceID)
        } catch let error as LumbungError {
            throw error.about(id)
        }
    }

    /// `status` with `alasan_tidak_layak`, or `status` written `tidak_layak:REASON`.
    private static func status(_ fields: Fields) throws -> HouseholdStatus {
        let text = try fields.requiredString("status", code: .householdStatus)
        let reasonText = try fields.string("alasan_tidak_layak", code: .householdStatus)
        let status = try HouseholdStatus(parsing: text, reason: reasonText)
        if text.contains(":") {
            guard let inline = status.reason else {
                throw LumbungError(
                    .householdStatus, field: "status", value: clip(text),
                    rule: "only tidak_layak takes a reason after ':'")
            }
            if let reasonText, TidakLayakReason(name: reasonText) != inline {
                throw LumbungError(
                    .householdStatus, field: "alasan_tidak_layak", value: clip(reasonText),
                    rule: "disagrees with the reason in status '\(clip(text))'")
            }
        }
        if status.reason == nil, let reasonText {
            throw LumbungError(
                .householdStatus, field: "alasan_tidak_layak", value: clip(reasonText),
                rule: status.strayReasonRule)
        }
        return status
    }

    static func member(_ entries: [(key: String, value: JSONTree)], path: String) throws -> Member {
        let fields = try Fields(entries, path: path, code: .memberInvalid, allowed: memberKeys, noun: "member")
        let nik = MemberNIK(parsing: try fields.string("nik"))
        let name = try fields.requiredString("nama")
        guard let sexText = try fields.string("jenis_kelamin") else { throw fields.missing("jenis_kelamin") }
        guard let sex = Sex(letter: sexText) else {
            throw LumbungError(
                .memberInvalid, field: fields.field("jenis_kelamin"), value: clip(sexText),
                rule: Sex.rule)
        }
        var birthDate: CalendarDate?
        if let text = try fields.string("tanggal_lahir") {
            do {
                birthDate = try CalendarDate(parsing: text)
            } catch var error as LumbungError {
                error.field = fields.field("tanggal_lahir")
                throw error
            }
        }
        guard let relation = try fields.named("hubungan", Relation.self) else { throw fields.missing("hubungan") }
        var dukcapil: DukcapilResult?
        let dukcapilStatus = try fields.string(DukcapilResult.statusField), dukcapilReason = try fields.string(DukcapilResult.reasonField)
        if dukcapilStatus != nil || dukcapilReason != nil {
            do {
                dukcapil = try DukcapilResult.parsing(dukcapilStatus ?? "", reason: dukcapilReason)
            } catch var error as LumbungError {
                error.field = fields.field(error.field ?? DukcapilResult.statusField)
                throw error
            }
        }
        return Member(
            nik: nik, name: name, sex: sex, birthDate: birthDate, relation: relation,
            presence: try fields.named("keberadaan", Presence.self) ?? .tinggalBersama,
            maritalStatus: try fields.named("status_kawin", MaritalStatus.self),
            education: try fields.named("pendidikan", Education.self),
            occupation: try fields.string("pekerjaan"),
            disability: try fields.named("disabilitas", Disability.self),
            attributes: try attributes(try fields.object("atribut") ?? [], path: fields.field("atribut")),
            dukcapil: dukcapil)
    }

    /// Integer → `.code`, fraction or exponent → `.number`, string → `.text`.
    private static func attributes(_ entries: [(key: String, value: JSONTree)], path: String) throws -> Attributes {
        var result: [Attributes.Element] = []
        result.reserveCapacity(entries.count)
        for (code, value) in entries {
            let field = "\(path).\(code)"
            switch value {
            case .number(let text, integral: true):
                guard let number = Int64(text) else {
                    throw LumbungError(
                        .attributeInvalid, field: field, value: clip(text),
                        rule: "an integer code must fit in 64 bits; write a measured number with a fraction")
                }
                result.append((code, .code(number)))
            case .number(let text, integral: false):
                guard let number = Double(text), number.isFinite else {
                    throw LumbungError(.attributeInvalid, field: field, value: clip(text), rule: "the number is out of range")
                }
                result.append((code, .number(number)))
            case .string(let text):
                result.append((code, .text(text)))
            default:
                throw LumbungError(
                    .attributeInvalid, field: field, value: value.summary(masked: false),
                    rule: "an attribute is an integer, a number or a string, not \(value.kindName)")
            }
        }
        result.sort { $0.code < $1.code }
        return Attributes(sortedEntries: result)
    }

    /// `diperbarui`, in any form ``Timestamp/init(parsing:)`` reads.
    static func timestamp(_ text: String) throws -> Date {
        guard let time = Timestamp(parsing: text) else {
            throw LumbungError(
                .householdInvalid, field: "diperbarui", value: clip(text),
                rule: "must be an ISO 8601 UTC time such as 2026-11-23T10:15:17.123Z")
        }
        return time.date
    }
}
