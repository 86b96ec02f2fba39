import CBQCore

/// The predicates cbq evaluates itself, compiled once (``ExpressionCompiler``), with the
/// sandbox's semantics: a row passes when the filter is TRUE (not FALSE, not NULL).
public struct LocalFilter: Sendable {
    private let columns: [String]
    private let condition: CompiledExpression?

    /// - Throws: a ``Diagnostic`` when the predicate cannot be compiled (the planner has
    ///   compiled it once already, so this does not happen for a plan it made).
    public init(_ predicate: Expression?, now: Instant = Instant(seconds: 0)) throws(Diagnostic) {
        guard let predicate else {
            columns = []
            condition = nil
            return
        }
        columns = predicate.columnNames
        let slots = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
        condition = try ExpressionCompiler(slots: slots, now: now).compile(predicate)
    }

    public func apply(_ rows: [RawRow]) throws(Diagnostic) -> [RawRow] {
        guard let condition else { return rows }
        var passed: [RawRow] = []
        passed.reserveCapacity(rows.count)
        for row in rows where try condition.passes(row.slots(columns)) { passed.append(row) }
        return passed
    }
}
