/// A write refused because it clashes with a household outside the writer's scope.
///
/// Uniqueness of NIKs and KK numbers holds across the whole store, so a scoped writer can learn
/// that *something* outside its scope clashes. It learns no more: the answer (``answer``) is the
/// same whatever clashed (which NIK, the KK, which household), and the adapter journals, counts
/// and rate-limits these refusals so probing is seen and slowed. ``clash`` keeps the detail for
/// that journal entry.
///
/// ```swift
/// try store.write { tx in
///     do { try tx.put(household) } catch let error as LumbungError {
///         throw try scope.screen(error, in: tx)   // a ScopedRefusal when the holder is out of scope
///     }
/// }
/// ```
public struct ScopedRefusal: Error, Sendable, Hashable {
    /// What clashed, with the other household's id: for the journal, never for the caller.
    public let clash: LumbungError
    /// What the caller is told.
    public var answer: LumbungError {
        LumbungError(
            .scopeConflict,
            rule: "the household clashes with a record outside this token's scope (a NIK or the KK number is already registered); a kabupaten operator resolves it")
    }

    /// The journal's note: the rule broken and the masked value, never the other household.
    public var journalNote: String {
        "\(LumbungError.Code.scopeConflict) refused: \(clash.code) \(clash.field ?? "") \(clash.value ?? "")"
    }
}

extension AccessScope {
    /// What a caller with this scope may be told of a write that failed with `error`.
    ///
    /// A duplicate NIK or KK held by a household inside the scope is the caller's to see
    /// (without the other household's id, which adapters drop); one held outside becomes a
    /// ``ScopedRefusal``. Any other error is returned as it is.
    public func screen(_ error: LumbungError, in tx: ReadTransaction) throws -> any Error {
        guard wilayah != nil, let other = error.otherHouseholdID else { return error }
        if let holder = try tx.household(id: other), permits(holder.wilayah) { return error }
        return ScopedRefusal(clash: error)
    }
}
