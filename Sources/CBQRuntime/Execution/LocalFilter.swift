import CBQCore

/// The predicates cbq evaluates itself, with the sandbox's semantics (``PredicateEvaluator``):
/// a row passes when the filter is TRUE (not FALSE, not NULL).
public struct LocalFilter: Sendable {
    public let predicate: Expression?

    public init(_ predicate: Expression?) { self.predicate = predicate }

    public func apply(_ rows: [RawRow]) -> [RawRow] {
        guard let predicate else { return rows }
        return rows.filter { row in PredicateEvaluator.evaluate(predicate) { row.value($0) } == true }
    }
}
