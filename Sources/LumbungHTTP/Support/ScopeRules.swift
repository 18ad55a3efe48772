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

enum ScopeRules {
    /// The 404 for a household id that is absent or out of scope: one answer for both.
    static func householdNotFound(_ id: HouseholdID, field: String = "id") -> LumbungError {
        LumbungError(.householdNotFound, field: field, value: id.description, rule: "no household with this id in this token's scope")
    }

    /// The 404 for a NIK that is absent or out of scope.
    static func memberNotFound(_ nik: NIK) -> LumbungError {
        LumbungError(.memberNotFound, field: "nik", value: nik.masked, rule: "no household in this token's scope holds this NIK")
    }

    /// The core names the household that already holds a NIK or KK; a scoped caller must not
    /// learn ids outside its scope, so the name goes.
    static func withoutOtherHousehold(_ error: LumbungError) -> LumbungError {
        guard error.code == .nikDuplicate || error.code == .kkDuplicate,
            error.rule.contains("already belongs to household")
        else { return error }
        var scrubbed = error
        scrubbed.rule = error.code == .nikDuplicate
            ? "the NIK already belongs to another household" : "the KK number already belongs to another household"
        return scrubbed
    }
}
