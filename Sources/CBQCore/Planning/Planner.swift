/// Settings that shape every plan: where the API is, how it spells things, how it pages.
public struct PlannerOptions: Hashable, Sendable {
    /// Without a trailing slash; `--region` or `--base-url`.
    public var baseURL: String = Region.us.baseURL
    public var dialect: Dialect = .guide
    /// `page[size]` when no LIMIT makes it smaller.
    public var defaultPageSize: Int = 100
    /// The largest `page[size]` the API accepts.
    public var maxPageSize: Int = 100
    /// Send `fields[type]=a,b` for the columns a query reads.
    public var sparseFieldsets: Bool = false
    /// Where a collection response keeps its total, for COUNT(*) and paging: a member of
    /// `meta`, which is what a JSON:API server may put there.
    public var totalPath: [String] = ["meta", "total"]
    /// Values for `:name` parameters (`--var name=value`, `\set name value`).
    public var parameters: [String: Literal] = [:]

    public init() {}
}

/// Compiles a statement into a ``RequestPlan``.
///
///     let plan = try Planner().plan("SELECT * FROM services.service_offerings WHERE provider_id = 'P-1' AND archived = false")
///     plan.url(page: 1)
///     // https://api.casebook.net/services/service_offerings?filter[provider_id]=P-1&filter[archived]=false&page[size]=100
///
/// Each top-level AND conjunct that the API's filters can express is sent as query parameters,
/// in WHERE order; the rest is evaluated locally on fetched rows, and the plan says why.
public struct Planner: Sendable {
    public var options: PlannerOptions

    public init(_ options: PlannerOptions = PlannerOptions()) {
        self.options = options
    }

    /// Parses one statement and plans it.
    public func plan(_ text: String) throws(Diagnostic) -> StatementPlan {
        let source = SourceText(text)
        return try plan(try Parser.parseStatement(source), source: source)
    }

    /// Parses one SELECT and plans its requests; any other statement is an error.
    public func planSelect(_ text: String) throws(Diagnostic) -> RequestPlan {
        let source = SourceText(text)
        let statement = try Parser.parseStatement(source)
        guard case .select(let select) = statement else { throw Diagnostic.expectedSelect(at: statement.range) }
        return try plan(select, source: source)
    }

    /// Plans a statement of any kind.
    public func plan(_ statement: Statement, source: SourceText) throws(Diagnostic) -> StatementPlan {
        switch statement {
        case .select(let select): return .select(try plan(select, source: source))
        case .explain(let inner, _): return .explain(try plan(inner, source: source))
        }
    }

    /// The requests of a SELECT.
    public func plan(_ select: SelectStatement, source: SourceText) throws(Diagnostic) -> RequestPlan {
        let filter = try select.filter.map { (expression) throws(Diagnostic) in try bind(expression) }
        if let filter { try rejectNullComparisons(filter, source: source) }
        let limit = try resolve(select.limit, clause: "LIMIT")
        let offset = try resolve(select.offset, clause: "OFFSET") ?? 0

        var plan = RequestPlan(
            service: select.source.service.name, endpoint: select.source.endpoint.name,
            baseURL: options.baseURL, dialect: options.dialect, target: .collection,
            pushed: [], local: [], sort: select.ordering.map { .init(field: $0.column.name, descending: $0.descending) },
            fields: nil, pageSize: nil, offset: offset, rowCap: limit, projection: .all,
            totalPath: options.totalPath)

        switch select.items {
        case .all: plan.projection = .all
        case .columns(let items): plan.projection = .columns(items.map { .init(field: $0.column.name, name: $0.outputName) })
        case .countAll(let alias, _):
            plan.projection = .count(name: alias ?? "count")
            if let clause = select.limit ?? select.offset {
                throw Diagnostic(.semantic, "LIMIT and OFFSET limit rows, and COUNT(*) returns one row", at: clause.range,
                                 hint: "remove them to count every matching row")
            }
        }

        if let filter, let ids = resourceIDs(filter) {
            plan.target = .resources(ids)
        } else {
            if let filter { distribute(filter.conjuncts, source: source, into: &plan) }
            let maxPageSize = max(1, options.maxPageSize)
            let defaultPageSize = min(max(1, options.defaultPageSize), maxPageSize)
            let pageSize: Int
            if let limit, plan.local.isEmpty {
                // COUNT(*) never gets here with a LIMIT: it was rejected above.
                pageSize = min(max(1, limit), maxPageSize)
            } else {
                pageSize = defaultPageSize
            }
            plan.pageSize = pageSize  // the start page and the rows to skip follow from it
        }
        if options.sparseFieldsets { plan.fields = sparseFields(for: plan) }
        return plan
    }

    // MARK: - Pushing predicates down

    /// Sends each conjunct the API can express, in order; keeps the rest as local predicates.
    private func distribute(_ conjuncts: [Expression], source: SourceText, into plan: inout RequestPlan) {
        var used: [String: String] = [:]  // parameter name → the predicate that took it
        for conjunct in conjuncts {
            let text = source.slice(conjunct.range)
            switch pushdown(conjunct) {
            case .success(let parameters):
                if let clash = parameters.first(where: { used[$0.formattedName()] != nil }) {
                    let name = clash.formattedName()
                    plan.local.append(.init(expression: conjunct, text: text,
                                            reason: "\(name) is already used by \(used[name] ?? "")"))
                    continue
                }
                for parameter in parameters { used[parameter.formattedName()] = text }
                plan.pushed.append(.init(text: text, range: conjunct.range, parameters: parameters))
            case .failure(let reason):
                plan.local.append(.init(expression: conjunct, text: text, reason: reason.text))
            }
        }
    }

    private struct Unpushable: Error { var text: String }

    /// The query parameters expressing one conjunct, or why there are none.
    private func pushdown(_ expression: Expression) -> Result<[QueryParameter], Unpushable> {
        let dialect = options.dialect
        switch expression {
        case .grouped(let inner, _):
            return pushdown(inner)
        case .comparison(let left, let op, let right, _):
            guard let (field, op, value) = fieldComparison(left, op, right) else {
                return .failure(Unpushable(text: twoColumnsOrValues(left, right)))
            }
            if let reason = unsendable(value) { return .failure(reason) }
            return .success([dialect.filterParameter(field, FilterOperator(op), value.parameterText)])
        case .like(.column(let column), .literal(let pattern, _), false, _):
            if let reason = unsendable(pattern) { return .failure(reason) }
            return .success([dialect.filterParameter(column.name, .like, pattern.parameterText)])
        case .like(let value, let pattern, let negated, _):
            if negated { return .failure(Unpushable(text: "the API has no 'not like' filter")) }
            return .failure(Unpushable(text: twoColumnsOrValues(value, pattern)))
        case .isNull(.column(let column), let negated, _):
            return .success([dialect.filterParameter(column.name, negated ? .notEqual : .equal, "null")])
        case .isNull:
            return .failure(Unpushable(text: "tests a value, not a column"))
        case .between(.column(let column), .literal(let low, _), .literal(let high, _), false, _):
            if let reason = unsendable(low) ?? unsendable(high) { return .failure(reason) }
            return .success([dialect.filterParameter(column.name, .greaterOrEqual, low.parameterText),
                             dialect.filterParameter(column.name, .lessOrEqual, high.parameterText)])
        case .between(_, _, _, let negated, _):
            return .failure(Unpushable(text: negated ? "the API cannot express NOT BETWEEN (it is an OR)"
                                                     : "BETWEEN bounds must be values for the API"))
        case .inList(_, _, let negated, _):
            return .failure(Unpushable(text: negated ? "the API has no NOT IN filter" : "the API has no IN filter"))
        case .or:
            return .failure(Unpushable(text: "the API's filters are all ANDed; OR is evaluated here"))
        case .not:
            return .failure(Unpushable(text: "the API's filters cannot negate a condition"))
        case .literal, .column, .parameter, .and:
            return .failure(Unpushable(text: "a constant condition"))
        }
    }

    /// `field op literal`, with a literal on the left mirrored: `18 <= age` is `age >= 18`.
    private func fieldComparison(_ left: Expression, _ op: ComparisonOperator, _ right: Expression)
        -> (String, ComparisonOperator, Literal)?
    {
        switch (left.ungrouped, right.ungrouped) {
        case (.column(let column), .literal(let value, _)): return (column.name, op, value)
        case (.literal(let value, _), .column(let column)): return (column.name, op.mirrored, value)
        default: return nil
        }
    }

    /// A value the API would misread: it reads the text `null` as NULL.
    private func unsendable(_ literal: Literal) -> Unpushable? {
        if case .string(let text) = literal, text.lowercased() == "null" {
            return Unpushable(text: "the API would read the string '\(text)' as NULL")
        }
        return nil
    }

    private func twoColumnsOrValues(_ left: Expression, _ right: Expression) -> String {
        switch (left.ungrouped, right.ungrouped) {
        case (.column, .column): return "compares two columns"
        case (.literal, .literal): return "compares two values"
        default: return "the API's filters compare a column with a value"
        }
    }

    /// `WHERE id = 'x'` or `WHERE id IN ('x', 'y')`, alone: fetch those resources by URL.
    private func resourceIDs(_ filter: Expression) -> [String]? {
        func idText(_ expression: Expression) -> String? {
            guard case .literal(let literal, _) = expression.ungrouped else { return nil }
            switch literal {
            case .string(let text) where !text.isEmpty: return text
            case .number(let spelling): return spelling
            default: return nil
            }
        }
        switch filter.ungrouped {
        case .comparison(let left, .equal, let right, _):
            if case .column(let column) = left.ungrouped, column.name == "id", let id = idText(right) { return [id] }
            if case .column(let column) = right.ungrouped, column.name == "id", let id = idText(left) { return [id] }
            return nil
        case .inList(let value, let items, false, _):
            guard case .column(let column) = value.ungrouped, column.name == "id" else { return nil }
            var ids: [String] = []
            for item in items {
                guard let id = idText(item) else { return nil }
                if !ids.contains(id) { ids.append(id) }
            }
            return ids
        default:
            return nil
        }
    }

    private func sparseFields(for plan: RequestPlan) -> QueryParameter? {
        guard case .columns(let columns) = plan.projection else { return nil }
        var names: [String] = []
        for name in columns.map(\.field) + plan.local.flatMap(\.expression.columnNames)
        where name != "id" && !names.contains(name) {
            names.append(name)
        }
        return names.isEmpty ? nil : QueryParameter("fields", [plan.endpoint], values: names)
    }

    // MARK: - Parameters

    /// Replaces each `:name` with its bound value.
    private func bind(_ expression: Expression) throws(Diagnostic) -> Expression {
        switch expression {
        case .parameter(let name, let range):
            guard let value = options.parameters[name] else { throw Diagnostic.unboundParameter(name, at: range) }
            return .literal(value, range: range)
        case .column, .literal:
            return expression
        case .comparison(let left, let op, let right, let range):
            return .comparison(try bind(left), op, try bind(right), range: range)
        case .like(let value, let pattern, let negated, let range):
            return .like(try bind(value), pattern: try bind(pattern), negated: negated, range: range)
        case .isNull(let value, let negated, let range):
            return .isNull(try bind(value), negated: negated, range: range)
        case .inList(let value, let items, let negated, let range):
            var bound: [Expression] = []
            for item in items { bound.append(try bind(item)) }
            return .inList(try bind(value), bound, negated: negated, range: range)
        case .between(let value, let low, let high, let negated, let range):
            return .between(try bind(value), low: try bind(low), high: try bind(high), negated: negated, range: range)
        case .not(let inner, let range):
            return .not(try bind(inner), range: range)
        case .and(let left, let right):
            return .and(try bind(left), try bind(right))
        case .or(let left, let right):
            return .or(try bind(left), try bind(right))
        case .grouped(let inner, let range):
            return .grouped(try bind(inner), range: range)
        }
    }

    private func resolve(_ clause: CountClause?, clause name: String) throws(Diagnostic) -> Int? {
        switch clause {
        case nil: return nil
        case .literal(let value, _): return value
        case .parameter(let parameter, let range):
            guard let value = options.parameters[parameter] else { throw Diagnostic.unboundParameter(parameter, at: range) }
            guard case .number(let spelling) = value, let count = Int(spelling), count >= 0 else {
                throw Diagnostic(.semantic, "\(name) needs a whole number of 0 or more, and :\(parameter) is \(value)",
                                 at: range)
            }
            return count
        }
    }

    /// `x = NULL` is never true in SQL; a user who writes it means `IS NULL`.
    private func rejectNullComparisons(_ expression: Expression, source: SourceText) throws(Diagnostic) {
        switch expression {
        case .comparison(let left, let op, let right, let range):
            let isNull: (Expression) -> Bool = { if case .literal(.null, _) = $0.ungrouped { true } else { false } }
            if isNull(left) || isNull(right) {
                let other = isNull(left) ? right : left
                let fix = op == .equal ? "IS NULL" : op == .notEqual ? "IS NOT NULL" : nil
                throw Diagnostic(.semantic, "comparing with NULL is never true", at: range,
                                 hint: fix.map { "write \(source.slice(other.range)) \($0)" } ?? "test for NULL with IS NULL")
            }
        case .like(let value, let pattern, _, let range):
            if case .literal(.null, _) = pattern.ungrouped {
                throw Diagnostic(.semantic, "LIKE NULL is never true", at: range,
                                 hint: "write \(source.slice(value.range)) IS NULL")
            }
        case .between(_, let low, let high, _, let range):
            for bound in [low, high] {
                if case .literal(.null, _) = bound.ungrouped {
                    throw Diagnostic(.semantic, "a BETWEEN with a NULL bound is never true", at: range)
                }
            }
        case .not(let inner, _), .grouped(let inner, _):
            try rejectNullComparisons(inner, source: source)
        case .and(let left, let right), .or(let left, let right):
            try rejectNullComparisons(left, source: source)
            try rejectNullComparisons(right, source: source)
        default:
            break
        }
    }
}

extension Literal {
    /// Reads a `--var` value: a number stays a number, `true`/`false` a boolean, `null` NULL,
    /// `'…'` a string even when it looks like a number; anything else is a string.
    public init(parameterValue text: String) {
        let lowered = text.lowercased()
        if lowered == "true" { self = .boolean(true); return }
        if lowered == "false" { self = .boolean(false); return }
        if lowered == "null" { self = .null; return }
        if text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") {
            self = .string(String(text.dropFirst().dropLast()).replacing("''", with: "'"))
            return
        }
        var lexer = Lexer(SourceText(text))
        if let token = try? lexer.next(), token.kind == .number, token.range == SourceRange(0, text.utf8.count) {
            self = .number(text)
            return
        }
        self = .string(text)
    }
}
