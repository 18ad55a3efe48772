/// A rule a 16-digit identity number breaks, found without allocating.
@usableFromInline
enum IdentityProblem: Equatable {
    case spreadsheetMangled, notDigits, length(Int)
    case unknownProvinsi, unknownKabupaten, invalidDay, invalidMonth, invalidDate, zeroSerial
}

/// The parsing NIK and NomorKK share; each type says which rules apply and how to word them.
@usableFromInline
protocol IdentityRules {
    /// The first rule a 16-digit value breaks, or nil.
    static func problem(_ value: UInt64) -> IdentityProblem?
    /// The error for a broken rule, naming the (masked) value.
    static func error(_ problem: IdentityProblem, value: some StringProtocol) -> LumbungError
}

extension IdentityRules {
    /// A valid value, or `nil` when the slow path must work out what is wrong.
    @usableFromInline
    static func parseQuickly(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard let value = IdentityDigits.read(bytes), problem(value) == nil else { return nil }
        return value
    }

    /// The error path: trims Unicode whitespace, works out what is wrong and throws it.
    @usableFromInline
    static func parseSlowly(_ text: String) throws -> UInt64 {
        let trimmed = text.trimmingWhitespace
        switch IdentityDigits.diagnose(trimmed) {
        case .failure(.spreadsheetMangled): throw error(.spreadsheetMangled, value: trimmed)
        case .failure(.notDigits): throw error(.notDigits, value: trimmed)
        case .failure(.length(let count)): throw error(.length(count), value: trimmed)
        case .success(let value):
            if let problem = problem(value) { throw error(problem, value: trimmed) }
            return value
        }
    }

    /// A value held as a number, checked.
    static func checked(_ value: UInt64) throws -> UInt64 {
        guard value < IdentityDigits.limit else {
            throw error(.length(IdentityDigits.digitCount(value)), value: String(value))
        }
        if let problem = problem(value) { throw error(problem, value: IdentityDigits.text(value)) }
        return value
    }
}
