import Lumbung

/// How a token's wilayah scope shapes answers: what is outside reads as absent (404, the same
/// answer as for nothing at all), and writes outside are refused.
extension AccessToken {
    /// Whether this token may see the household.
    func sees(_ household: Household) -> Bool { scope.permits(household.wilayah) }

    /// The household if this token may see it; nil when it is absent or out of scope alike.
    func visible(_ household: Household?) -> Household? {
        guard let household, sees(household) else { return nil }
        return household
    }

    /// Refuses a write that would put a household in a wilayah outside the scope.
    func requireWritable(_ wilayah: KodeWilayah) throws {
        guard scope.permits(wilayah) else {
            throw LumbungError(
                .authForbidden, field: "wilayah", value: wilayah.dotted,
                rule: "this token may write only households in \(scope)")
        }
    }
}

extension AccessToken {
    /// Whether this token sees the whole store, and so store-wide figures (``AccessScope/seesWholeStore``).
    var seesWholeStore: Bool { scope.seesWholeStore }

    /// Refuses (403) a scoped token what only exists store-wide.
    func requireWholeStore(for what: String) throws {
        guard seesWholeStore else {
            throw LumbungError(.authForbidden, field: "scope", value: scope.description, rule: "\(what) is store-wide; it needs a token for the whole store (scope *)")
        }
    }
}

enum ScopeRules {
    /// The 404 for a household id that is absent or out of scope: one answer for both.
    static func householdNotFound(_ id: HouseholdID, field: String = "id") -> LumbungError {
        householdNotFound(field: field, value: id.description)
    }

    static func householdNotFound(field: String, value: String) -> LumbungError {
        LumbungError(.householdNotFound, field: field, value: value, rule: "no household with this id in this token's scope")
    }

    /// The 404 for a NIK that is absent or out of scope.
    static func memberNotFound(_ nik: NIK) -> LumbungError {
        LumbungError(.memberNotFound, field: "nik", value: nik.masked, rule: "no household in this token's scope holds this NIK")
    }
}
