/// The part of the register a token may see and change: a wilayah prefix at any level, or the
/// whole store.
///
/// Scope checks are pure functions, so every adapter applies them the same way:
///
/// ```swift
/// let scope = AccessScope(try KodeWilayah("32.16.01.2001"))
/// scope.permits(household.wilayah)                    // the household is in that desa
/// scope.narrow(try KodeWilayah("32.16"))              // .within(32.16.01.2001)
/// scope.narrow(try KodeWilayah("32.17"))              // .disjoint: nothing to see
/// ```
public struct AccessScope: Hashable, Sendable, CustomStringConvertible {
    /// The wilayah prefix, or nil for the whole store.
    public let wilayah: KodeWilayah?

    public init(_ wilayah: KodeWilayah?) { self.wilayah = wilayah }

    /// The whole store.
    public static let everything = AccessScope(nil)

    /// Whether the scope is the whole store, and so may see store-wide figures (file sizes,
    /// digests, journal positions): they tell of changes outside any narrower scope.
    public var seesWholeStore: Bool { wilayah == nil }

    /// `32.16.01.2001`, or `*` for the whole store.
    public var description: String { wilayah?.dotted ?? "*" }

    /// Parses a wilayah code, or `*` for the whole store.
    ///
    /// - Throws: `token.scopeEmpty` for an empty or blank text: only an explicit `*` grants the
    ///   whole store, so an unset shell variable never does; `wilayah.*` for a bad code.
    public init(parsing text: String) throws {
        let trimmed = text.trimmedWhitespace
        guard !trimmed.isEmpty else {
            throw LumbungError(
                .tokenScopeEmpty, field: "scope", value: text,
                rule: "a scope must not be empty: give a wilayah prefix (e.g. 32.16.01.2001), or * for the whole store")
        }
        self.wilayah = trimmed == "*" ? nil : try KodeWilayah(trimmed)
    }

    /// Whether a household in `wilayah` is inside the scope.
    public func permits(_ wilayah: KodeWilayah) -> Bool {
        guard let scope = self.wilayah else { return true }
        return scope.contains(wilayah)
    }

    /// What a filter on `requested` (nil: no wilayah filter) may see within the scope.
    public enum Narrowed: Hashable, Sendable {
        /// Filter on this wilayah (nil: the whole store).
        case within(KodeWilayah?)
        /// The filter and the scope do not overlap: the answer is empty.
        case disjoint
    }

    /// The intersection of a wilayah filter with the scope: the narrower of the two when one
    /// holds the other, else nothing.
    public func narrow(_ requested: KodeWilayah?) -> Narrowed {
        guard let scope = wilayah else { return .within(requested) }
        guard let requested else { return .within(scope) }
        if scope.contains(requested) { return .within(requested) }
        if requested.contains(scope) { return .within(scope) }
        return .disjoint
    }

    /// Whether this scope lies inside `other` (a token may only grant what it holds).
    public func isWithin(_ other: AccessScope) -> Bool {
        guard let outer = other.wilayah else { return true }
        guard let inner = wilayah else { return false }
        return outer.contains(inner)
    }
}
