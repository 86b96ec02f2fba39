/// Subqueries in WHERE: `x [NOT] IN (SELECT col …)` and `[NOT] EXISTS (SELECT …)`. Each runs
/// first, on its own requests; its values then stand in its place, so the statement around it
/// is planned as if they had been written there (`id IN ('PER-1', …)` is a fetch by id).
extension Planner {
    func planSemiJoin(_ select: SelectStatement, source: SourceText) throws(Diagnostic) -> SemiJoinPlan {
        for expression in Self.expressions(of: select) where expression != select.filter && expression.containsSubquery {
            let inner = Self.firstSubquery(in: expression)!
            throw Diagnostic.misplacedSubquery(at: inner.range)
        }
        let outerNames = ([select.source] + select.joins.map(\.table)).map(\.correlationName)
        // The outer statement's own names are checked now, before any subquery runs.
        try Self.checkQualifiers(select, names: outerNames)
        var subqueries: [Subquery] = []
        var failure: Diagnostic?
        func collect(_ expression: Expression) {
            guard failure == nil else { return }
            do throws(Diagnostic) {
                switch expression {
                case .inSubquery(let value, let query, _, let range):
                    if let nested = Self.firstSubquery(in: value) { throw Diagnostic.misplacedSubquery(at: nested.range) }
                    try Self.requireUncorrelated(query, outer: outerNames)
                    guard case .items(let items) = query.items, items.count == 1,
                          !(items[0].expression.isStar) else {
                        throw Diagnostic.subqueryColumns(at: query.range)
                    }
                    subqueries.append(Subquery(kind: .values, range: range, plan: try planQuery(query, source: source)))
                case .exists(let query, _, let range):
                    subqueries.append(try planExists(query, range: range, outer: outerNames, source: source))
                default:
                    expression.children.forEach(collect)
                }
            } catch {
                failure = error
            }
        }
        if let filter = select.filter { collect(filter) }
        if let failure { throw failure }
        let preview: StatementPlan? = select.joins.isEmpty ? (try? planSingle(select, source: source)).map { .select($0) }
            : (try? planJoin(select, source: source)).map { .join($0) }
        return SemiJoinPlan(subqueries: subqueries, statement: select, source: source, preview: preview)
    }

    /// `EXISTS (SELECT … FROM r WHERE r.person_id = p.id AND …)`: the one conjunct that reads
    /// the outer query must be such an equality; it becomes `p.id IN (SELECT r.person_id …)`.
    private func planExists(_ query: SelectStatement, range: SourceRange, outer: [String], source: SourceText) throws(Diagnostic) -> Subquery {
        let inner = ([query.source] + query.joins.map(\.table)).map(\.correlationName)
        func readsOuter(_ expression: Expression) -> Bool {
            var found = false
            Self.visitColumns(expression) { column in
                if let table = column.table, !inner.contains(table), outer.contains(table) { found = true }
            }
            return found
        }
        var kept: [Expression] = []
        var correlation: (inner: Expression, outer: Expression)?
        for conjunct in query.filter?.conjuncts ?? [] {
            guard readsOuter(conjunct) else { kept.append(conjunct); continue }
            guard correlation == nil, case .comparison(let left, .equal, let right, _) = conjunct.ungrouped else {
                throw Diagnostic.unsupportedCorrelation(at: conjunct.range)
            }
            if readsOuter(left) && !readsOuter(right) && Self.readsOnlyOuter(left, outer: outer, inner: inner) {
                correlation = (right, left)
            } else if readsOuter(right) && !readsOuter(left) && Self.readsOnlyOuter(right, outer: outer, inner: inner) {
                correlation = (left, right)
            } else {
                throw Diagnostic.unsupportedCorrelation(at: conjunct.range)
            }
        }
        for expression in Self.expressions(of: query) where expression != query.filter && readsOuter(expression) {
            throw Diagnostic.unsupportedCorrelation(at: expression.range)
        }
        var rewritten = query
        rewritten.filter = Expression.conjunction(kept)
        if let correlation {
            let grouped = !query.grouping.isEmpty || query.having != nil
                || Self.items(of: query).contains { $0.expression.containsAggregate }
            if grouped || query.limit != nil || query.offset != nil {
                throw Diagnostic.correlatedExistsShape(at: query.range)
            }
            rewritten.items = .items([SelectItem(expression: correlation.inner)])
            rewritten.distinct = false
            rewritten.ordering = []
            return Subquery(kind: .exists(outer: correlation.outer), range: range, plan: try planQuery(rewritten, source: source))
        }
        // Uncorrelated: one row answers it. An aggregate without GROUP BY or HAVING is one row
        // always (and COUNT(*)'s path takes no LIMIT), so it runs as it is.
        let oneGroup = query.grouping.isEmpty && query.having == nil && Self.items(of: query).contains { $0.expression.containsAggregate }
        if !oneGroup, rewritten.limit == nil, rewritten.offset == nil { rewritten.limit = .literal(1, range: query.range) }
        return Subquery(kind: .exists(outer: nil), range: range, plan: try planQuery(rewritten, source: source))
    }

    private static func readsOnlyOuter(_ expression: Expression, outer: [String], inner: [String]) -> Bool {
        var only = true
        visitColumns(expression) { column in
            if column.table == nil || inner.contains(column.table!) { only = false }
        }
        return only
    }

    /// An IN subquery must not read the outer query's columns (EXISTS may, by one equality).
    private static func requireUncorrelated(_ query: SelectStatement, outer: [String]) throws(Diagnostic) {
        let inner = ([query.source] + query.joins.map(\.table)).map(\.correlationName)
        for expression in expressions(of: query) {
            var found: Identifier?
            visitColumns(expression) { column in
                if found == nil, let table = column.table, !inner.contains(table), outer.contains(table) { found = column }
            }
            if let found { throw Diagnostic.correlatedIn(at: found.range) }
        }
    }

    static func firstSubquery(in expression: Expression) -> Expression? {
        switch expression {
        case .inSubquery, .exists: return expression
        default:
            for child in expression.children { if let found = firstSubquery(in: child) { return found } }
            return nil
        }
    }
}

extension SemiJoinPlan {
    /// The statement with each subquery's values in its place, in ``subqueries`` order:
    ///
    /// - `x IN (SELECT …)`: `x IN (v1, v2, …)`; no values: FALSE (`NOT IN`: TRUE), as SQL has
    ///   it even for a NULL `x`. A NULL among the values stays, so `NOT IN` is never TRUE then.
    /// - `EXISTS`: correlated, `CASE WHEN outer IN (non-null values) THEN TRUE ELSE FALSE END`
    ///   (never NULL, so `NOT EXISTS` is its plain negation); uncorrelated, TRUE or FALSE.
    public func substituting(_ values: [[SQLValue]]) -> SelectStatement {
        var select = statement
        // By where each stands, not by a count: a rewrite may visit them in another order.
        let position = Dictionary(subqueries.enumerated().map { ($1.range, $0) }, uniquingKeysWith: { first, _ in first })
        func literalList(_ list: [SQLValue], range: SourceRange) -> [Expression] {
            list.map { .literal($0.literal ?? .string($0.description), range: range) }
        }
        func replace(_ expression: Expression) -> Expression {
            switch expression {
            case .inSubquery(let value, _, let negated, let range):
                let outer = replace(value)
                guard let index = position[range] else { return expression }
                let list = values[index]
                if list.isEmpty { return .literal(.boolean(negated), range: range) }
                return .grouped(.inList(outer, literalList(list, range: range), negated: negated, range: range), range: range)
            case .exists(_, _, let range):
                guard let index = position[range] else { return expression }
                let subquery = subqueries[index]
                let list = values[index].filter { !$0.isNull }
                guard case .exists(let outer) = subquery.kind, let outer else {
                    return .literal(.boolean(!values[index].isEmpty), range: range)
                }
                if list.isEmpty { return .literal(.boolean(false), range: range) }
                let test = Expression.inList(outer, literalList(list, range: range), negated: false, range: range)
                return .caseWhen(CaseExpression(subject: nil, branches: [.init(when: test, then: .literal(.boolean(true), range: range))],
                                                otherwise: .literal(.boolean(false), range: range), range: range))
            default:
                return (try? expression.replacingChildren { (child) throws(Diagnostic) in replace(child) }) ?? expression
            }
        }
        select.filter = select.filter.map(replace)
        return select
    }
}

extension Expression {
    /// `*` or `x.*` as a select item.
    var isStar: Bool {
        if case .column(let column) = self, column.name == "*" { return true }
        return false
    }
}
