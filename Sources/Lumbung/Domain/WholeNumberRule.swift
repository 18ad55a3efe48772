/// The values a whole-number field may take, with the rule that words them: written once, used
/// by the core's validation and by adapters that must explain a cell that is no number at all.
///
/// ```swift
/// Household.desilRule.rule                 // "desil is 1 to 10"
/// Household.desilRule.problem(11)?.code    // .householdDesil
/// ```
public struct WholeNumberRule: Sendable {
    /// The field's name in files and APIs (`rt`, `desil`).
    public let field: String
    /// How the rule names the field (`RT`, `desil`).
    public let label: String
    public let range: ClosedRange<Int>
    /// The code of an error against the rule.
    public let code: LumbungError.Code

    /// The rule in words: `RT is 0 to 999`.
    public var rule: String { "\(label) is \(range.lowerBound) to \(range.upperBound)" }

    /// The error for a value outside the range; nil for a value inside it or no value.
    @inline(__always)
    public func problem(_ value: Int?) -> LumbungError? {
        guard let value, !range.contains(value) else { return nil }
        return LumbungError(code, field: field, value: String(value), rule: rule)
    }
}
