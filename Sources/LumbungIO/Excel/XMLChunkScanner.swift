import Foundation
import Lumbung

/// A small push-fed XML tokenizer for the parts of an .xlsx that can be large (a worksheet, the
/// shared strings): bytes go in as the zip entry inflates them, tokens come out as ranges of the
/// buffer, and consumed bytes are dropped, so memory stays at a chunk plus one unfinished token.
///
/// Why hand-written: Foundation's `XMLParser` needs the whole document in memory (it pulls from one
/// `Data`), which a 1 GB worksheet breaks; libxml2's push parser would mean a system-library target
/// and a C callback per element. A worksheet uses a tiny, regular subset of XML (elements, quoted
/// attributes, text, the five entities and character references, sometimes CDATA, comments and a
/// prolog), and this scanner reads exactly that, in the measured hot path of an .xlsx import, with no
/// allocation per token. Namespaces are reduced to local names (`x:c` is `c`). DTDs are skipped,
/// never expanded.
///
/// ```swift
/// var scanner = XMLChunkScanner()
/// scanner.append(chunk)
/// while let token = try scanner.next() { … }   // nil: feed the next chunk (or call finish())
/// ```
struct XMLChunkScanner {
    enum Token {
        /// `<name attributes>` or `<name attributes/>`.
        case open(name: Range<Int>, attributes: Range<Int>, selfClosing: Bool)
        case close(name: Range<Int>)
        /// Character data between tags, entities still encoded.
        case text(Range<Int>)
        /// A CDATA section's content, taken literally.
        case cdata(Range<Int>)
    }

    /// The bytes not consumed yet (plus consumed ones before ``position``, dropped on append).
    private(set) var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// A token longer than this is an error: a damaged part, never a real cell.
    var maximumTokenSize = 64 << 20
    /// Names the part in errors.
    var partName = ""

    /// Adds the next bytes of the document.
    mutating func append(_ data: Data) {
        if position > 0 {
            buffer.removeSubrange(0..<position)
            position = 0
        }
        buffer.append(contentsOf: data)
    }

    /// Declares the document complete: the rest of the buffer must be whole tokens.
    mutating func finish() { atEnd = true }

    /// The next complete token, or `nil` when more input is needed (or the document ended).
    mutating func next() throws -> Token? {
        try buffer.withUnsafeBufferPointer { base in try scan(base) }
    }

    private mutating func scan(_ b: UnsafeBufferPointer<UInt8>) throws -> Token? {
        let end = b.count
        while position < end {
            let start = position
            if b[start] != UInt8(ascii: "<") {
                guard let stop = find(UInt8(ascii: "<"), in: b, from: start) else {
                    if atEnd { position = end; return .text(start..<end) }
                    try checkSize(end - start)
                    return nil
                }
                position = stop
                return .text(start..<stop)
            }
            guard start + 1 < end else { return try needMore(start) }
            switch b[start + 1] {
            case UInt8(ascii: "/"):
                guard let stop = find(UInt8(ascii: ">"), in: b, from: start + 2) else { return try needMore(start) }
                position = stop + 1
                var nameEnd = stop
                while nameEnd > start + 2 && isSpace(b[nameEnd - 1]) { nameEnd -= 1 }
                return .close(name: localName(b, start + 2, nameEnd))
            case UInt8(ascii: "?"):
                guard let stop = find("?>", in: b, from: start + 2) else { return try needMore(start) }
                position = stop + 2
            case UInt8(ascii: "!"):
                if matches("<!--", b, at: start) {
                    guard let stop = find("-->", in: b, from: start + 4) else { return try needMore(start) }
                    position = stop + 3
                } else if matches("<![CDATA[", b, at: start) {
                    guard let stop = find("]]>", in: b, from: start + 9) else { return try needMore(start) }
                    position = stop + 3
                    return .cdata(start + 9..<stop)
                } else {
                    // <!DOCTYPE …>, possibly with an internal subset in brackets: skipped.
                    var depth = 0, p = start + 2
                    while p < end {
                        let c = b[p]
                        if c == UInt8(ascii: "[") { depth += 1 } else if c == UInt8(ascii: "]") { depth -= 1 } else if c == UInt8(ascii: ">") && depth <= 0 { break }
                        p += 1
                    }
                    guard p < end else { return try needMore(start) }
                    position = p + 1
                }
            default:
                // A start tag: '>' outside quoted attribute values ends it.
                var p = start + 1, quote: UInt8 = 0
                while p < end {
                    let c = b[p]
                    if quote != 0 {
                        if c == quote { quote = 0 }
                    } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                        quote = c
                    } else if c == UInt8(ascii: ">") {
                        break
                    }
                    p += 1
                }
                guard p < end else { return try needMore(start) }
                position = p + 1
                let selfClosing = b[p - 1] == UInt8(ascii: "/")
                let tagEnd = selfClosing ? p - 1 : p
                var nameEnd = start + 1
                while nameEnd < tagEnd && !isSpace(b[nameEnd]) { nameEnd += 1 }
                return .open(name: localName(b, start + 1, nameEnd), attributes: nameEnd..<tagEnd, selfClosing: selfClosing)
            }
        }
        return nil
    }

    private mutating func needMore(_ start: Int) throws -> Token? {
        if atEnd {
            throw LumbungError(.xlsxCorrupt, field: partName, rule: "the XML ends inside a tag: the part is truncated")
        }
        try checkSize(buffer.count - start)
        return nil
    }

    private func checkSize(_ size: Int) throws {
        if size > maximumTokenSize {
            throw LumbungError(.xlsxCorrupt, field: partName, rule: "an XML token is longer than \(maximumTokenSize >> 20) MiB: the part is damaged")
        }
    }

    // MARK: Reading tokens

    /// The bytes of a range, as an array (for tests and small values).
    func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> { buffer[range] }

    /// Whether the local name in `range` is `name`.
    func name(_ range: Range<Int>, is name: StaticString) -> Bool {
        guard range.count == name.utf8CodeUnitCount else { return false }
        let expected = name.utf8Start
        return buffer.withUnsafeBufferPointer { b in
            for i in 0..<range.count where b[range.lowerBound + i] != expected[i] { return false }
            return true
        }
    }

    /// The raw value of attribute `name` (its local name) among `attributes`, without the quotes.
    func attribute(_ name: StaticString, in attributes: Range<Int>) -> Range<Int>? {
        buffer.withUnsafeBufferPointer { b in
            var p = attributes.lowerBound
            let end = attributes.upperBound
            while p < end {
                while p < end && isSpace(b[p]) { p += 1 }
                let nameStart = p
                while p < end && b[p] != UInt8(ascii: "=") && !isSpace(b[p]) { p += 1 }
                let attributeName = localName(b, nameStart, p)
                while p < end && b[p] != UInt8(ascii: "\"") && b[p] != UInt8(ascii: "'") { p += 1 }
                guard p < end else { return nil }
                let quote = b[p]
                let valueStart = p + 1
                p = valueStart
                while p < end && b[p] != quote { p += 1 }
                let value = valueStart..<min(p, end)
                p += 1
                if attributeName.count == name.utf8CodeUnitCount {
                    var same = true
                    for i in 0..<attributeName.count where b[attributeName.lowerBound + i] != name.utf8Start[i] {
                        same = false
                        break
                    }
                    if same { return value }
                }
            }
            return nil
        }
    }

    /// Appends the text in `range` to `out`, decoding entities and character references and
    /// turning CR LF (and a lone CR) into LF, as an XML parser does.
    func appendDecoded(_ range: Range<Int>, to out: inout [UInt8]) {
        buffer.withUnsafeBufferPointer { b in
            var p = range.lowerBound
            let end = range.upperBound
            while p < end {
                let c = b[p]
                if c == UInt8(ascii: "&") {
                    var q = p + 1
                    while q < end && b[q] != UInt8(ascii: ";") && q - p < 12 { q += 1 }
                    if q < end && b[q] == UInt8(ascii: ";"), let scalar = Self.entity(UnsafeBufferPointer(rebasing: b[(p + 1)..<q])) {
                        out.append(contentsOf: String(Character(scalar)).utf8)
                        p = q + 1
                        continue
                    }
                    out.append(c)  // not an entity we know: kept as written
                } else if c == 0x0D {
                    out.append(0x0A)
                    if p + 1 < end && b[p + 1] == 0x0A { p += 1 }
                } else {
                    out.append(c)
                }
                p += 1
            }
        }
    }

    /// Appends CDATA content literally.
    func appendLiteral(_ range: Range<Int>, to out: inout [UInt8]) {
        out.append(contentsOf: buffer[range])
    }

    static func entity(_ name: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        switch Array(name) {
        case Array("amp".utf8): return "&"
        case Array("lt".utf8): return "<"
        case Array("gt".utf8): return ">"
        case Array("quot".utf8): return "\""
        case Array("apos".utf8): return "'"
        default:
            guard name.count >= 2, name[0] == UInt8(ascii: "#") else { return nil }
            let hex = name[1] | 0x20 == UInt8(ascii: "x")
            let digits = String(decoding: name[(hex ? 2 : 1)...], as: UTF8.self)
            return UInt32(digits, radix: hex ? 16 : 10).flatMap(Unicode.Scalar.init)
        }
    }
}

@inline(__always) private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

/// The name without its namespace prefix.
@inline(__always) private func localName(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Range<Int> {
    var p = end
    while p > start {
        if b[p - 1] == UInt8(ascii: ":") { return p..<end }
        p -= 1
    }
    return start..<end
}

@inline(__always) private func find(_ byte: UInt8, in b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    guard start < b.count else { return nil }
    let base = b.baseAddress! + start
    guard let hit = memchr(base, Int32(byte), b.count - start) else { return nil }
    return start + (UnsafeRawPointer(hit) - UnsafeRawPointer(base))
}

private func find(_ text: StaticString, in b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    var p = start
    let first = text.utf8Start[0]
    while let hit = find(first, in: b, from: p) {
        if matches(text, b, at: hit) { return hit }
        if hit + text.utf8CodeUnitCount > b.count { return nil }
        p = hit + 1
    }
    return nil
}

private func matches(_ text: StaticString, _ b: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
    let count = text.utf8CodeUnitCount
    guard start + count <= b.count else { return false }
    for i in 0..<count where b[start + i] != text.utf8Start[i] { return false }
    return true
}
