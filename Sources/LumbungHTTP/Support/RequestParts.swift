/// Request headers that both the router's middleware and the persons fast path read, parsed on
/// bytes (they are read on every request).
enum RequestParts {
    /// The secret of an `Authorization: Bearer <secret>` header (the scheme in any case), or nil.
    static func bearerSecret(_ header: String) -> String? {
        let bytes = Array(header.utf8)
        let scheme = Array("bearer ".utf8)
        guard bytes.count > scheme.count,
            zip(bytes.prefix(scheme.count), scheme).allSatisfy({ $0 | 0x20 == $1 | 0x20 })
        else { return nil }
        return String(decoding: bytes.dropFirst(scheme.count).drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed(), as: UTF8.self)
    }

    /// A client's `X-Request-Id` if it is 1 to 64 letters, digits, `.`, `_` or `-` (it goes
    /// into logs and the journal), else nil.
    static func requestID(_ text: String) -> String? {
        guard (1...64).contains(text.utf8.count),
            text.utf8.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            })
        else { return nil }
        return text
    }
}
