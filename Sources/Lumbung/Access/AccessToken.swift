import CLMDB
import Crypto
import Foundation

/// What a token holder may do.
///
/// `viewer`, `operator` and `admin` are ranked (each includes the one before). The workflow roles
/// stand beside them: `desa_operator`, `verifikator` and `kepala_opd` read households in their
/// scope as a viewer does and act on change requests as ``RequestWorkflow/steps`` allows;
/// `citizen` reads no household at all, and only the requests it submitted.
public enum AccessRole: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// Reads households, stats and DCI searches in its scope.
    case viewer
    /// A viewer that also writes households in its scope.
    case `operator`
    /// An operator that also reads the change feed and the server's metrics.
    case admin
    /// Proposes changes in one desa (its scope is a desa) and sees only that desa's requests.
    case desaOperator = "desa_operator"
    /// Checks proposals (kabupaten scope).
    case verifikator
    /// The head of the office (kepala OPD): approves verified proposals (kabupaten scope).
    case kepalaOPD = "kepala_opd"
    /// A citizen (Cek Bansos): submits usul and sanggah, reads back only what it submitted.
    case citizen

    public var description: String { rawValue }

    var rank: Int {
        switch self {
        case .citizen: -1
        case .viewer, .desaOperator, .verifikator, .kepalaOPD: 0
        case .operator: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

    /// Whether the role includes everything `other` may do with households (a workflow role
    /// reads as a viewer; a citizen reads nothing).
    public func includes(_ other: AccessRole) -> Bool {
        if self == other { return true }
        switch other {
        case .viewer, .operator, .admin: return rank >= other.rank
        case .desaOperator, .verifikator, .kepalaOPD, .citizen: return self == .admin && other != .citizen
        }
    }

    /// The wilayah level a role's scope must be at, at the widest (nil: any scope).
    public var widestScope: KodeWilayah.Level? {
        switch self {
        case .desaOperator: .desa
        case .viewer, .operator, .admin, .verifikator, .kepalaOPD, .citizen: nil
        }
    }

    /// Refuses a scope this role may not hold (`token.invalid`): a desa operator's is one desa.
    public func checkScope(_ scope: AccessScope) throws {
        guard let level = widestScope else { return }
        guard let wilayah = scope.wilayah, wilayah.level >= level else {
            throw LumbungError(.tokenInvalid, field: "scope", value: scope.description,
                               rule: "a \(rawValue) token's scope is one desa (e.g. 32.16.01.2001)")
        }
    }

    /// Parses a role name: `viewer`, `operator`, `admin`, `desa_operator`, `verifikator`,
    /// `kepala_opd` or `citizen`.
    public init(parsing text: String) throws {
        guard let role = AccessRole(rawValue: text.trimmedWhitespace.lowercased()) else {
            throw LumbungError(.tokenInvalid, field: "role", value: text, rule: "a role is " + Self.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = role
    }
}

/// A bearer token as the store keeps it: who holds it, what they may do and where. The secret
/// itself is never stored, only its SHA-256.
///
/// ```swift
/// let issued = try store.write { tx in
///     try tx.issueToken(actor: "operator:3216012001", role: .operator, scope: AccessScope(try KodeWilayah("32.16.01.2001")))
/// }
/// print(issued.secret)                                     // shown once: lmb_3f9a…_…
/// let token = try store.read { tx in try tx.authenticate(secret: issued.secret) }
/// ```
public struct AccessToken: Hashable, Sendable {
    /// Public identifier: 12 lowercase hex digits, also part of the secret.
    public let id: String
    /// The name journaled for this token's writes.
    public let actor: String
    public let role: AccessRole
    public let scope: AccessScope
    public let created: Date
    /// When it was revoked; a revoked token authenticates nothing.
    public var revoked: Date?
    let secretDigest: [UInt8]

    public var isRevoked: Bool { revoked != nil }

    /// The longest actor name accepted.
    public static let maxActorLength = 128

    static let secretPrefix = "lmb_"

    /// A fresh token and its secret: the only time the secret exists outside its holder.
    public struct Issued: Sendable {
        public let token: AccessToken
        /// `lmb_<id>_<64 hex digits>`; present it as `Authorization: Bearer <secret>`.
        public let secret: String
    }

    static func issue(actor: String, role: AccessRole, scope: AccessScope, now: Date = Date()) throws -> Issued {
        let actor = actor.trimmedWhitespace
        guard !actor.isEmpty, actor.utf8.count <= maxActorLength,
            actor.unicodeScalars.allSatisfy({ !CharacterSet.controlCharacters.contains($0) })
        else {
            throw LumbungError(.tokenInvalid, field: "actor", value: actor, rule: "an actor name is 1 to \(maxActorLength) bytes without control characters")
        }
        var generator = SystemRandomNumberGenerator()
        let id = hex((0..<6).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let key = hex((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let secret = "\(secretPrefix)\(id)_\(key)"
        let token = AccessToken(
            id: id, actor: actor, role: role, scope: scope,
            created: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)),
            revoked: nil, secretDigest: digest(secret))
        return Issued(token: token, secret: secret)
    }

    /// The token id inside a secret, or nil when the text is not shaped like one.
    static func id(inSecret secret: String) -> String? {
        let utf8 = secret.utf8
        guard utf8.count == secretPrefix.utf8.count + 12 + 1 + 64, secret.hasPrefix(secretPrefix) else { return nil }
        let body = Array(utf8.dropFirst(secretPrefix.utf8.count))
        guard body[12] == UInt8(ascii: "_"),
            body.enumerated().allSatisfy({ $0.offset == 12 || isHexDigit($0.element) })
        else { return nil }
        return String(decoding: body[0..<12], as: UTF8.self)
    }

    /// Whether `secret` is this token's, compared in constant time.
    func matches(secret: String) -> Bool {
        let presented = Self.digest(secret)
        guard presented.count == secretDigest.count else { return false }
        return zip(presented, secretDigest).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func digest(_ secret: String) -> [UInt8] { Array(SHA256.hash(data: Array(secret.utf8))) }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: Stored form

    /// Version, actor, role, scope (packed code and level, or 0), created, revoked (0: never), digest.
    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 96)
        writer.byte(1)
        writer.string(actor)
        writer.string(role.rawValue)
        writer.varint(scope.wilayah?.packed ?? 0)
        writer.byte(UInt8(scope.wilayah?.level.rawValue ?? 0))
        writer.varint(UInt64(created.timeIntervalSince1970))
        writer.varint(UInt64(revoked?.timeIntervalSince1970 ?? 0))
        writer.varint(secretDigest.count)
        secretDigest.forEach { writer.byte($0) }
        return writer.bytes
    }

    static func decode(id: String, _ buffer: UnsafeRawBufferPointer) throws -> AccessToken {
        var reader = ByteReader(buffer)
        guard try reader.byte() == 1 else { throw ByteReader.corrupt("token version") }
        let actor = try reader.string()
        guard let role = AccessRole(rawValue: try reader.string()) else { throw ByteReader.corrupt("token role") }
        let packed = try reader.varint()
        let levelRaw = Int(try reader.byte())
        var scope = AccessScope.everything
        if packed != 0 {
            guard let level = KodeWilayah.Level(rawValue: levelRaw) else { throw ByteReader.corrupt("token scope") }
            scope = AccessScope(KodeWilayah(unchecked: packed, level: level))
        }
        let created = Date(timeIntervalSince1970: TimeInterval(try reader.varint()))
        let revokedAt = try reader.varint()
        let count = try reader.int()
        guard count == 32 else { throw ByteReader.corrupt("token digest") }
        let digest = try (0..<count).map { _ in try reader.byte() }
        return AccessToken(
            id: id, actor: actor, role: role, scope: scope, created: created,
            revoked: revokedAt == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(revokedAt)),
            secretDigest: digest)
    }
}

extension ReadTransaction {
    /// Every token, revoked ones too, ordered by id.
    public func tokens() throws -> [AccessToken] {
        try ensureValid()
        guard let dbi = dbs.tokens else { return [] }
        let cursor = try txn.cursor(dbi)
        var tokens: [AccessToken] = []
        var found = try cursor.move(MDB_FIRST)
        while found {
            let id = String(decoding: cursor.keyBytes, as: UTF8.self)
            tokens.append(try AccessToken.decode(id: id, cursor.valueBytes))
            found = try cursor.move(MDB_NEXT)
        }
        return tokens
    }

    /// The token with this id, or nil.
    public func token(id: String) throws -> AccessToken? {
        try ensureValid()
        guard let dbi = dbs.tokens, let stored = try txn.get(dbi, Array(id.utf8)) else { return nil }
        return try AccessToken.decode(id: id, stored.buffer)
    }

    /// The live token a presented secret belongs to; nil for an unknown, malformed or revoked one.
    public func authenticate(secret: String) throws -> AccessToken? {
        guard let id = AccessToken.id(inSecret: secret), let token = try token(id: id),
            !token.isRevoked, token.matches(secret: secret)
        else { return nil }
        return token
    }
}

extension WriteTransaction {
    /// Creates a token and returns it with its secret; only the secret's SHA-256 is stored. The
    /// journal records the event (never the secret).
    public func issueToken(actor: String, role: AccessRole, scope: AccessScope) throws -> AccessToken.Issued {
        try ensureValid()
        guard let dbi = dbs.tokens else {
            throw LumbungError(.storeReadOnly, rule: "the store has no token database")
        }
        try role.checkScope(scope)
        let issued = try AccessToken.issue(actor: actor, role: role, scope: scope)
        let token = issued.token
        try txn.put(dbi, Array(token.id.utf8), token.encoded())
        try recordEvent("token \(token.id) issued: actor \(token.actor), role \(token.role), scope \(token.scope)")
        return issued
    }

    /// Revokes a token for good and returns it as revoked; revoking twice keeps the first time.
    @discardableResult
    public func revokeToken(id: String) throws -> AccessToken {
        try ensureValid()
        guard var token = try token(id: id), let dbi = dbs.tokens else {
            throw LumbungError(.tokenNotFound, field: "id", value: id, rule: "no token has this id (see `lumbung token list`)")
        }
        guard !token.isRevoked else { return token }
        token.revoked = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        try txn.put(dbi, Array(id.utf8), token.encoded())
        try recordEvent("token \(token.id) revoked")
        return token
    }
}

extension WriteTransaction {
    /// Replaces every stored token with `tokens`, journaling nothing: a restore keeps the tokens
    /// of the state it replaces, so it never brings back a revoked token or drops a new one.
    func replaceTokens(with tokens: [AccessToken]) throws {
        try ensureValid()
        guard let dbi = dbs.tokens else { return }
        try LMDB.check(mdb_drop(txn.handle, dbi, 0), "clearing the token database")
        for token in tokens {
            try txn.put(dbi, Array(token.id.utf8), token.encoded())
        }
    }
}
