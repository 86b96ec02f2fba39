/// The select list, GROUP BY, HAVING, DISTINCT and ORDER BY: what the rows become after the
/// requests, and which of it the API can do (a plain sort, the row cap) instead.
extension Planner {
    struct Shape {
        var projection: RequestPlan.Projection
        /// ORDER BY sent as `sort=`.
        var pushedSort: [RequestPlan.SortKey]
        /// LIMIT and OFFSET wait for a local operator, so the requests must not apply them.
        var limitIsLocal: Bool
        /// Every column read, once each at its first mention, after aliases and positions
        /// are resolved.
        var readColumns: [Identifier] = []
        /// GROUP BY names that were taken as aliases.
        var groupAliases: [Identifier] = []
        /// The select list, WHERE, GROUP BY, HAVING and ORDER BY as they will be evaluated.
        var readExpressions: [Expression] = []

        init(projection: RequestPlan.Projection, pushedSort: [RequestPlan.SortKey], limitIsLocal: Bool, readExpressions: [Expression]) {
            self.projection = projection
            self.pushedSort = pushedSort
            self.limitIsLocal = limitIsLocal
            self.readExpressions = readExpressions
        }
    }

    /// - Parameter byID: the rows are fetched by id (`WHERE id IN (…)`): such requests take no
    ///   `sort=`, so any ORDER BY is local.
    /// - Parameter local: every operator runs here (the rows of a join): nothing is pushed.
    func shape(_ select: SelectStatement, source: SourceText, limit: Int?, offset: Int, byID: Bool,
               local: Bool = false) throws(Diagnostic) -> Shape {
        var shape = try shapeProjection(select, source: source, limit: limit, offset: offset, byID: byID, local: local)
        shape.readColumns = Self.readColumns(of: shape.readExpressions)
        return shape
    }

    private func shapeProjection(_ select: SelectStatement, source: SourceText, limit: Int?, offset: Int,
                                 byID: Bool, local: Bool) throws(Diagnostic) -> Shape {
        let items: [SelectItem]
        switch select.items {
        case .all(let range):
            if !select.grouping.isEmpty || select.having != nil { throw Diagnostic.groupByStar(at: range) }
            items = []
        case .items(let list): items = list
        }
        let isStar = items.isEmpty
        var outputs = items.map { LocalQuery.Output(name: Self.outputName(of: $0, source: source), expression: $0.expression) }

        // ORDER BY and GROUP BY may name an output by alias or by position.
        let ordering = try select.ordering.map { (key) throws(Diagnostic) -> OrderKey in
            var key = key
            key.expression = try resolveOutputReference(key.expression, outputs: outputs, items: items, clause: "ORDER BY")
            return key
        }
        var grouping: [Expression] = []
        var groupAliases: [Identifier] = []
        for key in select.grouping {
            let resolved = try resolveOutputReference(key, outputs: outputs, items: items, clause: "GROUP BY")
            if let aggregate = resolved.firstAggregate { throw Diagnostic.aggregateIn("GROUP BY", at: aggregate.range) }
            if case .column(let name) = key, name.table == nil, resolved != key, resolved.ungrouped != key { groupAliases.append(name) }
            grouping.append(resolved)
        }
        // HAVING may name an aggregate by its alias (`HAVING n > 5`), as SQLite and MySQL allow.
        let having = try select.having.map { (condition) throws(Diagnostic) in
            try condition.rewritten { (node) throws(Diagnostic) -> Expression? in
                guard case .column(let name) = node, name.table == nil,
                      let item = items.first(where: { $0.alias?.name == name.name && $0.expression.containsAggregate }) else { return nil }
                return item.expression
            }
        }
        let readExpressions = outputs.map(\.expression) + [select.filter].compactMap { $0 } + grouping + [having].compactMap { $0 }
            + ordering.map(\.expression)

        let aggregated = !grouping.isEmpty || having != nil
            || items.contains { $0.expression.containsAggregate } || ordering.contains { $0.expression.containsAggregate }

        // The paths that need no local operator: COUNT(*) (from meta.total when it can), and
        // plain columns with a plain sort.
        if !local, aggregated, grouping.isEmpty, having == nil, items.count == 1, ordering.isEmpty,
           case .function(let call) = items[0].expression.ungrouped, call.key == "count", call.star {
            if let clause = select.limit ?? select.offset { throw Diagnostic.countWithLimitOrOffset(at: clause.range) }
            return Shape(projection: .count(name: outputs[0].name), pushedSort: [], limitIsLocal: false, readExpressions: readExpressions)
        }
        let pushableSort = !local && options.dialect.sort != .off && !aggregated && !select.distinct && !(byID && !ordering.isEmpty) && ordering.allSatisfy { key in
            if case .column = key.expression.ungrouped, key.nullsFirst == nil { return true }
            return false
        }
        let pushedSort: [RequestPlan.SortKey] = pushableSort ? ordering.map { key in
            guard case .column(let column) = key.expression.ungrouped else { fatalError("checked above") }
            return RequestPlan.SortKey(field: column.name, descending: key.descending)
        } : []
        let plainColumns = items.allSatisfy { if case .column = $0.expression.ungrouped { true } else { false } }
        if !local, !aggregated, !select.distinct, pushableSort {
            if isStar { return Shape(projection: .all, pushedSort: pushedSort, limitIsLocal: false, readExpressions: readExpressions) }
            if plainColumns {
                let columns = zip(items, outputs).map { item, output -> RequestPlan.OutputColumn in
                    guard case .column(let column) = item.expression.ungrouped else { fatalError("checked above") }
                    return RequestPlan.OutputColumn(field: column.name, name: output.name)
                }
                return Shape(projection: .columns(columns), pushedSort: pushedSort, limitIsLocal: false, readExpressions: readExpressions)
            }
        }

        // Everything else runs locally.
        var query = LocalQuery(inputColumns: [], grouping: nil, aggregates: [], having: nil, outputs: isStar ? nil : outputs,
                               distinct: select.distinct, sort: [], offset: 0, limit: nil)
        if !pushableSort {
            // Each key as written (`n`, `2`), though it sorts by what it names.
            query.sort = zip(ordering, select.ordering).map { key, written in
                LocalQuery.SortKey(expression: key.expression, descending: key.descending, nullsFirst: key.nullsComeFirst,
                                   text: Self.collapse(source.slice(written.expression.range)))
            }
        }
        var inputs: [Expression] = outputs.map(\.expression) + query.sort.map(\.expression)
        if aggregated {
            query.grouping = grouping
            query.having = having
            var aggregates: [LocalQuery.Aggregate] = []
            for expression in outputs.map(\.expression) + [having].compactMap({ $0 }) + query.sort.map(\.expression) {
                try collectAggregates(expression, into: &aggregates)
            }
            query.aggregates = aggregates
            inputs = grouping + aggregates.compactMap(\.argument)
            try checkGrouped(query)
        }
        if select.distinct, !query.sort.isEmpty {
            let selected = Set(outputs.map { $0.expression.ungrouped.description })
            if let stray = query.sort.first(where: { !selected.contains($0.expression.ungrouped.description) }) {
                throw Diagnostic.distinctOrderNotSelected(at: stray.expression.range)
            }
        }
        var columns: [String] = []
        var seenColumns: Set<String> = []
        for expression in inputs {
            for name in expression.columnNames where seenColumns.insert(name).inserted { columns.append(name) }
        }
        query.inputColumns = columns
        let limitIsLocal = local || aggregated || select.distinct || !query.sort.isEmpty
        if limitIsLocal {
            query.limit = limit
            query.offset = offset
        }
        // Compile once here, so every error a statement can have is found before a request.
        if !aggregated {
            let compiler = ExpressionCompiler(slots: Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) }), now: options.now)
            for expression in inputs { _ = try compiler.compile(expression) }
        }
        var shape = Shape(projection: .computed(query), pushedSort: pushedSort, limitIsLocal: limitIsLocal, readExpressions: readExpressions)
        shape.groupAliases = groupAliases
        return shape
    }

    /// psql's names where it has one (`count`, `sum` for a bare aggregate), else the column's
    /// name, else the expression as written.
    static func outputName(of item: SelectItem, source: SourceText) -> String {
        if item.alias == nil, let call = item.expression.ungrouped.aggregateCall { return call.key }
        return item.outputName(in: source)
    }

    static func collapse(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }

    /// `ORDER BY 2`, `ORDER BY total` (an alias): the select list's expression. A name that is
    /// both an alias and a column means the alias, as in PostgreSQL's ORDER BY.
    private func resolveOutputReference(_ expression: Expression, outputs: [LocalQuery.Output], items: [SelectItem],
                                        clause: String) throws(Diagnostic) -> Expression {
        // Not ungrouped: `(2)` and a folded `1 + 1` are constants, not positions.
        switch expression {
        case .literal(.number(let spelling), let range):
            guard let ordinal = Int(spelling), ordinal >= 1, ordinal <= outputs.count else {
                throw Diagnostic.ordinalOutOfRange(clause, spelling, count: outputs.count, at: range)
            }
            return outputs[ordinal - 1].expression
        case .column(let column) where column.table == nil:
            if let item = items.first(where: { $0.alias?.name == column.name }) { return item.expression }
            return expression
        default:
            return expression
        }
    }

    private func collectAggregates(_ expression: Expression, into aggregates: inout [LocalQuery.Aggregate]) throws(Diagnostic) {
        if let call = expression.aggregateCall {
            let kind = AggregateKind(call.key)!
            if call.star && kind != .count { throw Diagnostic.starArgument(call.name.name.uppercased(), at: call.range) }
            if !call.star && call.arguments.count != 1 {
                throw Diagnostic.wrongArgumentCount(call.name.name, expected: 1...1, found: call.arguments.count, at: call.range)
            }
            if let inner = call.arguments.first?.firstAggregate { throw Diagnostic.nestedAggregate(at: inner.range) }
            let text = expression.description
            if !aggregates.contains(where: { $0.text == text }) {  // few aggregates: a scan is fine
                aggregates.append(.init(kind: kind, argument: call.star ? nil : call.arguments[0], distinct: call.distinct,
                                        range: call.range, text: text))
            }
            return
        }
        for child in expression.children { try collectAggregates(child, into: &aggregates) }
    }

    /// Every output, HAVING and sort key must read only group keys and aggregates.
    private func checkGrouped(_ query: LocalQuery) throws(Diagnostic) {
        let grouped = ExpressionCompiler(slots: [:], computed: query.groupSlots, now: options.now,
                                         unresolved: Diagnostic.notGrouped)
        for expression in (query.outputs ?? []).map(\.expression) + [query.having].compactMap({ $0 }) + query.sort.map(\.expression) {
            _ = try grouped.compile(expression)
        }
        var slots: [String: Int] = [:]
        for name in (query.grouping ?? []).flatMap(\.columnNames) + query.aggregates.compactMap(\.argument).flatMap(\.columnNames)
        where slots[name] == nil {
            slots[name] = slots.count
        }
        let input = ExpressionCompiler(slots: slots, now: options.now)
        for expression in (query.grouping ?? []) + query.aggregates.compactMap(\.argument) { _ = try input.compile(expression) }
    }

    /// Every column `expressions` read, each at its first mention, for the check after the
    /// first page that each exists.
    static func readColumns(of expressions: [Expression]) -> [Identifier] {
        var seen: Set<String> = []
        var columns: [Identifier] = []
        func visit(_ expression: Expression) {
            if case .column(let column) = expression, seen.insert(column.key).inserted { columns.append(column) }
            expression.children.forEach(visit)
        }
        expressions.forEach(visit)
        return columns
    }
}

extension Expression {
    /// The first aggregate call inside (this node included), for errors.
    var firstAggregate: FunctionCall? {
        if let call = aggregateCall { return call }
        for child in children { if let found = child.firstAggregate { return found } }
        return nil
    }
}
