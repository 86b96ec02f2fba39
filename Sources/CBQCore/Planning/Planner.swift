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
                throw Diagnostic.countWithLimitOrOffset(at: clause.range)
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
                throw Diagnostic.invalidCountParameter(name, parameter: parameter, value: value, at: range)
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
                throw Diagnostic.nullComparison(source.slice(other.range), op, at: range)
            }
        case .like(let value, let pattern, _, let range):
            if case .literal(.null, _) = pattern.ungrouped {
                throw Diagnostic.likeNull(source.slice(value.range), at: range)
            }
        case .between(_, let low, let high, _, let range):
            for bound in [low, high] {
                if case .literal(.null, _) = bound.ungrouped {
                    throw Diagnostic.betweenNullBound(at: range)
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
