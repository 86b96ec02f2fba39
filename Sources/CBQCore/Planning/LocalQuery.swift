/// What cbq computes itself after the requests: group and aggregate, filter groups, compute
/// the output columns, make rows distinct, sort, then skip and cap. Inert and comparable like
/// the rest of a plan; the runtime compiles its expressions (``ExpressionCompiler``).
///
/// Slots: a row's input slots are the values of ``inputColumns``, in order. A grouped query's
/// group slots are its keys, then its aggregates; its outputs, HAVING and sort keys read those
/// (matched by their normalised text), never a raw column.
public struct LocalQuery: Hashable, Sendable {
    public struct Output: Hashable, Sendable {
        public var name: String
        public var expression: Expression
    }

    public struct Aggregate: Hashable, Sendable {
        public var kind: AggregateKind
        /// nil for COUNT(*).
        public var argument: Expression?
        public var distinct: Bool
        public var range: SourceRange
        /// `COUNT(DISTINCT city)`, as outputs refer to it.
        public var text: String
    }

    public struct SortKey: Hashable, Sendable {
        public var expression: Expression
        public var descending: Bool
        public var nullsFirst: Bool
        /// As written, for `explain`.
        public var text: String
    }

    /// The attributes each row's input slots hold.
    public var inputColumns: [String]
    /// Group keys; nil when the query does not aggregate (an aggregate without GROUP BY has
    /// one group, and `[]` keys).
    public var grouping: [Expression]?
    public var aggregates: [Aggregate]
    public var having: Expression?
    /// nil: the rows' own columns (`SELECT *`).
    public var outputs: [Output]?
    public var distinct: Bool
    public var sort: [SortKey]
    /// OFFSET and LIMIT, when they must wait for the operators above; else the requests apply them.
    public var offset: Int
    public var limit: Int?

    /// The normalised text → group slot, for compiling what a grouped query computes.
    public var groupSlots: [String: Int] {
        var slots: [String: Int] = [:]
        for (index, key) in (grouping ?? []).enumerated() where slots[key.ungrouped.description] == nil {
            slots[key.ungrouped.description] = index
        }
        let base = grouping?.count ?? 0
        for (index, aggregate) in aggregates.enumerated() where slots[aggregate.text] == nil {
            slots[aggregate.text] = base + index
        }
        return slots
    }

    /// Whether a row can be written as soon as it is computed (no operator must see them all).
    public var streams: Bool { grouping == nil && sort.isEmpty }

    /// The operators, top (last applied) first, as `explain` prints them.
    public func operatorLines() -> [String] {
        var lines: [String] = []
        if limit != nil || offset > 0 {
            var parts: [String] = []
            if let limit { parts.append("LIMIT \(limit)") }
            if offset > 0 { parts.append("OFFSET \(offset)") }
            lines.append("limit       " + parts.joined(separator: " "))
        }
        if !sort.isEmpty {
            lines.append("sort        " + sort.map { key in
                key.text + (key.descending ? " DESC" : "") + (key.nullsFirst != key.descending ? (key.nullsFirst ? " NULLS FIRST" : " NULLS LAST") : "")
            }.joined(separator: ", "))
        }
        if distinct { lines.append("distinct    on every output column") }
        if let outputs {
            lines.append("project     " + outputs.map { output in
                let text = output.expression.description
                return text == quoteIdentifierIfNeeded(output.name) ? text : "\(text) AS \(quoteIdentifierIfNeeded(output.name))"
            }.joined(separator: ", "))
        } else {
            lines.append("project     id and every attribute")
        }
        if let having { lines.append("filter      HAVING \(having)") }
        if let grouping {
            let keys = grouping.isEmpty ? "one group" : "keys " + grouping.map(\.description).joined(separator: ", ")
            lines.append("aggregate   \(keys); " + aggregates.map(\.text).joined(separator: ", "))
        }
        return lines
    }
}
