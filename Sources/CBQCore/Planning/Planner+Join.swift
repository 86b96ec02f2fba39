/// Joins: which side each conjunct belongs to, what each later side is matched on, and the
/// local query over the joined rows once their columns are known.
extension Planner {
    /// Plans `FROM a … JOIN b …` (or `FROM a, b`), the statement already prepared.
    func planJoin(_ select: SelectStatement, source: SourceText) throws(Diagnostic) -> JoinPlan {
        let tables = [select.source] + select.joins.map(\.table)
        var names: [String] = []
        for table in tables {
            if names.contains(table.correlationName) {
                throw Diagnostic.duplicateTableName(table.correlationName, at: table.alias?.range ?? table.range)
            }
            names.append(table.correlationName)
        }
        try Self.checkQualifiers(select, names: names)
        if let having = select.having, having.containsSubquery { throw Diagnostic.misplacedSubquery(at: having.range) }

        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        // A LEFT JOIN's right side is nullable: a WHERE conjunct on it must see the NULLs.
        let nullable = [false] + select.joins.map { $0.kind == .left }
        var own: [[Expression]] = Array(repeating: [], count: tables.count)
        var conditions: [[Expression]] = Array(repeating: [], count: tables.count)
        var residual: [Expression] = []

        for (position, join) in select.joins.enumerated() {
            let side = position + 1
            for conjunct in join.condition?.conjuncts ?? [] {
                if conjunct.containsSubquery { throw Diagnostic.misplacedSubquery(at: conjunct.range) }
                let reads = Self.sidesRead(conjunct, index: index)
                // An ON sees the tables joined so far, as in SQL.
                var later: Identifier?
                Self.visitColumns(conjunct) { column in
                    if later == nil, let table = column.table, let read = index[table], read > side { later = column }
                }
                if let later { throw Diagnostic.laterTableInOn(later.table ?? "", at: later.range) }
                if !reads.unqualified, reads.sides == [side] { own[side].append(conjunct) } else { conditions[side].append(conjunct) }
            }
        }
        for conjunct in select.filter?.conjuncts ?? [] {
            let reads = Self.sidesRead(conjunct, index: index)
            if reads.unqualified || reads.sides.isEmpty || conjunct.containsSubquery {
                residual.append(conjunct)
            } else if reads.sides.count == 1, let side = reads.sides.first, !nullable[side] {
                own[side].append(conjunct)
            } else if let last = reads.sides.max(), last > 0, select.joins[last - 1].kind != .left {
                // An inner join's condition and a WHERE after it filter alike: matching on it
                // lets the join use it (a hash key, a lookup by id).
                conditions[last].append(conjunct)
            } else {
                residual.append(conjunct)
            }
        }

        var sides: [JoinPlan.Side] = []
        let everyExpression = Self.expressions(of: select)
        for (position, table) in tables.enumerated() {
            let name = names[position]
            let stripped = own[position].map { Self.unqualified($0) }
            var single = SelectStatement(items: .all(range: table.range), source: table, range: select.range)
            single.source.alias = nil
            single.filter = Expression.conjunction(stripped)
            var plan = try planSingle(single, source: source)
            plan.endpointRange = table.range
            // The columns the statement reads of this side, for the check its rows have them.
            plan.readColumns = Self.readColumns(of: everyExpression).filter { $0.table == name && $0.name != "*" }
                .map { Identifier(name: $0.name, range: $0.range) }
            try checkKnownColumns(plan)
            var side = JoinPlan.Side(name: name, table: table, kind: position == 0 ? nil : select.joins[position - 1].kind, plan: plan)
            side.ownConditions = stripped
            if position > 0 {
                let condition = conditions[position]
                side.condition = Expression.conjunction(condition)
                for conjunct in condition {
                    guard case .comparison(let left, .equal, let right, _) = conjunct.ungrouped else { continue }
                    for (this, earlier) in [(left, right), (right, left)] {
                        let thisReads = Self.sidesRead(this, index: index), earlierReads = Self.sidesRead(earlier, index: index)
                        guard !thisReads.unqualified, !earlierReads.unqualified, thisReads.sides == [position],
                              !earlierReads.sides.isEmpty, earlierReads.sides.allSatisfy({ $0 < position }) else { continue }
                        side.equalities.append(.init(this: this, earlier: earlier))
                        if side.lookup == nil, case .column(let column) = this.ungrouped, column.name == "id" { side.lookup = earlier }
                        break
                    }
                }
            }
            sides.append(side)
        }
        try pushLimit(select, names: names, residual: residual, into: &sides)
        // Compound documents: the first side looked up by a column of the driving side comes
        // in the driving responses (`include=person`), when the server supports `include`.
        if options.dialect.include, let side = sides.indices.dropFirst().first(where: { index in
            if case .column(let key)? = sides[index].lookup?.ungrouped, key.table == names[0], key.name != "id" { return true }
            return false
        }), case .column(let key)? = sides[side].lookup?.ungrouped {
            sides[side].included = true
            sides[0].plan.include = [key.name]
        }
        var plan = JoinPlan(sides: sides, residual: residual, statement: select, source: source)
        // Built now, so every error the local query has is found before a request.
        plan.localOperators = try joinedQuery(plan, columns: nil).plan.localQuery?.operatorLines() ?? []
        plan.sendsNothing = try resolve(select.limit, clause: "LIMIT") == 0
        return plan
    }

    /// LIMIT (and an ORDER BY of the driving side's plain columns) goes to the driving
    /// requests only when that is provably right: every join is a LEFT JOIN (each driving row
    /// gives at least one row), nothing filters the joined rows, and nothing groups or merges
    /// them. Then the first OFFSET + LIMIT driving rows give every row the result needs; the
    /// local sort and LIMIT still run over what they give.
    private func pushLimit(_ select: SelectStatement, names: [String], residual: [Expression],
                           into sides: inout [JoinPlan.Side]) throws(Diagnostic) {
        guard let limit = try resolve(select.limit, clause: "LIMIT") else { return }
        let offset = try resolve(select.offset, clause: "OFFSET") ?? 0
        guard select.joins.allSatisfy({ $0.kind == .left }), residual.isEmpty, select.grouping.isEmpty, select.having == nil,
              !select.distinct, !Self.items(of: select).contains(where: { $0.expression.containsAggregate }) else { return }
        var sort: [RequestPlan.SortKey] = []
        for key in select.ordering {
            guard key.nullsFirst == nil, case .column(let column) = key.expression.ungrouped, column.table == names[0] else { return }
            sort.append(RequestPlan.SortKey(field: column.name, descending: key.descending))
        }
        let (cap, overflow) = offset.addingReportingOverflow(limit)
        guard !overflow, cap <= CountClause.largest, sides[0].plan.target == .collection else { return }
        sides[0].plan.rowCap = cap
        sides[0].plan.sort = sort
        if sides[0].plan.local.isEmpty { sides[0].plan.pageSize = min(max(1, cap), max(1, options.maxPageSize)) }
    }

    /// The local query over a join's rows, once each side's columns are known (`columns[i]`:
    /// the names side i's rows have; empty when it has no rows). Unqualified names are
    /// resolved here: one that several sides have is an error naming them, and so is one that
    /// none has. `*` and `x.*` become the sides' columns, named `x.col` where a name repeats.
    ///
    /// - Parameter columns: nil for `explain`, before any row: names stay as written.
    public func joinedQuery(_ join: JoinPlan, columns known: [[String]]?) throws(Diagnostic) -> JoinedQuery {
        let columns = known ?? Array(repeating: [], count: join.sides.count)
        var select = join.statement
        let sides = join.sides
        let aliases = Set(Self.items(of: select).compactMap { $0.alias?.name })

        func qualify(_ expression: Expression, upTo last: Int, allowAliases: Bool) throws(Diagnostic) -> Expression {
            guard known != nil else { return expression }
            return try Self.qualify(expression, sides: sides, columns: columns, upTo: last, aliases: allowAliases ? aliases : [])
        }

        // The select list, `*` and `x.*` expanded.
        var items: [SelectItem] = []
        switch select.items {
        case .all(let range):
            if !select.grouping.isEmpty || select.having != nil { throw Diagnostic.groupByStar(at: range) }
            for side in sides.indices { items += Self.starItems(of: sides[side].name, columns: known == nil ? ["*"] : columns[side], range: range) }
        case .items(let list):
            for item in list {
                if case .column(let column) = item.expression, column.name == "*", let table = column.table,
                   let side = sides.firstIndex(where: { $0.name == table }) {
                    items += Self.starItems(of: table, columns: known == nil ? ["*"] : columns[side], range: item.range)
                } else {
                    var item = item
                    item.expression = try qualify(item.expression, upTo: sides.count - 1, allowAliases: false)
                    items.append(item)
                }
            }
        }
        // A repeated output name (two `id`s) is qualified, so JSON keys and CSV headers stay unique.
        let outputNames = items.map { Self.outputName(of: $0, source: join.source) }
        for (position, item) in items.enumerated() where item.alias == nil && outputNames.filter({ $0 == outputNames[position] }).count > 1 {
            if case .column(let column) = item.expression.ungrouped, let table = column.table {
                items[position].alias = Identifier(name: table + "." + column.name, range: item.range)
            }
        }
        select.items = .items(items)
        let last = sides.count - 1
        // A GROUP BY or ORDER BY key that is an output name alone is that output; names inside an
        // expression are the tables' columns, as in PostgreSQL and as for one table. (An alias
        // inside one was left unqualified, and read NULL for every row: a sort by NULL.)
        func qualifyKey(_ key: Expression) throws(Diagnostic) -> Expression {
            if case .column(let column) = key.ungrouped, column.table == nil, aliases.contains(column.name) { return key }
            return try qualify(key, upTo: last, allowAliases: false)
        }
        var grouping: [Expression] = []
        for key in select.grouping { grouping.append(try qualifyKey(key)) }
        select.grouping = grouping
        select.having = try select.having.map { (e) throws(Diagnostic) in try qualify(e, upTo: last, allowAliases: true) }
        var ordering: [OrderKey] = []
        for var key in select.ordering {
            key.expression = try qualifyKey(key.expression)
            ordering.append(key)
        }
        select.ordering = ordering
        select.filter = nil
        select.joins = []

        var conjuncts: [Expression] = []
        for conjunct in join.residual { conjuncts.append(try qualify(conjunct, upTo: last, allowAliases: false)) }
        let residual = Expression.conjunction(conjuncts)

        let limit = try resolve(select.limit, clause: "LIMIT")
        let offset = try resolve(select.offset, clause: "OFFSET") ?? 0
        let shape = try self.shape(select, source: join.source, limit: limit, offset: offset, byID: false, local: true)
        guard case .computed(let query) = shape.projection else { fatalError("a local shape is always computed") }
        let driving = sides[0].plan
        var plan = RequestPlan(service: driving.service, endpoint: driving.endpoint, baseURL: driving.baseURL, dialect: driving.dialect,
                               target: .collection, pushed: [], local: [], sort: [], fields: nil, pageSize: nil, offset: 0,
                               rowCap: nil, projection: .computed(query), totalPath: driving.totalPath)
        plan.statementRange = join.statement.range
        var slots = query.inputColumns
        for name in residual?.columnNames ?? [] where !slots.contains(name) { slots.append(name) }
        // Compile what the joined rows evaluate (the residual, each join's condition), so every
        // error is found before a row is joined.
        func compile(_ expression: Expression, over slots: [String]) throws(Diagnostic) {
            _ = try ExpressionCompiler(slots: Dictionary(slots.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first }),
                                       now: options.now).compile(expression)
        }
        if let residual { try compile(residual, over: slots) }
        for side in sides.indices.dropFirst() {
            if let condition = sides[side].condition {
                let resolved = try qualify(condition, upTo: side, allowAliases: false)
                try compile(resolved, over: resolved.columnNames)
            }
        }
        return JoinedQuery(plan: plan, residual: residual, columns: slots)
    }

    /// Side `side`'s join condition with its unqualified columns resolved against the sides
    /// up to it (an ON sees only the tables before it), for joining as soon as it is fetched.
    public func resolvedCondition(_ join: JoinPlan, side: Int, columns: [[String]]) throws(Diagnostic) -> Expression? {
        guard let condition = join.sides[side].condition else { return nil }
        return try Self.qualify(condition, sides: join.sides, columns: columns, upTo: side, aliases: [])
    }

    /// Gives each unqualified column the one side (of `0...last`) whose rows have it; names in
    /// `aliases` are the select list's and stay as they are.
    static func qualify(_ expression: Expression, sides: [JoinPlan.Side], columns: [[String]], upTo last: Int,
                        aliases: Set<String>) throws(Diagnostic) -> Expression {
        try expression.rewritten { (node) throws(Diagnostic) -> Expression? in
            guard case .column(var column) = node, column.table == nil else { return nil }
            if aliases.contains(column.name) { return nil }
            let having = (0...last).filter { columns[$0].contains(column.name) }
            if having.count > 1 {
                throw Diagnostic.ambiguousColumn(column, tables: having.map { sides[$0].name })
            }
            guard let side = having.first else {
                let empty = (0...last).filter { columns[$0].isEmpty }.map { sides[$0].name }
                throw Diagnostic.unresolvedColumn(column, tables: (0...last).map { sides[$0].name }, emptyTables: empty,
                                                  seen: (0...last).flatMap { columns[$0] })
            }
            column.table = sides[side].name
            return .column(column)
        }
    }

    // MARK: - Helpers

    /// `x.*`: side x's columns, each named by its column (qualified later if it repeats).
    private static func starItems(of table: String, columns: [String], range: SourceRange) -> [SelectItem] {
        columns.map { SelectItem(expression: .column(Identifier(name: $0, range: range, table: table)), range: range) }
    }

    static func items(of select: SelectStatement) -> [SelectItem] {
        if case .items(let items) = select.items { return items }
        return []
    }

    /// Every expression of a statement, its subqueries' insides excepted.
    static func expressions(of select: SelectStatement) -> [Expression] {
        items(of: select).map(\.expression) + select.joins.compactMap(\.condition) + [select.filter].compactMap { $0 } + select.grouping
            + [select.having].compactMap { $0 } + select.ordering.map(\.expression)
    }

    static func visitColumns(_ expression: Expression, _ body: (Identifier) -> Void) {
        if case .column(let column) = expression { body(column) }
        for child in expression.children { visitColumns(child, body) }
    }

    /// Which sides a conjunct reads (by qualified name), and whether it reads any column
    /// without a table name.
    static func sidesRead(_ expression: Expression, index: [String: Int]) -> (sides: Set<Int>, unqualified: Bool) {
        var sides: Set<Int> = []
        var unqualified = false
        visitColumns(expression) { column in
            if let table = column.table, let side = index[table] { sides.insert(side) } else { unqualified = true }
        }
        return (sides, unqualified)
    }

    /// The expression with every column's table name dropped: how one side's requests read it.
    static func unqualified(_ expression: Expression) -> Expression {
        (try? expression.rewritten { (node) throws(Diagnostic) -> Expression? in
            guard case .column(var column) = node, column.table != nil else { return nil }
            column.table = nil
            return .column(column)
        }) ?? expression
    }

    /// A single endpoint's statement read bare: qualifiers dropped, a lone `x.*` is `*`.
    static func unqualifiedStatement(_ select: SelectStatement) throws(Diagnostic) -> SelectStatement {
        var select = select
        if case .items(let items) = select.items {
            let stars = items.filter(\.expression.isStar)
            if let star = stars.first {
                guard items.count == 1 else { throw Diagnostic.starWithOtherColumns(at: (stars.count > 1 ? stars[1] : items[items[0] == star ? 1 : 0]).range) }
                select.items = .all(range: star.range)
            } else {
                select.items = .items(items.map { item in
                    var item = item
                    item.expression = unqualified(item.expression)
                    return item
                })
            }
        }
        select.filter = select.filter.map(unqualified)
        select.grouping = select.grouping.map(unqualified)
        select.having = select.having.map(unqualified)
        select.ordering = select.ordering.map { key in
            var key = key
            key.expression = unqualified(key.expression)
            return key
        }
        return select
    }

    /// Every qualified column names a table of FROM; `x.*` stands only as a select-list item.
    static func checkQualifiers(_ select: SelectStatement, names: [String]) throws(Diagnostic) {
        var failure: Diagnostic?
        func check(_ expression: Expression, starAllowed: Bool) {
            guard failure == nil else { return }
            if case .column(let column) = expression {
                if let table = column.table, !names.contains(table) {
                    failure = Diagnostic.unknownTable(table, among: names, at: column.range)
                } else if column.name == "*", !starAllowed {
                    failure = Diagnostic.misplacedTableStar(column.table ?? "", at: column.range)
                }
                return
            }
            for child in expression.children { check(child, starAllowed: false) }
        }
        for item in items(of: select) { check(item.expression, starAllowed: true) }
        for expression in expressions(of: select).dropFirst(items(of: select).count) { check(expression, starAllowed: false) }
        if let failure { throw failure }
    }
}
