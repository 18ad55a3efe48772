import Foundation

/// Writes JSON into a buffer it owns: households and members (``HouseholdJSON``) and every other
/// answer and report (``JSONValue``), so there is one escaping, one number and one time format.
///
/// Persons answers, list pages and JSON Lines exports all pass through here, so it writes into
/// raw memory with one capacity check per value instead of `Array.append`'s uniqueness and
/// capacity checks per byte (that took half the encoding time, measured in BENCHMARKS.md).
///
/// Adapters with a record shape of their own (the DCI `Group`) write it with the public
/// structure and value calls, straight to bytes, instead of building a ``JSONValue`` tree.
///
/// ```swift
/// var writer = JSONWriter(pretty: false)
/// writer.write(household)
/// writer.append(to: &bytes)
///
/// var record = JSONWriter(pretty: false)
/// record.beginObject()
/// record.key("group_size")
/// record.integer(4)
/// record.endObject()       // {"group_size":4}
/// ```
///
/// Snapshot manifests are written in ``Layout-swift.enum/encoderPretty``, the layout Foundation's
/// `JSONEncoder` gave them before, so a manifest's bytes (and its file's SHA-256) stay the same.
public struct JSONWriter: ~Copyable {
    /// Where line breaks and spaces go.
    public enum Layout: Sendable {
        /// No whitespace: `{"a":1,"b":[]}`.
        case compact
        /// Two-space indentation, `"a": 1`, empty containers as `{}` and `[]`.
        case pretty
        /// Foundation's `JSONEncoder` with `.prettyPrinted`: two-space indentation, `"a" : 1`, and
        /// an empty container over two lines (`[`, an empty line, `]` indented to its depth).
        case encoderPretty
    }

    // The structure and value calls are inlinable, so an adapter's record writer (the DCI
    // `Group`, about 60 calls a member) runs them without a call each across the module.
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    /// Bytes written so far.
    @usableFromInline var count = 0
    @usableFromInline let pretty: Bool
    /// `.encoderPretty`: a space before each colon, and empty containers opened.
    @usableFromInline let encoderLayout: Bool
    /// Whether ``write(_:)-household`` notes where each member's object lies.
    var recordsMemberRanges = false
    /// Where each member's object lies in the written bytes, when ``recordsMemberRanges``.
    private(set) var memberRanges: [Range<Int>] = []
    @usableFromInline var depth = 0
    @usableFromInline var first = true

    public init(pretty: Bool, capacity: Int = 2048) {
        self.init(layout: pretty ? .pretty : .compact, capacity: capacity)
    }

    public init(layout: Layout, capacity: Int = 2048) {
        pretty = layout != .compact
        encoderLayout = layout == .encoderPretty
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Appends the bytes written so far to `buffer`.
    public func append(to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
    }

    /// The bytes written so far.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Calls `body` with the bytes written so far; they are valid only inside it.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    // MARK: Records

    mutating func write(_ household: Household) {
        beginObject()
        if let id = household.id {
            key("id")
            unsigned(id.rawValue)
        }
        key("nomor_kk")
        identityNumber(household.nomorKK.rawValue)
        if let sourceID = household.sourceID {
            key("id_sumber")
            string(sourceID.text)
        }
        key("kode_wilayah")
        ascii(household.wilayah.dotted, quoted: true)
        key("alamat")
        string(household.alamat)
        if let rt = household.rt {
            key("rt")
            integer(Int64(rt))
        }
        if let rw = household.rw {
            key("rw")
            integer(Int64(rw))
        }
        key("status")
        ascii(household.status.name, quoted: true)
        if let reason = household.status.reason {
            key("alasan_tidak_layak")
            ascii(reason.name, quoted: true)
        }
        if let desil = household.desil {
            key("desil")
            integer(Int64(desil))
        }
        if let version = household.desilVersion {
            key("desil_versi")
            ascii(version.description, quoted: true)
        }
        key("program")
        beginArray()
        for program in household.programs.sorted() {
            element()
            ascii(program.name, quoted: true)
        }
        endArray()
        key("atribut")
        write(household.attributes)
        if let updatedAt = household.updatedAt {
            key("diperbarui")
            timestamp(Timestamp(updatedAt))
        }
        key("anggota")
        beginArray()
        for index in household.members.indices {
            element()
            let start = count
            write(household.members[index])
            if recordsMemberRanges { memberRanges.append(start..<count) }
        }
        endArray()
        endObject()
    }

    mutating func write(_ member: Member) {
        beginObject()
        switch member.nik {
        case .valid(let nik):
            key("nik")
            identityNumber(nik.rawValue)
            key("status_nik")
            raw("\"valid\"")
        case .invalid(let text, let reason):
            key("nik")
            string(text)
            key("status_nik")
            string("invalid:\(reason.rawValue)")
        case .missing:
            key("nik")
            null()
            key("status_nik")
            raw("\"missing\"")
        case .placeholder(let reason):
            key("nik")
            ascii(reason.written, quoted: true)
            key("status_nik")
            ascii(member.nik.status.description, quoted: true)
        }
        key("nama")
        string(member.name)
        key("jenis_kelamin")
        ascii(member.sex.letter, quoted: true)
        key("tanggal_lahir")
        if let date = member.birthDate { calendarDate(date) } else { null() }
        key("hubungan")
        ascii(member.relation.name, quoted: true)
        key("keberadaan")
        ascii(member.presence.name, quoted: true)
        key("status_kawin")
        name(member.maritalStatus)
        key("pendidikan")
        name(member.education)
        key("pekerjaan")
        if let occupation = member.occupation { string(occupation) } else { null() }
        key("disabilitas")
        name(member.disability)
        key("atribut")
        write(member.attributes)
        // Only with a result: a member never matched (belum_dipadankan) writes what it always did.
        if let result = member.dukcapil {
            key("status_dukcapil")
            ascii(result.status.name, quoted: true)
            key("alasan_dukcapil")
            if let reason = result.reason { string(reason) } else { null() }
        }
        endObject()
    }

    private mutating func write(_ attributes: Attributes) {
        beginObject()
        for (code, value) in attributes {
            element()
            string(code)
            colon()
            switch value {
            case .code(let number): integer(number)
            case .number(let number): double(number)
            case .text(let text): string(text)
            }
        }
        endObject()
    }

    // MARK: Values built by callers

    /// Any ``JSONValue``: the writer behind answers, reports and the CLI's JSON.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .object(let entries):
            beginObject()
            for (name, value) in entries {
                element()
                string(name)
                colon()
                write(value)
            }
            endObject()
        case .array(let values):
            beginArray()
            for value in values {
                element()
                write(value)
            }
            endArray()
        case .string(let text): string(text)
        case .int(let number): integer(Int64(number))
        case .double(let number): double(number)
        case .bool(let flag): bool(flag)
        case .null: null()
        case .time(let time, let precision): timestamp(time, precision)
        case .raw(let json): json.withUnsafeBufferPointer { bytes($0) }
        }
    }

    // MARK: Structure

    @inlinable @inline(__always) public mutating func beginObject() { open(UInt8(ascii: "{")) }
    @inlinable @inline(__always) public mutating func endObject() { close(UInt8(ascii: "}")) }
    @inlinable @inline(__always) public mutating func beginArray() { open(UInt8(ascii: "[")) }
    @inlinable @inline(__always) public mutating func endArray() { close(UInt8(ascii: "]")) }

    @inlinable @inline(__always) mutating func open(_ bracket: UInt8) {
        byte(bracket)
        depth += 1
        first = true
    }

    @inlinable @inline(__always) mutating func close(_ bracket: UInt8) {
        depth -= 1
        if encoderLayout && first { byte(0x0A) }
        if pretty && (!first || encoderLayout) { newline() }
        byte(bracket)
        first = false
    }

    /// Separator and indentation before an array element or object entry.
    @inlinable @inline(__always) public mutating func element() {
        if !first { byte(UInt8(ascii: ",")) }
        first = false
        if pretty { newline() }
    }

    @usableFromInline mutating func newline() {
        reserve(1 + depth * 2)
        base[count] = 0x0A
        (base + count + 1).initialize(repeating: 0x20, count: depth * 2)
        count += 1 + depth * 2
    }

    /// A fixed ASCII key and its colon (no escaping: the key is the caller's constant).
    @inlinable @inline(__always) public mutating func key(_ name: StaticString) {
        element()
        let length = name.utf8CodeUnitCount
        reserve(length + 3)
        base[count] = UInt8(ascii: "\"")
        (base + count + 1).initialize(from: name.utf8Start, count: length)
        base[count + 1 + length] = UInt8(ascii: "\"")
        count += length + 2
        colon()
    }

    @inlinable @inline(__always) mutating func colon() {
        if encoderLayout { byte(0x20) }
        byte(UInt8(ascii: ":"))
        if pretty { byte(0x20) }
    }

    /// A key held in a variable, escaped like any string, and its colon.
    public mutating func key(escaping name: String) {
        element()
        string(name)
        colon()
    }

    // MARK: Values

    @inlinable @inline(__always) public mutating func null() {
        raw("null")
    }

    @inlinable @inline(__always) public mutating func bool(_ flag: Bool) {
        if flag { raw("true") } else { raw("false") }
    }

    private mutating func name<T: NamedCode>(_ value: T?) {
        if let value { ascii(value.name, quoted: true) } else { null() }
    }

    /// Fixed ASCII text, copied as it is.
    @inlinable @inline(__always) mutating func raw(_ text: StaticString) {
        bytes(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A fixed ASCII string, quoted (no escaping: the text is the caller's constant).
    @inlinable @inline(__always) public mutating func quoted(_ text: StaticString) {
        byte(UInt8(ascii: "\""))
        raw(text)
        byte(UInt8(ascii: "\""))
    }

    /// Text known to need no escaping (digits, codes, names).
    public mutating func ascii(_ text: String, quoted: Bool) {
        var text = text
        text.withUTF8 { utf8 in
            reserve(utf8.count + 2)
            if quoted { base[count] = UInt8(ascii: "\""); count += 1 }
            if let source = utf8.baseAddress { (base + count).initialize(from: source, count: utf8.count) }
            count += utf8.count
            if quoted { base[count] = UInt8(ascii: "\""); count += 1 }
        }
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, … or `\u00XX`.
    public mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { escaped($0) }
    }

    /// A NIK or KK number, its 16 digits quoted, without making a string.
    public mutating func identity(_ number: some IdentityNumber) {
        identityNumber(number.rawValue)
    }

    /// Opens a JSON string written in parts (``stringPart(_:)-(String)``, …) and closed by
    /// ``endString()``: text joined from pieces without building it first (a DCI address).
    public mutating func beginString() {
        byte(UInt8(ascii: "\""))
    }

    /// Closes a string opened by ``beginString()``.
    public mutating func endString() {
        byte(UInt8(ascii: "\""))
    }

    /// Text inside an open string, escaped as ``string(_:)`` escapes it.
    public mutating func stringPart(_ text: String) {
        var text = text
        text.withUTF8 { escapedBody($0) }
    }

    /// UTF-8 bytes inside an open string, escaped as ``string(_:)`` escapes them.
    public mutating func stringPart(utf8: UnsafeBufferPointer<UInt8>) {
        escapedBody(utf8)
    }

    /// A whole number's digits inside an open string.
    public mutating func stringPart(_ number: Int) {
        integer(Int64(number))
    }

    private mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        // Room for the quotes and every byte as it is; an escape makes more room for itself.
        reserve(utf8.count + 2)
        base[count] = UInt8(ascii: "\"")
        count += 1
        escapedBody(utf8)
        base[count] = UInt8(ascii: "\"")
        count += 1
    }

    /// `utf8` escaped, with room for one more byte after it (the closing quote).
    private mutating func escapedBody(_ utf8: UnsafeBufferPointer<UInt8>) {
        reserve(utf8.count + 1)
        for index in utf8.indices {
            let byte = utf8[index]
            guard JSONEscape.needed(byte) else {
                base[count] = byte
                count += 1
                continue
            }
            reserve(JSONEscape.maxLength + utf8.count - index)
            JSONEscape.write(byte) { escaped in
                base[count] = escaped
                count += 1
            }
        }
    }

    public mutating func integer(_ value: Int64) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        unsigned(value.magnitude)
    }

    public mutating func unsigned(_ value: UInt64) {
        var digits = 1
        var scan = value
        while scan >= 10 {
            scan /= 10
            digits += 1
        }
        reserve(digits)
        var rest = value
        var position = count + digits
        repeat {
            position -= 1
            base[position] = 0x30 + UInt8(rest % 10)
            rest /= 10
        } while rest > 0
        count += digits
    }

    /// A double that reads back as a number, not a code: always with a fraction or exponent.
    /// Swift's description is the shortest text that round-trips exactly. JSON has no infinity
    /// or NaN (the store refuses them), so those are written as `null`.
    mutating func double(_ value: Double) {
        guard value.isFinite else { return null() }
        let text = value.description
        ascii(text, quoted: false)
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            raw(".0")
        }
    }

    /// A NIK or KK number: `"3216015608900003"`, its 16 digits quoted.
    private mutating func identityNumber(_ value: UInt64) {
        reserve(IdentityDigits.count + 2)
        base[count] = UInt8(ascii: "\"")
        count += 1 + IdentityDigits.write(value, into: UnsafeMutableBufferPointer(start: base + count + 1, count: IdentityDigits.count))
        base[count] = UInt8(ascii: "\"")
        count += 1
    }

    /// `"1987-03-09"`, as `CalendarDate.description` gives it.
    public mutating func calendarDate(_ date: CalendarDate) {
        byte(UInt8(ascii: "\""))
        integer(Int64(date.year))
        byte(UInt8(ascii: "-"))
        padded(Int64(date.month), 2)
        byte(UInt8(ascii: "-"))
        padded(Int64(date.day), 2)
        byte(UInt8(ascii: "\""))
    }

    /// `"2026-11-23T10:15:17.123Z"`: UTC, to the millisecond, as ``Timestamp`` writes it.
    public mutating func timestamp(_ time: Timestamp, _ precision: Timestamp.Precision = .milliseconds) {
        reserve(Timestamp.maxLength + 2)
        base[count] = UInt8(ascii: "\"")
        count += 1
        count += time.write(precision, into: base + count)
        base[count] = UInt8(ascii: "\"")
        count += 1
    }

    private mutating func padded(_ value: Int64, _ width: Int) {
        if value < 0 { return integer(value) }
        var digits = 1, limit: Int64 = 10
        while value >= limit && digits < 19 {
            digits += 1
            limit = limit &* 10
        }
        if digits < width {
            reserve(width - digits)
            (base + count).initialize(repeating: 0x30, count: width - digits)
            count += width - digits
        }
        unsigned(UInt64(value))
    }

    // MARK: Memory

    @inline(__always)
    @inlinable mutating func byte(_ value: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = value
        count += 1
    }

    @inlinable @inline(__always) mutating func bytes(_ source: UnsafeBufferPointer<UInt8>) {
        guard let start = source.baseAddress else { return }
        reserve(source.count)
        (base + count).initialize(from: start, count: source.count)
        count += source.count
    }

    @inlinable @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    @usableFromInline @inline(never)
    mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
