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
    /// nil: the dialect's (``Dialect/totalPath``).
    public var totalPath: [String]?
    /// Values for `:name` parameters (`--var name=value`, `\set name value`).
    public var parameters: [String: Literal] = [:]
    /// What `now()`, `current_timestamp` and `current_date` read. Time is an input: the shell
    /// passes its clock (or `--now`), so planning stays pure and repeatable.
    public var now = Instant(seconds: 0)
    /// `WHERE id IN (…)` alone fetches those resources by URL; false fetches the collection
    /// and filters (cheaper for a long list: the runtime decides from the totals).
    public var fetchesByID = true
    /// The JSON:API resource type of an endpoint's resources, by `service.endpoint`, where it
    /// is not the endpoint's name: learned from a read's `type`, or `--resource-type`.
    public var resourceTypes: [String: String] = [:]
    /// The columns of known type, by `service.endpoint`, as the shell's catalog learned them
    /// from rows: a constant compared with one is read as its type and sent in the API's form
    /// (`'2025-01-29 23:59:59'` as `2025-01-29T23:59:59Z`, `' 20'` as `20`), or is an error when
    /// it is not of that type; never compared as text or answered with no rows.
    public var columnTypes: [String: [String: ColumnType]] = [:]
    /// The columns whose type the catalog knows, by `service.endpoint`: those of
    /// ``columnTypes`` and the text ones.
    public var columnsOfKnownType: [String: Set<String>] = [:]
    /// Every column of an endpoint, by `service.endpoint`, where the catalog learned them from
    /// whole rows: a statement reading another is an error before anything is sent.
    public var knownColumns: [String: [String]] = [:]
    /// Filter parameters (`filter[age][gt]`) an endpoint's server answered 400 for, by
    /// `service.endpoint`: a condition that would send one is evaluated locally instead.
    public var rejectedFilters: [String: Set<String>] = [:]

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
        case .select(let select): return try planQuery(select, source: source)
        case .write(let write): return .write(try planWrite(write, source: source))
        case .explain(let inner, let analyze, let range):
            if analyze, case .write(let write) = inner { throw Diagnostic.analyzeWrite(write.verb, at: range) }
            let plan = try plan(inner, source: source)
            return analyze ? .analyze(plan) : .explain(plan)
        }
    }

    /// A SELECT of any shape: one endpoint, a join, or subqueries to run first.
    public func planQuery(_ statement: SelectStatement, source: SourceText) throws(Diagnostic) -> StatementPlan {
        try Self.rejectInexactNumbers(in: statement)
        let select = try prepare(statement)
        if let filter = select.filter, filter.containsSubquery { return .semiJoin(try planSemiJoin(select, source: source)) }
        if !select.joins.isEmpty { return .join(try planJoin(select, source: source)) }
        return .select(try planSingle(select, source: source))
    }

    /// The requests of a single-endpoint SELECT, and what cbq computes after them.
    public func plan(_ statement: SelectStatement, source: SourceText) throws(Diagnostic) -> RequestPlan {
        guard case .select(let plan) = try planQuery(statement, source: source) else {
            throw Diagnostic.notSingleEndpoint(at: statement.range)
        }
        return plan
    }

    /// One endpoint's requests. Columns may be qualified by its alias or endpoint name
    /// (`p.last_name`); the plan reads them bare.
    func planSingle(_ statement: SelectStatement, source: SourceText) throws(Diagnostic) -> RequestPlan {
        var select = try prepare(statement)
        try Self.checkQualifiers(select, names: [select.source.correlationName])
        select = try Self.unqualifiedStatement(select)
        let endpointName = "\(select.source.service.name).\(select.source.endpoint.name)"
        if let types = options.columnTypes[endpointName], !types.isEmpty {
            select.filter = try select.filter.map { (filter) throws(Diagnostic) in try normalisingConstants(filter, types: types) }
        }
        let filter = select.filter
        if let filter {
            try rejectNullComparisons(filter, source: source)
            if let aggregate = filter.firstAggregate { throw Diagnostic.aggregateIn("WHERE", at: aggregate.range) }
        }
        let limit = try resolve(select.limit, clause: "LIMIT")
        let offset = try resolve(select.offset, clause: "OFFSET") ?? 0

        var plan = RequestPlan(
            service: select.source.service.name, endpoint: select.source.endpoint.name,
            baseURL: options.baseURL, dialect: options.dialect, target: .collection,
            pushed: [], local: [], sort: [], fields: nil, pageSize: nil, offset: offset, rowCap: limit, projection: .all,
            totalPath: options.totalPath ?? options.dialect.totalPath)
        plan.statementRange = statement.range
        plan.endpointRange = statement.source.range
        plan.columnsOfKnownType = options.columnsOfKnownType[endpointName] ?? []
        if let first = statement.ordering.first, let last = statement.ordering.last { plan.orderRange = first.range.union(last.range) }
        // `.` and `..` are path segments, not ids: `…/cases/..` is another resource to a server
        // or proxy that resolves it. Such an id is asked for as a filter instead.
        let ids = options.fetchesByID ? filter.flatMap(resourceIDs).flatMap { $0.allSatisfy(WritePlan.isUsableID) ? $0 : nil } : nil
        let shape = try self.shape(select, source: source, limit: limit, offset: offset, byID: ids != nil)
        plan.projection = shape.projection
        plan.sort = shape.pushedSort
        plan.readColumns = shape.readColumns
        plan.groupAliases = shape.groupAliases
        if shape.limitIsLocal {
            plan.rowCap = nil
            plan.offset = 0
        }
        // LIMIT 0 is no rows in every shape: send nothing.
        if limit == 0 { plan.rowCap = 0 }

        if let ids {
            plan.target = .resources(ids)
        } else {
            if let filter { distribute(filter.conjuncts, source: source, into: &plan) }
            let maxPageSize = max(1, options.maxPageSize)
            let defaultPageSize = min(max(1, options.defaultPageSize), maxPageSize)
            let pageSize: Int
            if let cap = plan.rowCap, plan.local.isEmpty {
                // A sorted page is read whole, however few rows the LIMIT keeps: the pager
                // checks the server's order on every row, and three rows in the wrong order
                // look sorted one time in six; twenty rows never do.
                let checked = plan.sort.isEmpty || plan.dialect.sort != .checked ? 1 : Self.sortedPageMinimum
                pageSize = min(max(1, cap, checked), maxPageSize)
            } else {
                pageSize = defaultPageSize
            }
            plan.pageSize = pageSize  // the start page and the rows to skip follow from it
        }
        if options.sparseFieldsets { plan.fields = sparseFields(for: plan) }
        try checkKnownColumns(plan)
        return plan
    }

    /// The fewest rows a page with a pushed sort asks for (when the API allows), so that a
    /// server that ignored the sort cannot pass the order check by chance.
    public static let sortedPageMinimum = 20

    /// With the endpoint's columns known, a misspelt column (one a known column is near) is an
    /// error now, at the column, rather than after the first page. Any other unknown name goes
    /// to the first page's check: a server may leave null attributes out of every row cbq has
    /// seen, so the catalog cannot say such a column does not exist.
    func checkKnownColumns(_ plan: RequestPlan) throws(Diagnostic) {
        let endpoint = "\(plan.service).\(plan.endpoint)"
        guard let known = options.knownColumns[endpoint], !known.isEmpty else { return }
        let names = Set(known).union(["id"])
        for column in plan.readColumns where !names.contains(column.name) && !plan.mayBeAbsent.contains(column.name) {
            guard let near = Suggestion.closest(to: column.name, among: known) else { continue }
            throw Diagnostic.unknownCatalogColumn(column, endpoint: endpoint, near: near, known: known.count)
        }
    }

    // MARK: - Constants read as their column's type

    /// `filter` with each constant compared with a column of known type read as that type, as
    /// PostgreSQL reads an untyped literal: a string as a timestamp (a space for `T`, an offset
    /// moved to UTC, a bare date its midnight UTC) or a date, `' 20'` as the number 20, `'t'` as
    /// TRUE. A constant that is not of the column's type (`archived = 1`, `max_capacity > '2O'`,
    /// `created_at < '2025-1-1'`) is an error at it: sent, the server would match no row, or
    /// compare text, and say nothing.
    public func normalisingConstants(_ filter: Expression, types: [String: ColumnType]) throws(Diagnostic) -> Expression {
        func column(_ expression: Expression) -> (name: String, type: ColumnType)? {
            guard case .column(let column) = expression.ungrouped, column.table == nil, let type = types[column.name] else { return nil }
            return (column.name, type)
        }
        func normalised(_ expression: Expression, for column: (name: String, type: ColumnType)) throws(Diagnostic) -> Expression {
            guard case .literal(let literal, let range) = expression.ungrouped else { return expression }
            let wrong = Diagnostic.notOfColumnType(literal, column: column.name, type: column.type, at: range)
            switch (column.type, literal) {
            case (_, .null), (.number, .number), (.boolean, .boolean):
                return expression
            case (.number, .string(let text)):
                let trimmed = text.trimmingSpaces
                guard !trimmed.isEmpty, trimmed.allSatisfy({ "+-0123456789.eE".contains($0) }), !SQLValue(number: Array(trimmed.utf8)).isNull
                else { throw wrong }
                let spelling = trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed
                if !Self.holdsExactly(spelling) { throw Diagnostic.inexactNumber(spelling, at: range) }
                return .literal(.number(spelling), range: range)
            case (.date, .string(let text)):
                // A time against a date is the date it is written on, as PostgreSQL reads a date
                // from it: '2023-10-09T23:30:00-05:00' is 2023-10-09, not the UTC day after.
                let trimmed = text.trimmingSpaces
                guard Instant(trimmed) != nil, case let day = String(trimmed.prefix(10)), let date = Instant(day), date.isDate else { throw wrong }
                return .literal(.string(day), range: range)
            case (.boolean, .string), (.timestamp, .string):
                do {
                    return try fold(.cast(expression, column.type == .boolean ? .boolean : .timestamp, range: range))
                } catch {
                    throw wrong
                }
            default:
                throw wrong
            }
        }
        return try filter.rewritten { (node) throws(Diagnostic) -> Expression? in
            switch node {
            case .comparison(let left, let op, let right, let range):
                if let known = column(left) { return .comparison(left, op, try normalised(right, for: known), range: range) }
                if let known = column(right) { return .comparison(try normalised(left, for: known), op, right, range: range) }
                return nil
            case .between(let value, let low, let high, let negated, let range):
                guard let known = column(value) else { return nil }
                return .between(value, low: try normalised(low, for: known), high: try normalised(high, for: known),
                                negated: negated, range: range)
            case .inList(let value, let items, let negated, let range):
                guard let known = column(value) else { return nil }
                var normalisedItems: [Expression] = []
                for item in items { normalisedItems.append(try normalised(item, for: known)) }
                return .inList(value, normalisedItems, negated: negated, range: range)
            default:
                return nil
            }
        }
    }

    // MARK: - Parameters and constants

    /// Binds every `:name` and folds every constant expression, in every clause: after this,
    /// `created_at >= now() - INTERVAL '30 days'` reads `created_at >= '2026-…Z'`.
    func prepare(_ select: SelectStatement) throws(Diagnostic) -> SelectStatement {
        var select = select
        if case .items(let items) = select.items {
            var prepared: [SelectItem] = []
            for var item in items {
                item.expression = try prepare(item.expression)
                prepared.append(item)
            }
            select.items = .items(prepared)
        }
        select.filter = try select.filter.map { (e) throws(Diagnostic) in try prepare(e) }
        var joins: [JoinClause] = []
        for var join in select.joins {
            join.condition = try join.condition.map { (e) throws(Diagnostic) in try prepare(e) }
            joins.append(join)
        }
        select.joins = joins
        select.having = try select.having.map { (e) throws(Diagnostic) in try prepare(e) }
        var ordering: [OrderKey] = []
        for var key in select.ordering {
            key.expression = try prepareKey(key.expression)
            ordering.append(key)
        }
        select.ordering = ordering
        var grouping: [Expression] = []
        for key in select.grouping { grouping.append(try prepareKey(key)) }
        select.grouping = grouping
        return select
    }

    /// A GROUP BY or ORDER BY key: a number as written names a select-list position; anything
    /// else that folds to a constant (`1 + 1`, `:n`) stays a constant, as in PostgreSQL.
    private func prepareKey(_ key: Expression) throws(Diagnostic) -> Expression {
        if case .literal(.number, _) = key { return key }
        let prepared = try prepare(key)
        if case .literal = prepared { return .grouped(prepared, range: prepared.range) }
        return prepared
    }

    private func prepare(_ expression: Expression) throws(Diagnostic) -> Expression {
        let bound = try bind(expression)
        return try fold(bound)
    }

    /// A number written with more digits than an exact number holds is an error: as a double
    /// it would be rounded, and a comparison with it would quietly be another
    /// (`x = 10.0000000000000000001` matching 10). An exponent makes a double on purpose.
    /// Checked on the statement as written, before constants are folded.
    static func rejectInexactNumbers(in select: SelectStatement) throws(Diagnostic) {
        var expressions: [Expression] = []
        if case .items(let items) = select.items { expressions += items.map(\.expression) }
        expressions += [select.filter, select.having].compactMap { $0 } + select.joins.compactMap(\.condition)
        expressions += select.grouping + select.ordering.map(\.expression)
        for expression in expressions {
            _ = try expression.rewritten { (node) throws(Diagnostic) -> Expression? in
                guard case .literal(.number(let spelling), let range) = node else { return nil }
                if !holdsExactly(spelling) { throw Diagnostic.inexactNumber(spelling, at: range) }
                return nil
            }
        }
    }

    /// Whether a number's spelling is held exactly (a 64-bit integer, a decimal of 18 places
    /// once trailing zeros go), or asks for a double with an exponent.
    static func holdsExactly(_ spelling: String) -> Bool {
        if spelling.contains(where: { $0 == "e" || $0 == "E" }) { return true }
        var digits = Substring(spelling)
        if digits.contains(".") { while digits.hasSuffix("0") { digits = digits.dropLast() } }
        if digits.hasSuffix(".") { digits = digits.dropLast() }
        return ExactDecimal(String(digits)) != nil
    }

    /// Replaces each `:name` with its bound value.
    private func bind(_ expression: Expression) throws(Diagnostic) -> Expression {
        try expression.rewritten { (node) throws(Diagnostic) -> Expression? in
            guard case .parameter(let name, let range) = node else { return nil }
            guard let value = options.parameters[name] else { throw Diagnostic.unboundParameter(name, at: range) }
            if case .number(let spelling) = value, !Self.holdsExactly(spelling) { throw Diagnostic.inexactNumber(spelling, at: range) }
            return .literal(value, range: range)
        }
    }

    /// Evaluates, at plan time, every subexpression that reads no column and no aggregate.
    /// Literals stay as written (`1.50` is sent as `1.50`); an interval stays for its parent.
    func fold(_ expression: Expression) throws(Diagnostic) -> Expression {
        let compiler = ExpressionCompiler(slots: [:], now: options.now)
        return try expression.rewritten { (node) throws(Diagnostic) -> Expression? in
            switch node {
            case .literal, .interval, .column, .grouped, .exists, .inSubquery: return nil
            default: break
            }
            // Children are folded first, so a node folds when all of them are literals (or the
            // interval of a date shift).
            let foldable = node.children.allSatisfy { child in
                switch child.ungrouped {
                case .literal, .interval: return true
                default: return false
                }
            }
            guard foldable, node.aggregateCall == nil else { return nil }
            let value = try compiler.compile(node)([])
            guard let literal = value.literal else { return nil }
            // A literal is read back by its spelling: a whole double or decimal (`3 / 1.5`,
            // `round(2.4)`, `CAST(7 AS DECIMAL)`) would come back an integer, and divide as one.
            // A double is not folded either: its spelling would come back a decimal, and
            // compute exactly where it asked for doubles (`CAST(0.1 AS DOUBLE) + …`).
            if case .integer = SQLValue(literal), !Self.isInteger(value) { return nil }
            if case .real = value { return nil }
            return .literal(literal, range: node.range)
        }
    }

    private static func isInteger(_ value: SQLValue) -> Bool { if case .integer = value { true } else { false } }

    func resolve(_ clause: CountClause?, clause name: String) throws(Diagnostic) -> Int? {
        switch clause {
        case nil: return nil
        case .literal(let value, _): return value
        case .parameter(let parameter, let range):
            guard let value = options.parameters[parameter] else { throw Diagnostic.unboundParameter(parameter, at: range) }
            guard case .number(let spelling) = value, let count = Int(spelling), count >= 0, count <= CountClause.largest else {
                throw Diagnostic.invalidCountParameter(name, parameter: parameter, value: value, at: range)
            }
            return count
        }
    }

    /// `x = NULL` is never true in SQL; a user who writes it means `IS NULL`.
    private func rejectNullComparisons(_ expression: Expression, source: SourceText, negated outer: Bool = false) throws(Diagnostic) {
        switch expression {
        case .comparison(let left, let op, let right, let range):
            let isNull: (Expression) -> Bool = { if case .literal(.null, _) = $0.ungrouped { true } else { false } }
            if isNull(left) || isNull(right) {
                let other = isNull(left) ? right : left
                throw Diagnostic.nullComparison(source.excerpt(other.range), op, at: range)
            }
        case .like(let value, let pattern, _, let range):
            if case .literal(.null, _) = pattern.ungrouped {
                throw Diagnostic.likeNull(source.excerpt(value.range), at: range)
            }
        case .between(_, let low, let high, let negated, let range):
            // x BETWEEN NULL AND 'K' is never true; negated it is x < NULL OR x > 'K', true past
            // 'K': only two NULL bounds make that never true.
            let nulls = [low, high].filter { if case .literal(.null, _) = $0.ungrouped { true } else { false } }.count
            if nulls == 2 || (nulls == 1 && negated == outer) { throw Diagnostic.betweenNullBound(at: range) }
        case .not(let inner, _):
            try rejectNullComparisons(inner, source: source, negated: !outer)
        case .grouped(let inner, _):
            try rejectNullComparisons(inner, source: source, negated: outer)
        case .and(let left, let right), .or(let left, let right):
            try rejectNullComparisons(left, source: source, negated: outer)
            try rejectNullComparisons(right, source: source, negated: outer)
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
        let unsigned = text.hasPrefix("-") ? String(text.dropFirst()) : text
        var lexer = Lexer(SourceText(unsigned))
        if let token = try? lexer.next(), token.kind == .number, token.range == SourceRange(0, unsigned.utf8.count) {
            self = .number(text)
            return
        }
        self = .string(text)
    }
}
